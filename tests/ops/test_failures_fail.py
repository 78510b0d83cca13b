"""Failures fail (issue 17): with the network blocked (every request goes through a proxy port that
refuses connections, a real ``ECONNREFUSED``), the ``refresh-source`` task of a family ingest fails,
is retried by Prefect, and the flow run ends Failed naming the source, while the files on disk are
still ingested. Runs the flow in a subprocess against the session's real Prefect server."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys

import httpx
import pytest

from .conftest import REPO, free_port

pytestmark = pytest.mark.prefect_server

RUN = r"""
import json, sys
from flows import deployments as d
# the production delays are 1 and 5 minutes; the number of retries is what is under test
d.refresh_task = d.refresh_task.with_options(retry_delay_seconds=[0.2, 0.2])
state = d.ingest_family_flow(family="grid", sources=["egrid"], raw=sys.argv[1], db=sys.argv[2], return_state=True)
print(json.dumps({"type": state.type.value, "message": state.message,
                  "flow_run_id": str(state.state_details.flow_run_id)}))
"""


def test_refresh_with_the_network_blocked_fails_the_flow_after_retries(prefect_server, client_env, raw_dir, tmp_path):
    from flows.deployments import REFRESH_RETRIES

    raw = tmp_path / "raw"
    shutil.copytree(raw_dir / "egrid", raw / "egrid")
    refused = f"http://127.0.0.1:{free_port()}"  # nothing listens there: every connection is refused
    env = {k: v for k, v in client_env.items() if k != "GRIDSCOUT_OFFLINE"}
    env.update({"HTTPS_PROXY": refused, "HTTP_PROXY": refused, "ALL_PROXY": refused,
                "NO_PROXY": "127.0.0.1,localhost"})  # the Prefect API itself stays reachable
    res = subprocess.run([sys.executable, "-c", RUN, str(raw), str(tmp_path / "w.duckdb")], cwd=REPO, env=env,
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-4000:]
    out = json.loads(res.stdout.strip().splitlines()[-1])
    assert out["type"] == "FAILED", out
    assert "could not refresh ['egrid']" in out["message"] and "ingested ['egrid']" in out["message"]

    api = httpx.Client(base_url=prefect_server["url"], timeout=30)
    run = api.get(f"/flow_runs/{out['flow_run_id']}").raise_for_status().json()
    assert run["state"]["type"] == "FAILED"
    assert run["name"] == f"ingest-grid-{dt.datetime.now(dt.UTC):%Y-%m-%d}"
    tasks = api.post("/task_runs/filter", json={"flow_runs": {"id": {"any_": [out["flow_run_id"]]}}}).json()
    refresh = [t for t in tasks if t["name"] == "refresh-egrid"]
    assert len(refresh) == 1 and refresh[0]["state"]["type"] == "FAILED"
    assert refresh[0]["run_count"] == REFRESH_RETRIES + 1 == 3  # the first attempt and two Prefect retries
    assert "Connection refused" in refresh[0]["state"]["message"] or "cannot connect" in res.stderr
    # the load table artifact: egrid was loaded from the files on disk but not refreshed
    arts = api.post("/artifacts/filter", json={"artifacts": {"key": {"any_": ["ingest-grid"]},
                                                             "flow_run_id": {"any_": [out["flow_run_id"]]}}}).json()
    assert len(arts) == 1 and arts[0]["type"] == "table"
    rows = arts[0]["data"] if isinstance(arts[0]["data"], list) else json.loads(arts[0]["data"])
    assert [(r["source_id"], r["status"], r["refreshed"]) for r in rows] == [("egrid", "loaded", False)]
    assert rows[0]["rows"] > 0
