"""Read the transmission grid (``grid_buses`` / ``grid_lines`` of every GridKit extract loaded) into Polars.

Current vintage of each source (``stg_*`` views); frames have the columns
:mod:`gridscout.features.substations` needs. Scoring and screening get them through
:func:`gridscout.warehouse.readers.reference.read_reference` (``Reference.buses`` /
``Reference.grid_lines``, these queries, in its one connection); :func:`read_grid` reads only them
(one short-lived read-only connection, pending migrations applied first; empty frames with the
schema where no grid source is loaded).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from gridscout.warehouse.db import connect, ensure_migrated

BUSES_SQL = ("select source_id, vintage, bus_id, latitude, longitude, voltage_kv, voltage_origin, is_substation, "
             "symbol, name, operator, country from stg_grid_buses order by source_id, bus_id")
LINES_SQL = ("select source_id, vintage, line_id, bus0, bus1, voltage_kv, length_km, geometry_wkb "
             "from stg_grid_lines order by source_id, line_id")
BUS_SCHEMA = {"source_id": pl.Utf8, "vintage": pl.Utf8, "bus_id": pl.Utf8, "latitude": pl.Float64,
              "longitude": pl.Float64, "voltage_kv": pl.Float64, "voltage_origin": pl.Utf8,
              "is_substation": pl.Boolean, "symbol": pl.Utf8, "name": pl.Utf8, "operator": pl.Utf8,
              "country": pl.Utf8}
LINE_SCHEMA = {"source_id": pl.Utf8, "vintage": pl.Utf8, "line_id": pl.Utf8, "bus0": pl.Utf8, "bus1": pl.Utf8,
               "voltage_kv": pl.Float64, "length_km": pl.Float64, "geometry_wkb": pl.Binary}


@dataclass
class Grid:
    """Current-vintage grid buses and lines of all grid sources."""

    buses: pl.DataFrame
    lines: pl.DataFrame


def _frame(con: duckdb.DuckDBPyConnection, sql: str, schema: dict) -> pl.DataFrame:
    df = con.sql(sql).pl()
    return df.cast(schema) if df.height else pl.DataFrame(schema=schema)


def read_grid(db: str | Path | None = None) -> Grid:
    """Copy the current grid buses and lines out of the warehouse and close it."""
    ensure_migrated(db)
    con = connect(db, read_only=True)
    try:
        return Grid(_frame(con, BUSES_SQL, BUS_SCHEMA), _frame(con, LINES_SQL, LINE_SCHEMA))
    finally:
        con.close()
