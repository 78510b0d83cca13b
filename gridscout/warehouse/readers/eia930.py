"""Read EIA-930 balancing-authority demand (source ``eia930``) out of the warehouse.

Copies the current vintage into Polars through one short-lived read-only connection and closes
it before returning, so the caller never holds DuckDB's file lock while it computes.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import polars as pl

from gridscout.warehouse.db import connect, ensure_migrated

SCHEMA = {"ba_code": pl.Utf8, "datetime_utc": pl.Datetime("us", "UTC"), "demand_mw": pl.Float64}


def read_ba_demand_hourly(db: str | Path | None = None, ba_codes: Iterable[str] | None = None) -> pl.DataFrame:
    """Hourly BA demand [MW] (ISO BAs summed over their sub-regions; ``mart_ba_demand_hourly``).

    Columns ``ba_code``, ``datetime_utc`` (UTC), ``demand_mw``; sorted by BA and hour. ``ba_codes``
    limits the BAs read (None: all). Empty (with those columns) when eia930 is not loaded.
    """
    ensure_migrated(db)
    sql = "select ba_code, datetime_utc, demand_mw from mart_ba_demand_hourly"
    params: list = []
    if ba_codes is not None:
        sql += " where ba_code in (select unnest(?))"
        params.append(sorted(set(ba_codes)))
    con = connect(db, read_only=True)
    try:
        df = con.execute(sql + " order by ba_code, datetime_utc", params).pl()
    finally:
        con.close()
    if df.is_empty():
        return pl.DataFrame(schema=SCHEMA)
    return df.with_columns(pl.col("datetime_utc").dt.convert_time_zone("UTC").dt.cast_time_unit("us"))


def read_ba_demand_vintage(db: str | Path | None = None) -> tuple[str, str] | None:
    """(source_id, vintage) of the loaded EIA-930 demand, for provenance in reports; None when not loaded."""
    ensure_migrated(db)
    con = connect(db, read_only=True)
    try:
        row = con.execute("select source_id, vintage from current_vintages where source_id = ?", ["eia930"]).fetchone()
    finally:
        con.close()
    return None if row is None else (row[0], row[1])
