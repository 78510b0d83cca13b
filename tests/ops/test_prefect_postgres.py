"""Prefect server on PostgreSQL (docs/scaling.md, "Past one machine"): scripts/postgres_server.sh starts a
real local PostgreSQL, scripts/prefect_server.sh starts Prefect on it, and a real gridscout ingest flow
runs against it; its flow run is read back from PostgreSQL itself, and the flow published the
analysts' snapshot beside the warehouse."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.ops.conftest import REPO, free_port, run_script

PG_SCRIPT = REPO / "scripts" / "postgres_server.sh"
pytestmark = pytest.mark.prefect_server


def _pg(cmd: str, env: dict) -> subprocess.CompletedProcess:
    res = subprocess.run(["bash", str(PG_SCRIPT), cmd], env=env, capture_output=True, text=True, timeout=180)
    assert res.returncode == 0 or cmd == "status", f"postgres_server.sh {cmd}: {res.stdout}\n{res.stderr}"
    return res


def test_prefect_server_on_postgres_runs_an_ingest_flow(tmp_path, raw_dir, monkeypatch):
    # not under pytest's 0700 tmp tree: as root the server runs as the postgres user, which must reach it
    pg_home = Path(tempfile.mkdtemp(prefix="gridscout-pg-"))
    pg_port, api_port = free_port(), free_port()
    pg_env = {**os.environ, "GRIDSCOUT_PG_HOME": str(pg_home), "GRIDSCOUT_PG_PORT": str(pg_port)}
    url = f"postgresql+asyncpg://prefect@127.0.0.1:{pg_port}/prefect"
    try:
        out = _pg("start", pg_env).stdout
        assert f"PREFECT_API_DATABASE_CONNECTION_URL={url}" in out
        assert _pg("status", pg_env).returncode == 0
        monkeypatch.setenv("PREFECT_API_DATABASE_CONNECTION_URL", url)
        run_script("start", api_port, tmp_path / "prefect_home")
        try:
            env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
            env.update({"PREFECT_API_URL": f"http://127.0.0.1:{api_port}/api", "PREFECT_HOME": str(tmp_path / "client"),
                        "GRIDSCOUT_RAW_DIR": str(raw_dir), "GRIDSCOUT_OFFLINE": "1",
                        "GRIDSCOUT_DB": str(tmp_path / "wh" / "w.duckdb")})
            env.pop("GRIDSCOUT_PUBLISH_DIR", None)
            res = subprocess.run([sys.executable, "-c", "from flows.ingest import ingest_flow; "
                                  "print(ingest_flow(sources=['carbon_yearly'])[0]['status'])"],
                                 cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
            assert res.returncode == 0 and res.stdout.strip().endswith("loaded"), res.stderr[-3000:]
        finally:
            run_script("stop", api_port, tmp_path / "prefect_home", check=False)
        psql = [shutil.which("psql") or "psql", "-h", "127.0.0.1", "-p", str(pg_port), "-U", "prefect", "-d",
                "prefect", "-Atc", "select f.name, r.state_type from flow_run r join flow f on f.id = r.flow_id"]
        rows = subprocess.run(psql, capture_output=True, text=True, timeout=60, check=True).stdout.split()
        assert "gridscout-ingest|COMPLETED" in rows
        manifest = json.loads((tmp_path / "wh" / "published" / "published.json").read_text())
        assert manifest["trigger"] == "ingest carbon_yearly"
        assert manifest["marts"]["mart_zone_carbon_latest"]["rows"] == 352  # carbon_yearly README: 352 zones
    finally:
        _pg("stop", pg_env)
        shutil.rmtree(pg_home, ignore_errors=True)
