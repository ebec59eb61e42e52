#!/usr/bin/env bash
# Runs Pangolin's whole test suite: formatting and lints; the Rust unit and integration tests (store
# conformance on memory, SQLite and PostgreSQL; the HTTP suite on SQLite, memory and PostgreSQL;
# several instances on one PostgreSQL; a database outage; iceberg-rust end to end); and the
# PyIceberg end-to-end suite against local files and moto S3, on SQLite and on PostgreSQL.
#
# PostgreSQL comes from the system's server binaries (scripts/pg-cluster.sh starts a throwaway
# cluster), or from PANGOLIN_TEST_POSTGRES_URL when set.
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

if [[ -z "${PANGOLIN_TEST_POSTGRES_URL:-}" ]]; then
  step "starting a throwaway PostgreSQL cluster"
  eval "$(scripts/pg-cluster.sh start --watch $$)"
  trap 'scripts/pg-cluster.sh stop "$PGCLUSTER_DIR"' EXIT
  export PANGOLIN_TEST_POSTGRES_URL="$PGCLUSTER_URL/postgres"
fi

step "cargo test (stores: memory, SQLite, PostgreSQL; API suite on SQLite; PostgreSQL deployment)"
cargo test --workspace --locked

# Selecting pangolin_bench beside pangolin_api keeps Cargo's feature resolution the same as the
# workspace build above (the bench adds tokio's `process` feature), so nothing is compiled again.
for store in memory postgres; do
  step "API suite on the $store store"
  PANGOLIN_TEST_STORE=$store cargo test -p pangolin_api -p pangolin_bench --test it --locked \
    -- --skip postgres::
done

if ! $quick; then
  step "PyIceberg end to end on SQLite (local files and moto S3)"
  scripts/e2e-pyiceberg.sh
  step "PyIceberg end to end on PostgreSQL"
  PANGOLIN_DATABASE_URL="$PANGOLIN_TEST_POSTGRES_URL" PANGOLIN_BIN="target/debug/pangolin_api" \
    scripts/e2e-pyiceberg.sh
fi

step "all tests passed"
