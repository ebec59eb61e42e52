#!/usr/bin/env bash
# Runs Pangolin's whole test suite: formatting and lints, the Rust unit and integration tests
# (store conformance on memory and SQLite, the HTTP suite on SQLite and memory, iceberg-rust end to
# end), and the PyIceberg end-to-end suite against local files and moto S3.
#
# Usage: scripts/test.sh            everything
#        scripts/test.sh --quick    Rust tests only (no lints, no PyIceberg)
set -euo pipefail
cd "$(dirname "$0")/.."

quick=false
[[ "${1:-}" == "--quick" ]] && quick=true

step() { printf '\n==> %s\n' "$*"; }

if ! $quick; then
  step "cargo fmt --check"
  cargo fmt --all -- --check
  step "cargo clippy -D warnings"
  cargo clippy --workspace --all-targets --locked -- -D warnings
fi

step "cargo test (stores: memory and SQLite; API suite on SQLite)"
cargo test --workspace --locked

step "API suite on the memory store"
PANGOLIN_TEST_STORE=memory cargo test -p pangolin_api --test it --locked

if ! $quick; then
  step "PyIceberg end to end (local files and moto S3)"
  scripts/e2e-pyiceberg.sh
fi

step "all tests passed"
