#!/usr/bin/env bash
# Start, stop or check a real Prefect server on 127.0.0.1 with its own PREFECT_HOME (idempotent).
#
#   scripts/prefect_server.sh start    # start (no-op when already healthy); waits for /api/health
#   scripts/prefect_server.sh status   # exit 0 when healthy, 1 otherwise
#   scripts/prefect_server.sh stop     # SIGINT the server's process group, wait; no-op when not running
#   scripts/prefect_server.sh env      # print the export line for PREFECT_API_URL
#
# Environment:
#   GRIDSCOUT_PREFECT_PORT   port (default 4200)
#   GRIDSCOUT_PREFECT_HOME   server state: SQLite database, pid file, server.log (default <repo>/.prefect-server)
#   GRIDSCOUT_PREFECT_WAIT_S seconds to wait for health on start / exit on stop (default 120 / 30)
#   GRIDSCOUT_PREFECT_UI     "true" serves the web UI at http://127.0.0.1:$PORT (default "false": the API
#                            only, which starts faster and is all that serve, workers and tests need)
#   PREFECT_BIN              the prefect executable (default: the project's .venv, else via `uv run`)
# Then point clients at it:  export PREFECT_API_URL=http://127.0.0.1:$PORT/api
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HOST=127.0.0.1
PORT=${GRIDSCOUT_PREFECT_PORT:-4200}
HOME_DIR=${GRIDSCOUT_PREFECT_HOME:-$REPO/.prefect-server}
WAIT_S=${GRIDSCOUT_PREFECT_WAIT_S:-120}
UI=${GRIDSCOUT_PREFECT_UI:-false}
URL="http://$HOST:$PORT/api"
PID_FILE="$HOME_DIR/gridscout-server.pid"
LOG="$HOME_DIR/server.log"

prefect_bin() {
    if [[ -n "${PREFECT_BIN:-}" ]]; then echo "$PREFECT_BIN"; return; fi
    if [[ -x "$REPO/.venv/bin/prefect" ]]; then echo "$REPO/.venv/bin/prefect"; return; fi
    local py
    py=$(cd "$REPO" && uv run python -c 'import sys; print(sys.executable)')
    echo "$(dirname "$py")/prefect"
}

healthy() {
    curl -fsS --max-time 3 "$URL/health" >/dev/null 2>&1
}

pid_alive() {
    [[ -f "$PID_FILE" ]] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null
}

start() {
    if healthy; then
        if pid_alive; then
            echo "prefect server already running at $URL (pid $(cat "$PID_FILE"), PREFECT_HOME=$HOME_DIR)"
            return 0
        fi
        echo "error: port $PORT already answers /api/health but is not this server (PREFECT_HOME=$HOME_DIR);" \
             "choose another GRIDSCOUT_PREFECT_PORT" >&2
        return 1
    fi
    if pid_alive; then
        echo "a server from $HOME_DIR (pid $(cat "$PID_FILE")) is running but not healthy yet; waiting"
    else
        rm -f "$PID_FILE"
        mkdir -p "$HOME_DIR"
        local bin
        bin=$(prefect_bin)
        # setsid: own process group, so stop can signal the server and all its children at once
        env -u PREFECT_API_URL PREFECT_HOME="$HOME_DIR" PREFECT_SERVER_ANALYTICS_ENABLED=false \
            PREFECT_UI_ENABLED="$UI" PREFECT_SERVER_UI_ENABLED="$UI" \
            setsid nohup "$bin" server start --host "$HOST" --port "$PORT" >"$LOG" 2>&1 < /dev/null &
        echo $! >"$PID_FILE"
    fi
    local waited=0
    until healthy; do
        if ! pid_alive; then
            echo "error: prefect server exited during start-up; last lines of $LOG:" >&2
            tail -n 30 "$LOG" >&2 || true
            rm -f "$PID_FILE"
            return 1
        fi
        if (( waited >= WAIT_S )); then
            echo "error: prefect server not healthy after ${WAIT_S}s; see $LOG" >&2
            return 1
        fi
        sleep 1
        waited=$((waited + 1))
    done
    echo "prefect server running at $URL (pid $(cat "$PID_FILE"), PREFECT_HOME=$HOME_DIR, log $LOG, UI $UI)"
    echo "export PREFECT_API_URL=$URL"
}

stop() {
    if ! pid_alive; then
        rm -f "$PID_FILE"
        echo "no prefect server from $HOME_DIR is running"
        return 0
    fi
    local pid waited=0
    pid=$(cat "$PID_FILE")
    kill -INT -- "-$pid" 2>/dev/null || kill -INT "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do
        if (( waited >= ${GRIDSCOUT_PREFECT_STOP_WAIT_S:-30} )); then
            echo "server did not stop on SIGINT after ${waited}s; sending SIGTERM" >&2
            kill -TERM -- "-$pid" 2>/dev/null || true
            sleep 2
            kill -KILL -- "-$pid" 2>/dev/null || true
            break
        fi
        sleep 1
        waited=$((waited + 1))
    done
    rm -f "$PID_FILE"
    echo "prefect server at $URL stopped"
}

status() {
    if healthy && pid_alive; then
        echo "running: $URL (pid $(cat "$PID_FILE"), PREFECT_HOME=$HOME_DIR)"
        return 0
    fi
    echo "not running: $URL (PREFECT_HOME=$HOME_DIR)"
    return 1
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) status ;;
    env) echo "export PREFECT_API_URL=$URL" ;;
    *) echo "usage: $0 start|stop|status|env" >&2; exit 2 ;;
esac
