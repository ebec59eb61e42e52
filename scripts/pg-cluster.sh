#!/usr/bin/env bash
# Throwaway PostgreSQL clusters for tests and benchmarks, from the system's server binaries (no
# Docker). initdb refuses to run as root, so as root the cluster runs as the unprivileged user
# `pangolin-pg` (created if missing).
#
#   scripts/pg-cluster.sh start [--port N] [--watch PID]
#       Creates a cluster in a fresh directory under ${TMPDIR:-/tmp}, starts it on 127.0.0.1 (a
#       free port unless --port) with trust authentication for the superuser `postgres`, and prints
#           PGCLUSTER_DIR=<directory>
#           PGCLUSTER_URL=postgres://postgres@127.0.0.1:<port>
#       With --watch, a detached watcher stops and deletes the cluster once process PID is gone.
#   scripts/pg-cluster.sh stop DIR      stops the cluster in DIR and deletes DIR
#   scripts/pg-cluster.sh kill DIR      stops it immediately (simulates an outage), keeps DIR
#   scripts/pg-cluster.sh resume DIR    starts a stopped cluster again on its port
set -euo pipefail

pg_bin() {
    local dir
    if command -v initdb >/dev/null 2>&1; then
        dirname "$(command -v initdb)"
        return
    fi
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    if [[ -z "$dir" || ! -x "$dir/initdb" ]]; then
        echo "error: PostgreSQL server binaries (initdb, pg_ctl) not found on PATH or under" \
             "/usr/lib/postgresql/*/bin; install the PostgreSQL server package (e.g. postgresql-15)" >&2
        exit 1
    fi
    echo "$dir"
}

BIN=$(pg_bin)
RUN_AS=()
if [[ $(id -u) -eq 0 ]]; then
    if ! id pangolin-pg >/dev/null 2>&1; then
        useradd --system --no-create-home --shell /usr/sbin/nologin pangolin-pg
    fi
    RUN_AS=(runuser -u pangolin-pg --)
fi

pg_ctl() { "${RUN_AS[@]}" "$BIN/pg_ctl" "$@"; }

start_cluster() {
    local port="" watch=""
    while [[ $# -gt 0 ]]; do
        case "$1" in
            --port) port="$2"; shift 2 ;;
            --watch) watch="$2"; shift 2 ;;
            *) echo "unknown option $1" >&2; exit 2 ;;
        esac
    done
    local dir
    dir=$(mktemp -d "${TMPDIR:-/tmp}/pangolin-pg.XXXXXX")
    chmod 700 "$dir"
    if [[ ${#RUN_AS[@]} -gt 0 ]]; then chown pangolin-pg "$dir"; fi
    "${RUN_AS[@]}" "$BIN/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --no-locale \
        >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
    local attempt
    for attempt in $(seq 1 20); do
        local try_port="${port:-$((20000 + RANDOM % 40000))}"
        if pg_ctl -D "$dir/data" -l "$dir/server.log" -w -t 30 \
            -o "-p $try_port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=on" \
            start >/dev/null 2>&1; then
            echo "$try_port" >"$dir/port"
            break
        fi
        if [[ -n "$port" || $attempt -eq 20 ]]; then
            echo "error: PostgreSQL did not start; its log:" >&2
            cat "$dir/server.log" >&2 || true
            exit 1
        fi
    done
    if [[ -n "$watch" ]]; then
        # Detached: survives this script, stops the cluster when the watched process is gone.
        setsid bash -c "while kill -0 $watch 2>/dev/null; do sleep 1; done; \
            $(printf '%q ' "${RUN_AS[@]}") $BIN/pg_ctl -D $dir/data -m immediate stop; rm -rf $dir" \
            </dev/null >/dev/null 2>&1 &
    fi
    echo "PGCLUSTER_DIR=$dir"
    echo "PGCLUSTER_URL=postgres://postgres@127.0.0.1:$(cat "$dir/port")"
}

case "${1:-}" in
    start) shift; start_cluster "$@" ;;
    stop) pg_ctl -D "$2/data" -m fast stop >/dev/null 2>&1 || true; rm -rf "$2" ;;
    kill) pg_ctl -D "$2/data" -m immediate stop >/dev/null ;;
    resume)
        pg_ctl -D "$2/data" -l "$2/server.log" -w -t 30 \
            -o "-p $(cat "$2/port") -k $2 -c listen_addresses=127.0.0.1 -c max_connections=300" \
            start >/dev/null ;;
    *) sed -n '2,17p' "$0"; exit 2 ;;
esac
