"""Read the reference frames scoring needs from the warehouse, then let go of it.

The warehouse is opened read-only, each current-vintage table is copied into Polars (through
Arrow), and the connection is closed before any computation, so scoring never holds DuckDB's file
lock while it works.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

from gridscout.reference import Reference
from gridscout.warehouse.checks import require_clean
from gridscout.warehouse.db import connect, ensure_migrated, pending_migrations
from gridscout.warehouse.readers import grid
from gridscout.warehouse.readers.carbon import ZONE_CARBON_YEARLY_SQL
from gridscout.warehouse.readers.plant_water import QUERIES as PLANT_WATER_QUERIES
from gridscout.warehouse.readers.prices import NONHOUSEHOLD_SQL
from gridscout.warehouse.readers.queues import QUERIES as QUEUE_QUERIES
from gridscout.warehouse.readers.eia930 import BA_DEMAND_SQL, ba_demand_frame
from gridscout.warehouse.readers.water_stress import BASINS_SQL, COUNTRY_SQL

#: smallest town population used to name a screening zone
PLACE_MIN_POPULATION = 10_000
PLACES_SQL = ("select name, latitude, longitude, population, country_alpha2, admin1 from stg_places "
              f"where population >= {PLACE_MIN_POPULATION}")

QUERIES = {
    "zones": "select zone_key, zone_name, country_key, country_name, geometry_wkb, source_id from stg_grid_zones",
    "zone_carbon_yearly": ZONE_CARBON_YEARLY_SQL,
    "nonhousehold_prices": NONHOUSEHOLD_SQL,
    "zone_capacity": "select zone_key, mode, capacity_mw from stg_zone_capacity",
    "us_state_prices": "select region_code as us_state, year as price_year, price_usd_per_mwh, "
                       "source_id as price_source from mart_us_state_industrial_price",
    "plants": "select source_id, plant_id, plant_name, country, capacity_mw, latitude, longitude, fuel, commissioning_year "
              "from stg_power_plants where capacity_mw is not null",
    # each station's Köppen-Geiger zone (the climate model's moisture terms) as derived at ingest from the
    # warehouse's raster (gridscout.warehouse.derived); null where koppen is not loaded
    "stations": "select s.wmo, s.city, s.country, s.latitude, s.longitude, s.elevation_m, s.ashrae_climate_zone, "
                "s.heating_design_db_c, s.cooling_design_db_c, s.hdd18, s.cdd10, s.epw_url, s.file_period, "
                "k.koppen_zone from stg_weather_stations s left join station_koppen_zones k "
                "on k.stations_source_id = s.source_id and k.stations_vintage = s.vintage and k.wmo = s.wmo "
                "order by s.source_id, s.wmo",
    "weather_files": "select station_key, source_id, file, station_name, latitude, longitude, elevation_m, data_kind "
                     "from stg_weather_files",
    "boundaries": "select layer, code, name, iso_a2, geometry_wkb from stg_boundaries",
    "places": PLACES_SQL,
    "wholesale_monthly": "select region_code as country, month, price_eur_per_mwh, source_id from stg_wholesale_prices "
                         "where region_kind = 'country'",
    "buses": grid.BUSES_SQL,
    "grid_lines": grid.LINES_SQL,
    "eia860": "select plant_id, plant_name, state, county, latitude, longitude, grid_voltage_kv, nerc_region, "
              "balancing_authority_code from stg_eia860_plants",
    **QUEUE_QUERIES,  # queue, us_counties
    "reeds_areas": "select area_code, ba_code, state, transmission_region, geometry_wkb from stg_reeds_areas",
    "transfer_limits": "select area_kind, from_area, to_area, line_type, capacity_mw from stg_transfer_limits",
    "water_stress_country": COUNTRY_SQL,
    "water_stress_basins": BASINS_SQL,
    "ba_demand": BA_DEMAND_SQL,
    **PLANT_WATER_QUERIES,
    "vintages": "select l.source_id, l.vintage, min(l.loaded_at) as loaded_at, min(l.fetched_at) as fetched_at, "
                "string_agg(l.file || ':' || l.sha256, ';' order by l.file) as files "
                "from source_loads l join current_vintages c using (source_id, vintage) "
                "group by l.source_id, l.vintage order by l.source_id",
}


def _frame(con: duckdb.DuckDBPyConnection, sql: str) -> pl.DataFrame:
    return con.sql(sql).pl()


def read_reference(db: str | Path | None = None, *, check: bool = False) -> Reference:
    """Copy current-vintage reference data out of the warehouse through one read-only, short-lived
    connection (pending migrations of an older warehouse are applied first). With ``check``, the data
    checks run on the same connection first (:func:`gridscout.warehouse.checks.require_clean`)."""
    frames = _read(db, QUERIES, check=check)
    frames["ba_demand"] = ba_demand_frame(frames["ba_demand"])
    return Reference(**frames)


def _read(db: str | Path | None, queries: dict[str, str], *, check: bool = False) -> dict[str, pl.DataFrame]:
    """Run ``queries`` on a migrated warehouse through one short-lived read-only connection."""
    con = connect(db, read_only=True)
    try:
        if pending_migrations(con):
            con.close()
            ensure_migrated(db)
            con = connect(db, read_only=True)
        if check:
            require_clean(con)
        return {name: _frame(con, sql) for name, sql in queries.items()}
    finally:
        con.close()


def read_places(db: str | Path | None = None) -> pl.DataFrame:
    """Current-vintage towns (see :data:`PLACES_SQL`), empty when none are loaded."""
    return _read(db, {"places": PLACES_SQL})["places"]


def weather_hourly(db: str | Path | None, station_keys: list[str]) -> pl.DataFrame:
    """Canonical hourly weather rows for the given station keys (current vintages)."""
    if not station_keys:
        return pl.DataFrame()
    con = connect(db, read_only=True)
    try:
        return con.execute(
            "select h.station_key, h.hour_of_year, h.datetime_utc, h.month, h.dry_bulb_c, h.dew_point_c, h.rh_pct, "
            "h.pressure_pa, h.ghi_w_per_m2, h.dni_w_per_m2, h.dhi_w_per_m2, h.wind_speed_m_per_s "
            "from weather_hourly h join current_vintages c using (source_id, vintage) "
            "where h.station_key in (select unnest(?)) order by h.station_key, h.hour_of_year",
            [list(station_keys)]).pl()
    finally:
        con.close()
