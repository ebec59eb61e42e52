"""The README quickstart, run verbatim against the README's first command's defaults.

The server is started exactly as `cargo run --release -p pangolin_api` starts it (no flags, no
PANGOLIN_* variables, a fresh working directory), so it listens on 127.0.0.1:8080 with its data in
./pangolin-data. If that port is taken the test fails: it never rewrites the snippet.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
from pathlib import Path

from conftest import REPO_ROOT, server_binary, start_process, wait_http_ok


def quickstart_snippet() -> str:
    readme = (REPO_ROOT / "README.md").read_text()
    section = readme.split("## Quickstart with PyIceberg", 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match, "the README quickstart has a python block"
    return match.group(1)


def test_readme_quickstart_runs_verbatim(tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PANGOLIN_")}
    env["NO_COLOR"] = "1"
    proc = start_process("pangolin (defaults)", [str(server_binary())], tmp_path / "server.log", env)
    try:
        wait_http_ok(proc, "http://127.0.0.1:8080/health/ready", 30)
        assert (tmp_path / "pangolin-data" / "pangolin.db").is_file()
        output = io.StringIO()
        with contextlib.redirect_stdout(output):
            exec(compile(quickstart_snippet(), "README.md quickstart", "exec"), {})
        printed = output.getvalue()
        assert "'name': ['ada', 'grace']" in printed, printed
        assert "('demo', 'people')" in printed, printed
    finally:
        proc.stop()
