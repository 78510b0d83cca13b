#!/usr/bin/env bash
# Start, stop or check a local PostgreSQL server on 127.0.0.1 for the Prefect server (idempotent).
#
#   scripts/postgres_server.sh start    # initdb on first use, then start; waits until it accepts connections
#   scripts/postgres_server.sh status   # exit 0 when it accepts connections, 1 otherwise
#   scripts/postgres_server.sh stop     # fast shutdown; no-op when not running
#   scripts/postgres_server.sh url      # print the export line for PREFECT_API_DATABASE_CONNECTION_URL
#
# Environment:
#   GRIDSCOUT_PG_PORT   port (default 5433, beside a system server on 5432)
#   GRIDSCOUT_PG_HOME   data folder (PGDATA), socket and server.log (default <repo>/.postgres-server)
#   GRIDSCOUT_PG_BIN    folder of initdb/pg_ctl (default: on PATH, else the newest /usr/lib/postgresql/*/bin)
# PostgreSQL refuses to run as root: run as root, the script runs initdb and the server as the
# `postgres` system user (created by Debian's postgresql package) and gives it the data folder.
# Needs: PostgreSQL >= 13 binaries (Debian: apt-get install postgresql). Database and user: prefect,
# password-less on 127.0.0.1 only (trust auth, listen_addresses=127.0.0.1): for one machine or a
# private network, not an open one.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PORT=${GRIDSCOUT_PG_PORT:-5433}
HOME_DIR=${GRIDSCOUT_PG_HOME:-$REPO/.postgres-server}
DATA="$HOME_DIR/data"
LOG="$HOME_DIR/server.log"
URL="postgresql+asyncpg://prefect@127.0.0.1:$PORT/prefect"

bindir() {
    if [[ -n "${GRIDSCOUT_PG_BIN:-}" ]]; then echo "$GRIDSCOUT_PG_BIN"; return; fi
    if command -v pg_ctl >/dev/null 2>&1; then dirname "$(readlink -f "$(command -v pg_ctl)")"; return; fi
    local newest
    newest=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    if [[ -z "$newest" ]]; then
        echo "error: no PostgreSQL binaries (initdb, pg_ctl): install them (Debian: apt-get install postgresql)" \
             "or set GRIDSCOUT_PG_BIN" >&2
        exit 1
    fi
    echo "$newest"
}

as_owner() {  # run a PostgreSQL program as the data folder's owner (postgres when we are root)
    if [[ $(id -u) -eq 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

ready() {
    as_owner "$(bindir)/pg_isready" -q -h 127.0.0.1 -p "$PORT" -d prefect -U prefect
}

start() {
    local bin
    bin=$(bindir)
    mkdir -p "$HOME_DIR"
    if [[ $(id -u) -eq 0 ]]; then
        id postgres >/dev/null 2>&1 || { echo "error: running as root needs a 'postgres' user" >&2; exit 1; }
        chown postgres "$HOME_DIR"
        chmod 0755 "$HOME_DIR"
    fi
    if [[ ! -f "$DATA/PG_VERSION" ]]; then
        as_owner "$bin/initdb" -D "$DATA" -U prefect --auth=trust --encoding=UTF8 >"$HOME_DIR/initdb.log" 2>&1 || {
            echo "error: initdb failed; see $HOME_DIR/initdb.log" >&2; tail -n 20 "$HOME_DIR/initdb.log" >&2; exit 1; }
    fi
    if as_owner "$bin/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
        echo "postgres already running (PGDATA=$DATA)"
    else
        as_owner "$bin/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 \
            -o "-p $PORT -c listen_addresses=127.0.0.1 -k $HOME_DIR -c max_connections=100" start >/dev/null
    fi
    until ready; do sleep 0.5; done
    if ! as_owner "$bin/psql" -qAt -h 127.0.0.1 -p "$PORT" -U prefect -d postgres \
            -c "select 1 from pg_database where datname = 'prefect'" | grep -q 1; then
        as_owner "$bin/createdb" -h 127.0.0.1 -p "$PORT" -U prefect prefect
    fi
    echo "postgres running on 127.0.0.1:$PORT (PGDATA=$DATA, log $LOG)"
    echo "export PREFECT_API_DATABASE_CONNECTION_URL=$URL"
}

stop() {
    local bin
    bin=$(bindir)
    if [[ -f "$DATA/PG_VERSION" ]] && as_owner "$bin/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
        as_owner "$bin/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null
        echo "postgres on 127.0.0.1:$PORT stopped"
    else
        echo "no postgres from $DATA is running"
    fi
}

status() {
    if ready; then
        echo "running: 127.0.0.1:$PORT (PGDATA=$DATA)"
        return 0
    fi
    echo "not running: 127.0.0.1:$PORT (PGDATA=$DATA)"
    return 1
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) status ;;
    url) echo "export PREFECT_API_DATABASE_CONNECTION_URL=$URL" ;;
    *) echo "usage: $0 start|stop|status|url" >&2; exit 2 ;;
esac
