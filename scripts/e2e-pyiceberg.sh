#!/usr/bin/env bash
# End-to-end tests: drives a real Pangolin server with the PyIceberg client, on local files and on
# S3 (moto). See tests/e2e/README.md.
#
#   scripts/e2e-pyiceberg.sh                 # build the server, run the whole suite
#   scripts/e2e-pyiceberg.sh -k purge -x     # extra arguments go to pytest
#
# Environment:
#   PANGOLIN_BIN           use this server binary instead of building one with cargo
#   PANGOLIN_DATABASE_URL  passed through to the server (default: SQLite in its data directory)
#   PYTHON                 interpreter used to create the virtualenv (default: python3)
#   CARGO_TARGET_DIR       honoured when locating the freshly built binary
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

venv="$repo_root/.venv"
if [[ ! -x "$venv/bin/python" ]]; then
    echo "==> creating virtualenv $venv" >&2
    "${PYTHON:-python3}" -m venv "$venv"
fi
echo "==> installing tests/e2e/requirements.txt" >&2
"$venv/bin/python" -m pip install -q --disable-pip-version-check -r tests/e2e/requirements.txt

if [[ -z "${PANGOLIN_BIN:-}" ]]; then
    # --workspace: the same feature resolution as `cargo test --workspace`, so a test run that
    # built the server already is reused instead of compiling every crate again.
    echo "==> cargo build --workspace --bins" >&2
    cargo build --workspace --bins --locked
    PANGOLIN_BIN="${CARGO_TARGET_DIR:-$repo_root/target}/debug/pangolin_api"
fi
if [[ ! -x "$PANGOLIN_BIN" ]]; then
    echo "error: server binary $PANGOLIN_BIN not found or not executable" >&2
    exit 1
fi
export PANGOLIN_BIN

echo "==> pytest tests/e2e (server: $PANGOLIN_BIN)" >&2
exec "$venv/bin/python" -m pytest tests/e2e -q "$@"
