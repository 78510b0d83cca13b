"""Issue 19: a run killed with SIGKILL never leaves its temporary Prefect API server running."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CHILD = textwrap.dedent("""
    import time
    import flows  # noqa: F401  (configures Prefect the way the CLI does)
    from prefect import flow

    @flow
    def tiny():
        return 1

    tiny()
    print("ran", flush=True)
    time.sleep(300)
""")


def _server_children(pid: int) -> list[int]:
    out = []
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            stat = (d / "stat").read_text().rsplit(")", 1)[1].split()
            cmd = (d / "cmdline").read_bytes()
        except OSError:
            continue
        if int(stat[1]) == pid and b"prefect.server.api.server:create_app" in cmd:
            out.append(int(d.name))
    return out


def _alive(pid: int) -> bool:
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_sigkill_during_a_run_leaves_no_temporary_server(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    servers: list[int] = []
    env["PREFECT_HOME"] = str(tmp_path / "prefect")
    proc = subprocess.Popen([sys.executable, "-c", CHILD], cwd=REPO, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    try:
        assert proc.stdout.readline().strip() == "ran"
        servers = _server_children(proc.pid)
        assert servers, "the flow ran without a temporary server: nothing to test"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        deadline = time.monotonic() + 30
        while any(_alive(s) for s in servers) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not any(_alive(s) for s in servers), f"temporary server(s) {servers} outlived the killed run"
    finally:
        if proc.poll() is None:
            proc.kill()
        for s in servers + _server_children(proc.pid):  # never leave one behind, even when the test fails
            if _alive(s):
                os.kill(s, signal.SIGKILL)
        proc.stdout.close()
