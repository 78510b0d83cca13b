"""Read API for retail electricity prices outside the EIA tables: Eurostat non-household prices.

Returns current-vintage rows as Polars frames and closes the connection before returning (see
``docs/architecture.md``); the computation (which year, which tax level, EUR→USD) is in
:mod:`gridscout.features.prices`.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from gridscout.warehouse.db import read_frame

NONHOUSEHOLD_SQL = (
    "select region_code as country, region_name, consumption_band, band_min_mwh, band_max_mwh, tax_level, "
    "period, year, semester, price_eur_per_kwh, flag, source_id, vintage "
    "from stg_nonhousehold_electricity_prices where region_kind = 'country' "
    "order by country, consumption_band, tax_level, period"
)


def read_nonhousehold_prices(db: str | Path | None = None) -> pl.DataFrame:
    """Eurostat nrg_pc_205 country rows (every band, tax level and semester loaded; EUR/kWh), empty
    when the source is not loaded. ``country`` is ISO 3166-1 alpha-3 (Kosovo: Eurostat ``XK``)."""
    return read_frame(db, NONHOUSEHOLD_SQL)
