"""The README quickstart, run verbatim against a freshly started server with the README's defaults.

The server is started exactly as `cargo run --release -p pangolin_api` starts it (no flags, no
PANGOLIN_* variables, a fresh working directory), so it listens on 127.0.0.1:8080 with its data in
./pangolin-data, and generates the Root user's password and prints it once. The test reads that
password from the server's output, puts it where the README tells the reader to (the placeholder of
`export PANGOLIN_PASSWORD='...'`), and runs every code block of the quickstart section in order in
one bash session: shell blocks as they are, Python blocks with `python3` from this virtualenv. The
S3 example writes to http://127.0.0.1:9000, bucket `my-bucket`: a moto server provides that.

If port 8080 or 9000 is taken the test fails: it never rewrites the snippets.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import boto3
import botocore.config

from conftest import REPO_ROOT, moto_binary, server_binary, start_process, tail, wait_http_ok

SECTION = "## Quickstart with PyIceberg"
PASSWORD_PLACEHOLDER = "<the password the server printed>"
SERVER_URL = "http://127.0.0.1:8080"
S3_URL = "http://127.0.0.1:9000"  # the endpoint of the README's S3 example
S3_BUCKET = "my-bucket"
GENERATED_PASSWORD = re.compile(r"Created the Root user 'root' with the generated password:\s*\n\s*\n\s*(\S+)\s*\n")


def quickstart_blocks() -> list[tuple[str, str]]:
    """``(language, code)`` of every fenced block in the quickstart section, in order."""
    readme = (REPO_ROOT / "README.md").read_text()
    section = readme.split(SECTION, 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"^```(\w+)\n(.*?)^```$", section, re.S | re.M)
    assert blocks, "the README quickstart has code blocks"
    languages = {language for language, _ in blocks}
    assert languages <= {"sh", "python"}, f"unexpected code block languages {languages}"
    assert sum(PASSWORD_PLACEHOLDER in code for _, code in blocks) == 1, (
        f"exactly one quickstart block has the placeholder {PASSWORD_PLACEHOLDER!r}"
    )
    return blocks


def generated_password(log_path: Path) -> str:
    match = GENERATED_PASSWORD.search(log_path.read_text(errors="replace"))
    assert match, f"the server printed no generated Root password:\n{tail(log_path)}"
    return match.group(1)


def quickstart_script(blocks: list[tuple[str, str]], password: str, workdir: Path) -> str:
    """One bash script running the blocks in order: the reader's shell session."""
    lines = ["set -euo pipefail"]
    for number, (language, code) in enumerate(blocks, start=1):
        lines.append(f"echo {shlex.quote(f'### block {number} ({language})')}")
        if language == "sh":
            lines.append(code.replace(PASSWORD_PLACEHOLDER, password))
        else:
            path = workdir / f"block{number}.py"
            path.write_text(code)
            lines.append(f"python3 {shlex.quote(str(path))}")
    return "\n".join(lines) + "\n"


def test_readme_quickstart_runs_verbatim(tmp_path: Path):
    blocks = quickstart_blocks()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PANGOLIN_")}
    env["NO_COLOR"] = "1"
    # The reader's Python environment: `python3` is the one with PyIceberg installed.
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    for key in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
        env.pop(key, None)

    # Both binaries are found before either process starts, so a missing one leaks nothing.
    moto_argv = [moto_binary(), "-H", "127.0.0.1", "-p", "9000"]
    server_argv = [str(server_binary())]
    moto_dir = tmp_path / "moto"
    moto_dir.mkdir()
    server_dir = tmp_path / "server"
    server_dir.mkdir()
    moto = start_process("moto_server", moto_argv, moto_dir / "moto.log", env)
    try:
        server = start_process("pangolin (defaults)", server_argv, server_dir / "server.log", env)
    except BaseException:
        moto.stop()
        raise
    try:
        wait_http_ok(moto, f"{S3_URL}/moto-api/", 30)
        boto3.client(
            "s3",
            endpoint_url=S3_URL,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            config=botocore.config.Config(s3={"addressing_style": "path"}),
        ).create_bucket(Bucket=S3_BUCKET)
        wait_http_ok(server, f"{SERVER_URL}/health/ready", 30)
        assert (server_dir / "pangolin-data" / "pangolin.db").is_file()
        password = generated_password(server.log_path)

        reader_dir = tmp_path / "reader"
        reader_dir.mkdir()
        script = quickstart_script(blocks, password, reader_dir)
        result = subprocess.run(
            ["bash", "-c", script],
            cwd=reader_dir,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=240,
        )
        report = (
            f"exit status {result.returncode}\n--- stdout ---\n{result.stdout}\n--- stderr ---\n{result.stderr}\n"
            f"--- server log ---\n{tail(server.log_path)}"
        )
        assert result.returncode == 0, report
        printed = result.stdout
        # The Python quickstart (as root).
        assert "'name': ['ada', 'grace']" in printed, report
        assert "('demo', 'people')" in printed, report
        # The service user's client: created, granted, keyed, and reading the table.
        assert "rows: 2" in printed, report
        # The S3 warehouse and catalog (on moto).
        compact = printed.replace(" ", "")
        assert '"name":"lake"' in compact, report
        assert '"name":"sales"' in compact, report
        assert '"error"' not in compact, report
    finally:
        server.stop()
        moto.stop()
