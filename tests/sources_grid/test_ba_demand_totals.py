"""mart_ba_demand_hourly reads BA sums stored at ingest (derived table ba_demand_hourly_total), not a
5 M-row group-by per read: the same numbers as summing the current EIA-930 series, partial hours left
out; recomputed by a load, a retirement and the migration that introduced it."""

from __future__ import annotations

import shutil

import polars as pl
import pytest

from gridscout.jobs.ingest import ingest_source
from gridscout.sources import get
from gridscout.warehouse.db import connect, ensure_migrated, open_warehouse
from gridscout.warehouse.load import retire

KEY = ["ba_code", "datetime_utc"]


@pytest.fixture(scope="module")
def db(raw_dir, tmp_path_factory):
    path = tmp_path_factory.mktemp("ba_totals") / "w.duckdb"
    assert ingest_source("eia930", db=path, raw=raw_dir).status == "loaded"
    return path


def _sql(db, sql: str) -> pl.DataFrame:
    con = connect(db, read_only=True)
    try:
        return con.sql(sql).pl()
    finally:
        con.close()


def _mart(db) -> pl.DataFrame:
    return _sql(db, "select ba_code, datetime_utc, demand_mw, n_series from mart_ba_demand_hourly").sort(KEY)


def _summed_series(db) -> pl.DataFrame:
    """The sums computed here from the series (Polars), with the full-set rule of the mart."""
    s = _sql(db, "select ba_code, region_code, datetime_utc, demand_mw from stg_ba_demand_hourly")
    full = s.group_by("ba_code").agg(pl.col("region_code").n_unique().alias("n_full"))
    return (s.group_by(KEY).agg(pl.col("demand_mw").sum(), pl.len().cast(pl.Int64).alias("n_series"))
            .join(full, on="ba_code").filter(pl.col("n_series") == pl.col("n_full")).drop("n_full").sort(KEY))


def test_the_mart_holds_the_summed_series_with_partial_hours_left_out(db):
    mart, want = _mart(db), _summed_series(db)
    assert mart.height == want.height > 2_000_000
    assert mart.select(KEY + ["n_series"]).equals(want.select(KEY + ["n_series"]))
    assert (mart["demand_mw"] - want["demand_mw"]).abs().max() < 1e-6
    pjm = mart.filter(pl.col("ba_code") == "PJM")
    assert pjm["n_series"].min() == pjm["n_series"].max() > 1  # PJM is the sum of its sub-regions


def test_an_upgraded_warehouse_gets_the_sums_and_a_retirement_empties_them(db, tmp_path):
    old = tmp_path / "old.duckdb"
    shutil.copy(db, old)
    want = _mart(db)
    con = connect(old)  # what a gridscout from before migration 0350 left: no sums, the mart a view
    con.execute("drop view mart_ba_demand_hourly")
    con.execute("drop table ba_demand_hourly_total")
    con.execute("create view mart_ba_demand_hourly as select 1 as ba_code")
    con.execute("delete from schema_migrations where version = 350")
    con.close()
    assert ensure_migrated(old) == [350]
    assert _mart(old).equals(want)
    with open_warehouse(old) as con:
        retire(con, get("eia930"), get("eia930").vintage)
    assert _mart(old).is_empty()  # no demand: headroom is UNKNOWN, not computed from stale sums
