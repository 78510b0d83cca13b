"""The documented notification recipe runs: ``python -m flows.notify <block>`` creates one automation
on the real server that reacts to Failed/Crashed runs of every gridscout flow (re-running replaces it)."""

from __future__ import annotations

import subprocess
import sys

import httpx
import pytest

from flows.notify import AUTOMATION, FLOW_NAMES

from .conftest import REPO

pytestmark = pytest.mark.prefect_server

BLOCK = ("from prefect.blocks.notifications import CustomWebhookNotificationBlock as B; "
         "print(B(name='ops', url='https://hooks.example.invalid/gridscout').save('ops-hook', overwrite=True))")


def _run(env, *args) -> str:
    res = subprocess.run([sys.executable, *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-3000:]
    return res.stdout


def test_failed_runs_automation_recipe(prefect_server, client_env):
    api = httpx.Client(base_url=prefect_server["url"], timeout=30)
    block_id = _run(client_env, "-c", BLOCK).strip().splitlines()[-1]
    try:
        for _ in range(2):  # idempotent: the second run replaces the first
            assert f"automation '{AUTOMATION}'" in _run(client_env, "-m", "flows.notify", "ops-hook")
        autos = [a for a in api.post("/automations/filter", json={}).json() if a["name"] == AUTOMATION]
        assert len(autos) == 1 and autos[0]["enabled"]
        trig = autos[0]["trigger"]
        assert set(trig["expect"]) == {"prefect.flow-run.Failed", "prefect.flow-run.Crashed"}
        assert trig["posture"] == "Reactive"
        assert trig["match_related"]["prefect.resource.name"] == list(FLOW_NAMES)
        assert autos[0]["actions"][0]["type"] == "send-notification"
        assert autos[0]["actions"][0]["block_document_id"] == block_id
    finally:
        for a in api.post("/automations/filter", json={}).json():
            if a["name"] == AUTOMATION:
                api.delete(f"/automations/{a['id']}")
    missing = subprocess.run([sys.executable, "-m", "flows.notify", "no-such-block"], cwd=REPO, env=client_env,
                             capture_output=True, text=True, timeout=120)
    assert missing.returncode != 0 and "no block named 'no-such-block'" in missing.stderr


def test_every_flow_of_the_project_is_watched():
    import flows.deployments, flows.ingest, flows.report, flows.run, flows.score, flows.screen  # noqa: E401, F401
    from prefect import Flow

    names = {obj.name for mod in (flows.deployments, flows.ingest, flows.report, flows.run, flows.score, flows.screen)
             for obj in vars(mod).values() if isinstance(obj, Flow) and not obj.name.endswith("-partitions")}
    assert names == set(FLOW_NAMES)
