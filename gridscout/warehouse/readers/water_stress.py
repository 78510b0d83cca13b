"""Read the water-stress tables (current vintages) into Polars frames, then close the warehouse.

* ``country``: ``stg_water_stress_country`` (SDG 6.4.2 per country and year, source
  ``water_stress_sdg642``): ``country_alpha3``, ``country_name``, ``year``, ``water_stress_pct``.
* ``basins``: the Aqueduct 4.0 units in ``water_stress`` (source ``aqueduct``), current vintage.
  That table carries no geometry (the baseline CSV has none), so these rows cannot place a point in
  a basin; :func:`gridscout.features.water_stress.water_stress` uses a basin frame only when it
  has ``geometry_wkb`` (:func:`~gridscout.features.water_stress.basin_tier_available`).

The pure tier logic lives in :mod:`gridscout.features.water_stress`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from gridscout.warehouse.db import connect, ensure_migrated

COUNTRY_SQL = ("select country_alpha3, country_name, year, water_stress_pct, source_id, vintage "
               "from stg_water_stress_country order by country_alpha3, year")
BASINS_SQL = ("select t.string_id, t.pfaf_id, t.gid_0, t.gid_1, t.bws_raw, t.bws_score, t.bws_cat, t.bws_label, "
              "t.source_id, t.vintage from water_stress t join current_vintages c using (source_id, vintage)")


@dataclass
class WaterStressData:
    """Current-vintage water-stress frames (empty where a source is not loaded)."""

    country: pl.DataFrame
    basins: pl.DataFrame


def read_water_stress(db: str | Path | None = None) -> WaterStressData:
    """Copy the water-stress tables out of the warehouse (read-only, short-lived connection; pending
    migrations of an older warehouse are applied first). Scoring gets the same frames through
    :func:`~gridscout.warehouse.readers.reference.read_reference` (``Reference.water_stress_*``)."""
    ensure_migrated(db)
    con = connect(db, read_only=True)
    try:
        return WaterStressData(country=con.sql(COUNTRY_SQL).pl(), basins=con.sql(BASINS_SQL).pl())
    finally:
        con.close()
