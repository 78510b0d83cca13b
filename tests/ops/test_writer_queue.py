"""One writer: the Prefect global concurrency limit ``duckdb-writer`` (created with limit 1 when
missing, never changed when an operator set it) and the log line of a writer that waits on the
warehouse's file lock (an open analyst session held it silently for up to 300 s)."""

from __future__ import annotations

import logging
import subprocess
import sys
import time

import httpx
import pytest

from gridscout.errors import WarehouseError
from gridscout.warehouse.db import connect

from .conftest import REPO

HOLD = r"""
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])  # an analyst's read-write session
print("holding", flush=True)
time.sleep(float(sys.argv[2]))
"""


def test_a_writer_waiting_on_the_file_lock_says_so_and_who_to_ask(tmp_path, caplog):
    db = tmp_path / "w.duckdb"
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(db), "30"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        t0 = time.monotonic()
        with caplog.at_level(logging.WARNING, logger="gridscout.warehouse.db"), \
                pytest.raises(WarehouseError, match="stayed locked by another process for 1 s"):
            connect(db, lock_wait_s=1.0)
        assert time.monotonic() - t0 < 10
    finally:
        holder.kill()
        holder.wait()
    waits = [r.getMessage() for r in caplog.records if "is locked by another process" in r.getMessage()]
    assert len(waits) == 1  # once, not once per retry
    assert str(db) in waits[0] and "waiting up to 1 s" in waits[0] and "read-only" in waits[0]
    assert "duckdb-writer" in waits[0]


@pytest.mark.prefect_server
def test_writer_limit_is_created_once_with_one_slot_and_an_operators_limit_is_kept(prefect_server, client_env):
    code = ("from flows.concurrency import ensure_writer_limit as e; print(e(), e())")
    res = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=client_env, capture_output=True, text=True,
                         timeout=120)
    assert res.returncode == 0, res.stderr[-3000:]
    api = httpx.Client(base_url=prefect_server["url"], timeout=30)
    limit = api.get("/v2/concurrency_limits/duckdb-writer").raise_for_status().json()
    assert limit["limit"] == 1 and limit["active"]
    # created at most once (an earlier test's flow run may have created it already)
    assert res.stdout.split() in (["True", "False"], ["False", "False"])
    api.patch("/v2/concurrency_limits/duckdb-writer", json={"limit": 2}).raise_for_status()
    try:
        again = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=client_env, capture_output=True,
                               text=True, timeout=120)
        assert again.stdout.split() == ["False", "False"]
        assert api.get("/v2/concurrency_limits/duckdb-writer").json()["limit"] == 2
    finally:
        api.patch("/v2/concurrency_limits/duckdb-writer", json={"limit": 1}).raise_for_status()
