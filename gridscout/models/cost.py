"""Annual energy cost = facility energy × electricity price, carrying the price's provenance.

cost [USD/yr] = facility energy [MWh/yr] × price [USD/MWh]. Unknown price -> null cost (never 0).
"""

from __future__ import annotations

import polars as pl


def energy_cost_usd(energy_mwh, price_usd_per_mwh):
    """Annual energy cost [USD] (NumPy or Polars expressions; null/NaN propagate)."""
    return energy_mwh * price_usd_per_mwh


def energy_cost_columns(energy_col: str = "energy_mwh_per_year", price_col: str = "price_usd_per_mwh") -> list[pl.Expr]:
    """Polars expressions adding ``energy_cost_usd_per_year`` from the two columns."""
    return [energy_cost_usd(pl.col(energy_col), pl.col(price_col)).alias("energy_cost_usd_per_year")]
