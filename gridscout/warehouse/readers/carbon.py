"""Read API for annual zone carbon intensity: every year and basis of the current vintage.

:func:`gridscout.features.carbon.zone_carbon_for_year` picks the analysis year from these rows.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from gridscout.warehouse.db import read_frame

ZONE_CARBON_YEARLY_SQL = (
    "select zone_key, year, carbon_g_per_kwh, carbon_basis, renewable_pct, carbon_free_pct, source_id, vintage "
    "from stg_zone_carbon_yearly order by zone_key, year, source_id"
)


def read_zone_carbon_yearly(db: str | Path | None = None) -> pl.DataFrame:
    """All current-vintage ``zone_carbon_yearly`` rows (empty when no carbon source is loaded)."""
    return read_frame(db, ZONE_CARBON_YEARLY_SQL)
