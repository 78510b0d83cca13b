"""The scoring flow in named tasks (issue 17: scoring was one task-less flow body, so a failure did not
say where): run on the real server, its task runs are load → features → models → score → robustness →
write, each Completed, and its scores equal the plain job's (same warehouse, seed and draws); a missing
warehouse fails the ``score-load`` task, and nothing after it runs."""

from __future__ import annotations

import json
import subprocess
import sys

import httpx
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from gridscout.jobs.score import score_candidates

from .conftest import REPO

pytestmark = pytest.mark.prefect_server

STEPS = ["score-load", "score-features", "score-models", "score-score", "score-robustness", "score-write"]
RUN = r"""
import json, sys
from flows.score import score_flow
state = score_flow(out=sys.argv[1], db=sys.argv[2], mc_draws=50, seed=7, return_state=True)
print(json.dumps({"type": state.type.value, "message": state.message,
                  "flow_run_id": str(state.state_details.flow_run_id)}))
"""


def _run(env, out, db) -> dict:
    res = subprocess.run([sys.executable, "-c", RUN, str(out), str(db)], cwd=REPO, env=env, capture_output=True,
                         text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-4000:]
    return json.loads(res.stdout.strip().splitlines()[-1])


def _tasks(api: httpx.Client, flow_run_id: str) -> dict[str, str]:
    rows = api.post("/task_runs/filter", json={"flow_runs": {"id": {"any_": [flow_run_id]}},
                                              "sort": "EXPECTED_START_TIME_ASC"}).raise_for_status().json()
    return {t["name"].rsplit("-", 1)[0]: t["state"]["type"] for t in rows}


def test_score_flow_runs_named_steps_and_equals_the_job(prefect_server, client_env, warehouse_copy, tmp_path):
    api = httpx.Client(base_url=prefect_server["url"], timeout=30)
    out = _run(client_env, tmp_path / "flow", warehouse_copy)
    assert out["type"] == "COMPLETED", out
    tasks = _tasks(api, out["flow_run_id"])
    assert list(tasks) == STEPS and set(tasks.values()) == {"COMPLETED"}

    job = score_candidates(None, "balanced", tmp_path / "job", db=warehouse_copy, mc_draws=50, seed=7)
    flow_scores = pl.read_parquet(tmp_path / "flow" / "scores.parquet")
    assert flow_scores.height == job.scores.height > 0
    assert_frame_equal(flow_scores, pl.read_parquet(job.run_dir / "scores.parquet"))

    bad = _run(client_env, tmp_path / "bad", tmp_path / "no-such.duckdb")
    assert bad["type"] == "FAILED" and "no warehouse at" in bad["message"]
    assert _tasks(api, bad["flow_run_id"]) == {"score-load": "FAILED"}
