"""``serve`` and ``prefect deploy`` on one real server leave each other's deployments alone (issue 17:
serve used the work pool's deployment names, so it replaced them — entrypoint switched, pull steps
dropped — and paused them when it stopped, leaving the worker nothing to run)."""

from __future__ import annotations

import subprocess
import sys
import time

import httpx
import pytest

from flows.deployments import WORK_POOL, serve_name
from gridscout.ops import schedules

from .conftest import REPO
from .test_prefect_server import _deployments, _prefect, _sigint

pytestmark = pytest.mark.prefect_server

PULL = [{"prefect.deployments.steps.set_working_directory": {"directory": str(REPO)}}]


def _pool_view(d: dict) -> dict:
    return {"id": d["id"], "entrypoint": d["entrypoint"], "pull_steps": d["pull_steps"], "paused": d["paused"],
            "work_pool_name": d["work_pool_name"], "parameters": d["parameters"],
            "schedules": [(s["schedule"]["cron"], s["active"]) for s in d["schedules"]]}


def test_serve_and_deploy_do_not_disturb_each_other(prefect_server, client_env, tmp_path):
    api = httpx.Client(base_url=prefect_server["url"], timeout=90)  # the server is slow while deploy/serve run
    table = schedules.schedule_table(env={})
    _prefect(client_env, "work-pool", "create", WORK_POOL, "--type", "process", "--overwrite")
    _prefect(client_env, "--no-prompt", "deploy", "--all")
    deps = _deployments(api)
    before = {e.name: _pool_view(deps[e.name]) for e in table}
    updated = {e.name: deps[e.name]["updated"] for e in table}
    for e in table:
        v = before[e.name]
        assert v["entrypoint"] == e.entrypoint and v["pull_steps"] == PULL and not v["paused"], e.name
        assert v["work_pool_name"] == WORK_POOL and v["schedules"] == [(e.cron, True)], e.name

    slog = tmp_path / "serve.log"
    with open(slog, "w") as fh:
        serve = subprocess.Popen([sys.executable, "-m", "flows.deployments", "serve"], cwd=REPO, env=client_env,
                                 stdout=fh, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while True:
            deps = _deployments(api)
            # registered (again: an earlier serve on this server left them paused when it stopped)
            if all(serve_name(e.name) in deps and not deps[serve_name(e.name)]["paused"] for e in table):
                break
            assert serve.poll() is None and time.monotonic() < deadline, slog.read_text()[-4000:]
            time.sleep(1)
        # serve registered its own deployments and left the work pool's exactly as they were
        assert {e.name: _pool_view(deps[e.name]) for e in table} == before
        assert {e.name: deps[e.name]["updated"] for e in table} == updated  # not even rewritten
        served = {}
        for e in table:
            d = deps[serve_name(e.name)]
            assert d["entrypoint"] == f"flows.deployments.{e.entrypoint.split(':')[1]}" and not d["paused"]
            assert d["work_pool_name"] is None and d["pull_steps"] in (None, [])
            assert [(s["schedule"]["cron"], s["active"]) for s in d["schedules"]] == [(e.cron, True)]
            served[e.name] = (d["id"], d["entrypoint"], d["paused"])
        # deploying again while serve runs leaves serve's deployments alone
        _prefect(client_env, "--no-prompt", "deploy", "--all")
        deps = _deployments(api)
        assert {e.name: (deps[serve_name(e.name)]["id"], deps[serve_name(e.name)]["entrypoint"],
                         deps[serve_name(e.name)]["paused"]) for e in table} == served
    finally:
        _sigint(serve, "serve")
    # stopping serve pauses only its own deployments; the worker's are unchanged and runnable
    deps = _deployments(api)
    assert {e.name: _pool_view(deps[e.name]) for e in table} == before
    assert all(deps[serve_name(e.name)]["paused"] or not any(s["active"] for s in deps[serve_name(e.name)]["schedules"])
               for e in table)
