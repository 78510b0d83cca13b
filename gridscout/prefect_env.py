"""Prefect settings that work on small machines, applied before Prefect is imported.

A local flow run starts a temporary API server (8–14 s on a fresh database here); the default
20 s start-up timeout is too short on 2 cores, and anonymous analytics cause a "database is locked"
error. Values already set in the environment win.
"""

from __future__ import annotations

import os

DEFAULTS = {
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW": "ignore",
    "PREFECT_UI_ENABLED": "false",
}


def apply() -> None:
    for k, v in DEFAULTS.items():
        os.environ.setdefault(k, v)


#: where ``scripts/prefect_server.sh start`` serves (``GRIDSCOUT_PREFECT_PORT``, default 4200)
ENV_PORT = "GRIDSCOUT_PREFECT_PORT"
DEFAULT_PORT = 4200
#: Prefect's own log lines (temporary server start/stop, flow-run states) are hidden below this level
QUIET_LOGGING_LEVEL = "WARNING"


def local_server_url(port: int | None = None, timeout_s: float = 0.5) -> str | None:
    """The API URL of a healthy Prefect server listening on 127.0.0.1 (``/api/health`` answers 200), else None."""
    import urllib.error
    import urllib.request

    port = int(port or os.environ.get(ENV_PORT) or DEFAULT_PORT)
    url = f"http://127.0.0.1:{port}/api"
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=timeout_s) as resp:  # noqa: S310 - fixed local URL
            return url if resp.status == 200 else None
    except (OSError, urllib.error.URLError, ValueError):
        return None


def configure_cli(verbose: bool = False) -> str:
    """Choose the Prefect API for a one-off CLI command and how much Prefect says; before Prefect is imported.

    Returns ``"configured"`` when ``PREFECT_API_URL`` is already set, ``"local"`` when a healthy server
    listens on 127.0.0.1 (``scripts/prefect_server.sh start``; its URL is then used, so no temporary
    server is started: commands start in about a second instead of 10–20 s), else ``"temporary"``
    (Prefect starts and stops its own server for the command). Unless ``verbose``, Prefect's log lines
    are hidden (the CLI prints its own results; errors still show)."""
    apply()
    if os.environ.get("PREFECT_API_URL"):
        mode = "configured"
    else:
        url = local_server_url()
        if url:
            os.environ["PREFECT_API_URL"] = url
        mode = "local" if url else "temporary"
    if not verbose:
        os.environ.setdefault("PREFECT_LOGGING_LEVEL", QUIET_LOGGING_LEVEL)
    return mode


#: run beside each temporary Prefect server: stops it when the process that started it is gone
#: (SIGKILL, a crash), which Prefect's own ``atexit`` clean-up cannot do
_WATCHDOG = r"""
import os, signal, sys, time
parent, server = int(sys.argv[1]), int(sys.argv[2])

def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"  # a zombie is gone
    except OSError:
        return False

while alive(server):
    if not alive(parent):
        for sig, wait in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 0.0)):
            try:
                os.kill(server, sig)
            except ProcessLookupError:
                break
            deadline = time.monotonic() + wait
            while alive(server) and time.monotonic() < deadline:
                time.sleep(0.1)
        break
    time.sleep(0.5)
"""
_watchdogs: list = []


def guard_temporary_server() -> None:
    """No orphans: start a small watchdog beside every temporary Prefect server this process starts
    (``SubprocessASGIServer``), which stops the server once this process is gone, however it ended."""
    import subprocess
    import sys

    from prefect.server.api import server

    cls = server.SubprocessASGIServer
    if getattr(cls, "_gridscout_guarded", False):
        return
    start_server = cls._run_uvicorn_command

    def run_guarded(self):
        proc = start_server(self)
        _watchdogs.append(subprocess.Popen(
            [sys.executable, "-c", _WATCHDOG, str(os.getpid()), str(proc.pid)], start_new_session=True,
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        return proc

    cls._run_uvicorn_command = run_guarded
    cls._gridscout_guarded = True


def stop_temporary_servers() -> None:
    """Stop the temporary Prefect API servers this process's flows started (``SubprocessASGIServer``),
    now rather than in Prefect's atexit hook — e.g. while a test session's output is still open."""
    from prefect.server.api import server

    for running in list(getattr(server.SubprocessASGIServer, "_instances", {}).values()):
        running.stop()
