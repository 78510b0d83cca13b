"""Read API for the interconnection-queue features: the queue table and the frames it is joined with.

Copies current-vintage rows into Polars through one short-lived read-only connection (pending
migrations of an older warehouse are applied first) and closes it before any computation. A
table that does not exist yet, or a source not loaded, gives an empty frame of the right schema.
The pure computation is :func:`gridscout.features.queues.queue_features`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from gridscout.warehouse.db import connect, ensure_migrated

QUERIES: dict[str, tuple[str, dict[str, pl.DataType]]] = {
    "queue": (
        "select source_id, vintage, iso, project_id, project_name, state, county, fuel, capacity_mw, status, status_published, "
        "queue_date, withdrawn_date, in_service_date from stg_interconnection_queue",
        {"source_id": pl.Utf8, "vintage": pl.Utf8, "iso": pl.Utf8, "project_id": pl.Utf8, "project_name": pl.Utf8,
         "state": pl.Utf8, "county": pl.Utf8, "fuel": pl.Utf8, "capacity_mw": pl.Float64, "status": pl.Utf8,
         "status_published": pl.Utf8,
         "queue_date": pl.Date, "withdrawn_date": pl.Date, "in_service_date": pl.Date}),
    "reeds_areas": (
        "select area_code, state, transmission_region, geometry_wkb from stg_reeds_areas",
        {"area_code": pl.Utf8, "state": pl.Utf8, "transmission_region": pl.Utf8, "geometry_wkb": pl.Binary}),
    "counties": (
        "select fips, state, county, geometry_wkb from stg_us_counties order by fips",
        {"fips": pl.Utf8, "state": pl.Utf8, "county": pl.Utf8, "geometry_wkb": pl.Binary}),
}


@dataclass
class QueueFrames:
    """Current-vintage inputs of :func:`gridscout.features.queues.queue_features`."""

    queue: pl.DataFrame
    reeds_areas: pl.DataFrame
    counties: pl.DataFrame  # fips, state (USPS), county, geometry_wkb


def _read(con: duckdb.DuckDBPyConnection, sql: str, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    try:
        return con.execute(sql).pl()
    except duckdb.CatalogException:
        return pl.DataFrame(schema=schema)


def read_queue_frames(db: str | Path | None = None) -> QueueFrames:
    """The queue, ReEDS areas and US county polygons (current vintages), connection closed."""
    ensure_migrated(db)
    con = connect(db, read_only=True)
    try:
        return QueueFrames(**{name: _read(con, sql, schema) for name, (sql, schema) in QUERIES.items()})
    finally:
        con.close()


def read_interconnection_queue(db: str | Path | None = None) -> pl.DataFrame:
    """The normalised queue of every loaded ISO (current vintage of each source)."""
    ensure_migrated(db)
    con = connect(db, read_only=True)
    try:
        return _read(con, *QUERIES["queue"])
    finally:
        con.close()
