"""Fixtures for the operations tests: a real Prefect server started by the project's own script,
and environments for the real subprocesses (flows, workers, serve) that talk to it."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "prefect_server.sh"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_script(cmd: str, port: int, home: Path, check: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, "GRIDSCOUT_PREFECT_PORT": str(port), "GRIDSCOUT_PREFECT_HOME": str(home),
           "PREFECT_BIN": str(Path(sys.executable).parent / "prefect")}
    res = subprocess.run(["bash", str(SCRIPT), cmd], env=env, capture_output=True, text=True, timeout=300)
    if check and res.returncode != 0:
        raise AssertionError(f"prefect_server.sh {cmd} failed ({res.returncode}):\n{res.stdout}\n{res.stderr}")
    return res


@pytest.fixture(scope="session")
def prefect_server(tmp_path_factory) -> dict:
    """A real Prefect server on 127.0.0.1 (free port, own PREFECT_HOME), stopped at the end."""
    home = tmp_path_factory.mktemp("prefect_server_home")
    port = free_port()
    run_script("start", port, home)
    try:
        yield {"url": f"http://127.0.0.1:{port}/api", "port": port, "home": home}
    finally:
        run_script("stop", port, home, check=False)


@pytest.fixture
def client_env(prefect_server, tmp_path, raw_dir) -> dict:
    """Environment for a subprocess that talks to the real server (own client PREFECT_HOME)."""
    home = tmp_path / "client_home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("PREFECT_") and k not in ("ELECTRICITYMAPS_API_KEY", "EIA_API_KEY")}
    env.update({
        "PREFECT_API_URL": prefect_server["url"], "PREFECT_HOME": str(home),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW": "ignore",
        "GRIDSCOUT_RAW_DIR": str(raw_dir), "GRIDSCOUT_OFFLINE": "1",
        "GRIDSCOUT_DB": str(tmp_path / "warehouse.duckdb"), "GRIDSCOUT_REPORTS_DIR": str(tmp_path / "reports"),
        "PYTHONUNBUFFERED": "1",
    })
    return env


@pytest.fixture
def warehouse_copy(first_slice_db, tmp_path) -> Path:
    """A writable copy of the first-slice warehouse."""
    dest = tmp_path / "warehouse.duckdb"
    shutil.copy(first_slice_db, dest)
    return dest
