"""Against a real Prefect server started by scripts/prefect_server.sh: deploy every deployment from
prefect.yaml to a process work pool, read the cron schedules back, run an ingest and the scoring
pipeline at the same time on a real worker, then register the same deployments with ``serve``
(flows/deployments.py) and run one through it. Workers and serve are stopped with SIGINT."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import httpx
import pytest

from flows.deployments import serve_name
from gridscout.ops import schedules
from gridscout.sources import get
from gridscout.sources.fetch import locate

from .conftest import REPO, run_script

pytestmark = pytest.mark.prefect_server
TERMINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}


def _prefect(env, *args, timeout=180) -> str:
    res = subprocess.run([sys.executable, "-m", "prefect", *args], cwd=REPO, env=env, capture_output=True,
                         text=True, timeout=timeout)
    assert res.returncode == 0, f"prefect {' '.join(args)} failed:\n{res.stdout[-3000:]}\n{res.stderr[-3000:]}"
    return res.stdout


def _call(api: httpx.Client, method: str, url: str, **kw):
    """One API call, retried on 5xx like Prefect's own client does (SQLite busy under load)."""
    for delay in (1, 2, 4, 8, 0):
        resp = api.request(method, url, **kw)
        if resp.status_code < 500 or not delay:
            return resp.raise_for_status().json()
        time.sleep(delay)


def _deployments(api: httpx.Client) -> dict[str, dict]:
    return {d["name"]: d for d in _call(api, "POST", "/deployments/filter", json={})}


def _trigger(api: httpx.Client, deployment: dict, parameters: dict | None = None) -> str:
    body = {"parameters": parameters} if parameters else {}
    return _call(api, "POST", f"/deployments/{deployment['id']}/create_flow_run", json=body)["id"]


def _wait(api: httpx.Client, run_ids: list[str], proc: subprocess.Popen, log: Path, limit_s: float = 300) -> dict:
    """Poll the flow runs until all are terminal (a generous guard, not a timing assertion)."""
    deadline = time.monotonic() + limit_s
    states: dict[str, str] = {}
    while time.monotonic() < deadline:
        for rid in run_ids:
            states[rid] = _call(api, "GET", f"/flow_runs/{rid}")["state"]["type"]
        if all(s in TERMINAL for s in states.values()):
            return states
        assert proc.poll() is None, f"runner exited early:\n{log.read_text()[-4000:]}"
        time.sleep(1)
    raise AssertionError(f"flow runs not finished: {states}\n{log.read_text()[-4000:]}")


def _logs(api: httpx.Client, run_id: str) -> str:
    rows = _call(api, "POST", "/logs/filter", json={"logs": {"flow_run_id": {"any_": [run_id]}}, "limit": 200})
    return "\n".join(r["message"] for r in rows)


def _sigint(proc: subprocess.Popen, what: str) -> None:
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGINT)  # Prefect: a second SIGINT kills at once
        proc.wait(timeout=30)
        raise AssertionError(f"{what} did not stop on the first SIGINT")


def _rows(db: Path, sid: str) -> dict[str, int]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return dict(con.execute("select t.table_name, t.rows from source_load_tables t join source_loads l "
                                "using (load_id) where l.source_id = ? group by all", [sid]).fetchall())
    finally:
        con.close()


def _parsed_rows(raw_dir: Path, sid: str) -> dict[str, int]:
    spec = get(sid)
    parsed = spec.parse({f.name: f.path for f in locate(spec, raw_dir, allow_download=False)})
    return {t: df.height for t, df in parsed.tables.items()}


def test_script_is_idempotent(prefect_server):
    again = run_script("start", prefect_server["port"], prefect_server["home"])
    assert "already running" in again.stdout
    assert run_script("status", prefect_server["port"], prefect_server["home"]).returncode == 0
    assert httpx.get(prefect_server["url"] + "/health").json() is True


def test_deployments_schedules_and_runs_on_a_real_server(prefect_server, client_env, warehouse_copy, raw_dir,
                                                        tmp_path):
    db = Path(client_env["GRIDSCOUT_DB"])
    assert db == warehouse_copy  # a writable copy of the first-slice warehouse
    api = httpx.Client(base_url=prefect_server["url"], timeout=30)

    # 1. prefect.yaml → process work pool
    _prefect(client_env, "work-pool", "create", "gridscout-local", "--type", "process", "--overwrite")
    _prefect(client_env, "--no-prompt", "deploy", "--all")
    deps = _deployments(api)
    for e in schedules.schedule_table(env={}):
        d = deps[e.name]
        crons = [(s["schedule"]["cron"], s["schedule"]["timezone"], s["active"]) for s in d["schedules"]]
        assert crons == [(e.cron, "UTC", True)], e.name
        assert d["work_pool_name"] == "gridscout-local" and d["parameters"] == e.parameters

    # 2. a worker runs a scheduled-style ingest and the scoring pipeline at the same time
    wlog = tmp_path / "worker.log"
    with open(wlog, "w") as fh:
        worker = subprocess.Popen([sys.executable, "-m", "prefect", "worker", "start", "--pool", "gridscout-local"],
                                  cwd=REPO, env=client_env, stdout=fh, stderr=subprocess.STDOUT)
    try:
        ingest_id = _trigger(api, deps["ingest-carbon"])
        pipe_id = _trigger(api, deps[schedules.PIPELINE_DEPLOYMENT])
        states = _wait(api, [ingest_id, pipe_id], worker, wlog)
    finally:
        _sigint(worker, "worker")
    assert states[ingest_id] == "COMPLETED", _logs(api, ingest_id)
    for sid in ("carbon_yearly", "codecarbon", "ember"):
        assert _rows(db, sid) == _parsed_rows(raw_dir, sid), sid
    assert states[pipe_id] == "COMPLETED", _logs(api, pipe_id)
    runs = list(Path(client_env["GRIDSCOUT_REPORTS_DIR"]).glob("*/scores.parquet"))
    assert len(runs) == 1 and (runs[0].parent / "report.html").is_file()
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("select count(*) from runs where status = 'completed'").fetchone()[0] >= 1
    finally:
        con.close()

    # 3. the same deployments through serve (flows/deployments.py): registered, scheduled, runnable
    slog = tmp_path / "serve.log"
    with open(slog, "w") as fh:
        serve = subprocess.Popen([sys.executable, "-m", "flows.deployments", "serve"], cwd=REPO, env=client_env,
                                 stdout=fh, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            deps = _deployments(api)
            if all(serve_name(e.name) in deps for e in schedules.schedule_table(env={})):
                break
            assert serve.poll() is None, slog.read_text()[-4000:]
            time.sleep(1)
        for e in schedules.schedule_table(env={}):
            d = deps[serve_name(e.name)]
            assert [s["schedule"]["cron"] for s in d["schedules"]] == [e.cron], e.name
            assert d["entrypoint"].startswith("flows.deployments.")
            assert deps[e.name]["entrypoint"] == e.entrypoint  # the work-pool deployment is not touched
        places_id = _trigger(api, deps[serve_name("ingest-places")])
        bad_id = _trigger(api, deps[serve_name("ingest-water")], {"family": "waterr"})
        states = _wait(api, [places_id, bad_id], serve, slog)
    finally:
        _sigint(serve, "serve")
    assert states[places_id] == "COMPLETED", _logs(api, places_id)
    for sid in ("cities", "countries"):
        assert _rows(db, sid) == _parsed_rows(raw_dir, sid), sid
    assert states[bad_id] == "FAILED"
    assert "unknown source family 'waterr'" in _logs(api, bad_id)
