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
#: BA-level hourly demand (ISO BAs summed over their sub-regions in ``mart_ba_demand_hourly``)
BA_DEMAND_SQL = "select ba_code, datetime_utc, demand_mw from mart_ba_demand_hourly"


def ba_demand_frame(df: pl.DataFrame) -> pl.DataFrame:
    """The query's rows with ``datetime_utc`` in UTC whatever the DuckDB session time zone (months and
    years of the headroom method are UTC ones), or an empty frame with :data:`SCHEMA`."""
    if df.is_empty():
        return pl.DataFrame(schema=SCHEMA)
    return df.with_columns(pl.col("datetime_utc").dt.convert_time_zone("UTC").dt.cast_time_unit("us"))


def read_ba_demand_hourly(db: str | Path | None = None, ba_codes: Iterable[str] | None = None) -> pl.DataFrame:
    """Hourly BA demand [MW] (ISO BAs summed over their sub-regions; ``mart_ba_demand_hourly``).

    Columns ``ba_code``, ``datetime_utc`` (UTC), ``demand_mw``; sorted by BA and hour. ``ba_codes``
    limits the BAs read (None: all). Empty (with those columns) when eia930 is not loaded.
    """
    ensure_migrated(db)
    sql = BA_DEMAND_SQL
    params: list = []
    if ba_codes is not None:
        sql += " where ba_code in (select unnest(?))"
        params.append(sorted(set(ba_codes)))
    con = connect(db, read_only=True)
    try:
        df = con.execute(sql + " order by ba_code, datetime_utc", params).pl()
    finally:
        con.close()
    return ba_demand_frame(df)

