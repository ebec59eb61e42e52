"""Fixtures for the PyIceberg end-to-end suite.

The session starts one Pangolin server (``<bin> serve``) on a free loopback port with a fresh data
directory, and, when an S3 test runs, one moto S3 server with a bucket. The parametrized ``catalog``
fixture yields a PyIceberg ``RestCatalog`` for the local-file catalog the server bootstraps
(``default``) and for an S3 catalog created through the management API (``s3cat``).

Nothing is ever skipped: if the server or moto cannot start, every test that needs them errors with
the reason and the tail of the process log.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import unquote, urlparse

import boto3
import botocore.config
import pytest
import requests
from pyiceberg.catalog.rest import RestCatalog

REPO_ROOT = Path(__file__).resolve().parents[2]

S3_BUCKET = "pangolin-e2e"
S3_REGION = "us-east-1"
S3_ACCESS_KEY = "testing"
S3_SECRET_KEY = "testing"
S3_WAREHOUSE = "lake"
S3_CATALOG = "s3cat"

# The key of a server on PANGOLIN_DATABASE_URL (which requires one) unless the environment sets
# one. Fixed, so a database kept from an earlier run still opens; for tests only.
E2E_ENCRYPTION_KEY = "e2e0" * 16
SERVER_READY_TIMEOUT_S = 30.0
MOTO_READY_TIMEOUT_S = 30.0
LOG_TAIL_LINES = 200


# --------------------------------------------------------------------------------------------------
# Processes
# --------------------------------------------------------------------------------------------------


def free_port() -> int:
    """A currently free TCP port on 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def tail(path: Path, lines: int = LOG_TAIL_LINES, start: int = 0) -> str:
    """The last ``lines`` lines of ``path`` from byte offset ``start`` on."""
    try:
        with path.open("rb") as f:
            f.seek(start)
            data = f.read()
    except OSError as e:
        return f"<cannot read {path}: {e}>"
    text = data.decode("utf-8", errors="replace")
    return "\n".join(text.splitlines()[-lines:])


@dataclasses.dataclass
class Process:
    """A child process whose combined stdout/stderr goes to ``log_path``."""

    name: str
    popen: subprocess.Popen
    log_path: Path
    log_file: object

    def failure(self, why: str) -> str:
        return f"{why}\n--- last {LOG_TAIL_LINES} lines of {self.log_path} ---\n{tail(self.log_path)}"

    def check_alive(self) -> None:
        code = self.popen.poll()
        if code is not None:
            pytest.fail(self.failure(f"{self.name} exited early with status {code}"), pytrace=False)

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(timeout=10)
        self.log_file.close()


def start_process(name: str, argv: list[str], log_path: Path, env: dict[str, str] | None = None) -> Process:
    log_file = log_path.open("wb")
    try:
        popen = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=log_path.parent,
        )
    except OSError as e:
        log_file.close()
        pytest.fail(f"cannot start {name} ({' '.join(argv)}): {e}", pytrace=False)
    return Process(name=name, popen=popen, log_path=log_path, log_file=log_file)


def wait_http_ok(proc: Process, url: str, timeout_s: float) -> None:
    """Polls ``url`` until it answers 200; fails with the process log if it does not in time."""
    deadline = time.monotonic() + timeout_s
    last = "no answer yet"
    while time.monotonic() < deadline:
        proc.check_alive()
        try:
            response = requests.get(url, timeout=2)
            if response.status_code == 200:
                return
            last = f"HTTP {response.status_code}: {response.text[:500]}"
        except requests.RequestException as e:
            last = repr(e)
        time.sleep(0.1)
    proc.stop()
    pytest.fail(proc.failure(f"{proc.name} not ready after {timeout_s:.0f}s: GET {url} -> {last}"), pytrace=False)


@dataclasses.dataclass
class PangolinServer:
    url: str
    data_dir: Path
    process: Process

    @property
    def log_path(self) -> Path:
        return self.process.log_path

    def api(self, method: str, path: str, **kwargs) -> requests.Response:
        """A management-API (or any other) request to the server."""
        return requests.request(method, f"{self.url}{path}", timeout=30, **kwargs)


def server_binary() -> Path:
    configured = os.environ.get("PANGOLIN_BIN")
    if configured:
        binary = Path(configured)
    else:
        target_dir = Path(os.environ.get("CARGO_TARGET_DIR", REPO_ROOT / "target"))
        binary = target_dir / "debug" / "pangolin_api"
    if not binary.is_file() or not os.access(binary, os.X_OK):
        pytest.fail(
            f"Pangolin server binary not found at {binary}; run `cargo build -p pangolin_api` "
            "or set PANGOLIN_BIN",
            pytrace=False,
        )
    return binary.resolve()


@pytest.fixture(scope="session")
def pangolin(tmp_path_factory: pytest.TempPathFactory) -> PangolinServer:
    """A running Pangolin server with a fresh data directory (SQLite store unless
    ``PANGOLIN_DATABASE_URL`` is set in the environment, which the server inherits)."""
    binary = server_binary()
    base = tmp_path_factory.mktemp("pangolin").resolve()
    data_dir = base / "data"
    data_dir.mkdir()
    port = free_port()
    env = dict(os.environ)
    env.setdefault("PANGOLIN_LOG", "info")
    env.setdefault("RUST_BACKTRACE", "1")
    env.setdefault("NO_COLOR", "1")  # plain log lines in failure reports
    if env.get("PANGOLIN_DATABASE_URL"):
        env.setdefault("PANGOLIN_ENCRYPTION_KEY", E2E_ENCRYPTION_KEY)
    argv = [str(binary), "serve", "--listen", f"127.0.0.1:{port}", "--data-dir", str(data_dir)]
    proc = start_process("pangolin server", argv, base / "pangolin.log", env)
    server = PangolinServer(url=f"http://127.0.0.1:{port}", data_dir=data_dir, process=proc)
    _state["server"] = server
    try:
        wait_http_ok(proc, f"{server.url}/health/ready", SERVER_READY_TIMEOUT_S)
        yield server
    finally:
        _state.pop("server", None)
        proc.stop()


def moto_binary() -> str:
    candidate = Path(sys.executable).parent / "moto_server"
    if candidate.is_file():
        return str(candidate)
    found = shutil.which("moto_server")
    if not found:
        pytest.fail("moto_server not found; install tests/e2e/requirements.txt", pytrace=False)
    return found


@dataclasses.dataclass
class MotoS3:
    url: str
    client: object  # boto3 S3 client
    process: Process


@pytest.fixture(scope="session")
def moto(tmp_path_factory: pytest.TempPathFactory) -> MotoS3:
    """A moto S3 server with the bucket ``pangolin-e2e``."""
    base = tmp_path_factory.mktemp("moto").resolve()
    port = free_port()
    env = dict(os.environ)
    # Never let moto or boto pick up real credentials or endpoints from the environment.
    for key in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
        env.pop(key, None)
    proc = start_process(
        "moto_server", [moto_binary(), "-H", "127.0.0.1", "-p", str(port)], base / "moto.log", env
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_http_ok(proc, f"{url}/moto-api/", MOTO_READY_TIMEOUT_S)
        client = boto3.client(
            "s3",
            endpoint_url=url,
            region_name=S3_REGION,
            aws_access_key_id=S3_ACCESS_KEY,
            aws_secret_access_key=S3_SECRET_KEY,
            config=botocore.config.Config(s3={"addressing_style": "path"}),
        )
        try:
            client.create_bucket(Bucket=S3_BUCKET)
        except Exception as e:  # noqa: BLE001 - any failure here is fatal for the S3 tests
            pytest.fail(proc.failure(f"cannot create bucket {S3_BUCKET} in moto: {e!r}"), pytrace=False)
        yield MotoS3(url=url, client=client, process=proc)
    finally:
        proc.stop()


# --------------------------------------------------------------------------------------------------
# Catalogs
# --------------------------------------------------------------------------------------------------


@dataclasses.dataclass
class CatalogSetup:
    kind: str  # "file" or "s3"
    warehouse: str  # the REST `warehouse` parameter: the Pangolin catalog name
    base_location: str  # the catalog's base location, without a trailing slash
    properties: dict[str, str]


def _expect(response: requests.Response, status: int, what: str) -> None:
    if response.status_code != status:
        req = response.request
        pytest.fail(
            f"{what}: expected HTTP {status}, got {response.status_code}\n"
            f"request: {req.method} {req.url}\nrequest body: {req.body!r}\n"
            f"response body: {response.text[:2000]}",
            pytrace=False,
        )


@pytest.fixture(scope="session")
def file_catalog_setup(pangolin: PangolinServer) -> CatalogSetup:
    """The catalog ``default`` the server bootstraps in its data directory."""
    return CatalogSetup(
        kind="file",
        warehouse="default",
        base_location=f"file://{pangolin.data_dir}/warehouse/default",
        properties={},
    )


@pytest.fixture(scope="session")
def s3_catalog_setup(pangolin: PangolinServer, moto: MotoS3) -> CatalogSetup:
    """An S3 warehouse on moto and a catalog in it, created through the management API."""
    warehouse = {
        "name": S3_WAREHOUSE,
        "storage": {
            "type": "s3",
            "bucket": S3_BUCKET,
            "region": S3_REGION,
            "endpoint": moto.url,
            "path-style-access": True,
            "credentials": {
                "type": "static",
                "access-key-id": S3_ACCESS_KEY,
                "secret-access-key": S3_SECRET_KEY,
            },
        },
    }
    _expect(pangolin.api("POST", "/api/v1/warehouses", json=warehouse), 201, "create S3 warehouse")
    base_location = f"s3://{S3_BUCKET}/{S3_CATALOG}"
    catalog = {"name": S3_CATALOG, "warehouse": S3_WAREHOUSE, "base-location": base_location}
    _expect(pangolin.api("POST", "/api/v1/catalogs", json=catalog), 201, "create S3 catalog")
    return CatalogSetup(
        kind="s3",
        warehouse=S3_CATALOG,
        base_location=base_location,
        properties={
            # PyIceberg 0.12 FileIO properties. The client writes data and manifest files itself.
            # There is no `s3.path-style-access` in PyIceberg: both PyArrowFileIO and FsspecFileIO
            # use path-style requests against a custom endpoint unless
            # `s3.force-virtual-addressing` is true, so it is pinned to false here.
            "s3.endpoint": moto.url,
            "s3.access-key-id": S3_ACCESS_KEY,
            "s3.secret-access-key": S3_SECRET_KEY,
            "s3.region": S3_REGION,
            "s3.force-virtual-addressing": "false",
        },
    )


@pytest.fixture(params=["file", "s3"])
def catalog_setup(request: pytest.FixtureRequest) -> CatalogSetup:
    return request.getfixturevalue(f"{request.param}_catalog_setup")


@pytest.fixture
def catalog(catalog_setup: CatalogSetup, pangolin: PangolinServer, request: pytest.FixtureRequest) -> RestCatalog:
    """A PyIceberg REST catalog client for the file-backed and the S3-backed Pangolin catalog.

    The HTTP exchanges it makes are recorded and shown in the report of a failing test."""
    exchanges: list[str] = []
    request.node.stash[_EXCHANGES] = exchanges
    catalog = RestCatalog(
        "pangolin",
        uri=pangolin.url,
        warehouse=catalog_setup.warehouse,
        **catalog_setup.properties,
    )
    catalog._session.hooks["response"].append(lambda response, *args, **kwargs: exchanges.append(describe(response)))
    return catalog


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} chars)"


def describe(response: requests.Response) -> str:
    """One HTTP exchange, for a failure report: bodies of errors in full, others clipped."""
    req = response.request
    body = req.body.decode("utf-8", errors="replace") if isinstance(req.body, bytes) else (req.body or "")
    limit = 300 if response.ok else 4000
    return (
        f"{req.method} {req.url} -> {response.status_code}\n"
        f"    request:  {_clip(body, limit)}\n"
        f"    response: {_clip(response.text, limit)}"
    )


# --------------------------------------------------------------------------------------------------
# Storage inspection
# --------------------------------------------------------------------------------------------------


class Storage:
    """Lists the objects under a table location, bypassing the catalog."""

    def __init__(self, setup: CatalogSetup, s3_client: object | None) -> None:
        self.kind = setup.kind
        self.base_location = setup.base_location
        self._s3 = s3_client

    def list_files(self, location: str) -> list[str]:
        """Every regular file (or S3 object) underneath ``location``, as full locations."""
        parsed = urlparse(location)
        if parsed.scheme == "file":
            assert self.kind == "file", f"unexpected file location {location} in an S3 catalog"
            root = Path(unquote(parsed.path))
            if not root.exists():
                return []
            return sorted(f"file://{p}" for p in root.rglob("*") if p.is_file() or p.is_symlink())
        if parsed.scheme in ("s3", "s3a", "s3n"):
            assert self.kind == "s3", f"unexpected S3 location {location} in a file catalog"
            bucket = parsed.netloc
            prefix = parsed.path.strip("/") + "/"
            keys: list[str] = []
            for page in self._s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
                keys.extend(obj["Key"] for obj in page.get("Contents", []))
            return sorted(f"s3://{bucket}/{key}" for key in keys)
        raise AssertionError(f"unsupported location scheme: {location}")


@pytest.fixture
def storage(catalog_setup: CatalogSetup, request: pytest.FixtureRequest) -> Storage:
    s3_client = request.getfixturevalue("moto").client if catalog_setup.kind == "s3" else None
    return Storage(catalog_setup, s3_client)


# --------------------------------------------------------------------------------------------------
# Names
# --------------------------------------------------------------------------------------------------


@pytest.fixture
def unique_name():
    """``unique_name("ns")`` -> ``"ns_1a2b3c4d"``: names that no other test (or run) uses."""

    def make(prefix: str) -> str:
        return f"{prefix}_{uuid.uuid4().hex[:10]}"

    return make


# --------------------------------------------------------------------------------------------------
# Server log in failure reports
# --------------------------------------------------------------------------------------------------

_state: dict[str, PangolinServer] = {}
_LOG_OFFSET = pytest.StashKey[int]()
_EXCHANGES = pytest.StashKey[list]()
MAX_EXCHANGES_SHOWN = 25


@pytest.fixture(autouse=True)
def _remember_server_log_offset(request: pytest.FixtureRequest):
    server = _state.get("server")
    if server is not None:
        try:
            request.node.stash[_LOG_OFFSET] = server.log_path.stat().st_size
        except OSError:
            pass
    yield


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Attaches the catalog's HTTP exchanges and the server log lines written during a failed test
    to its report."""
    report = yield
    if report.failed and report.when in ("setup", "call"):
        exchanges = item.stash.get(_EXCHANGES, [])
        if exchanges:
            shown = exchanges[-MAX_EXCHANGES_SHOWN:]
            report.sections.append(
                (
                    f"REST exchanges (last {len(shown)} of {len(exchanges)})",
                    "\n".join(shown),
                )
            )
        server = _state.get("server")
        if server is not None:
            start = item.stash.get(_LOG_OFFSET, 0)
            report.sections.append(
                (f"pangolin server log during the test ({server.log_path})", tail(server.log_path, start=start))
            )
    return report
