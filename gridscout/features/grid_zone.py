"""What the location's grid zone brings: annual carbon intensity, installed capacity by mode, and
the scored retail price (US states) beside the informational wholesale price (Europe)."""

from __future__ import annotations

import polars as pl

from gridscout.features.wholesale import country_wholesale, load_fx
from gridscout.reference import Reference


def carbon_and_price(sites: pl.DataFrame, ref: Reference) -> pl.DataFrame:
    """Join the zone's latest annual carbon intensity, the US state's latest industrial price (the
    scored ``price_usd_per_mwh``) and, for information only, the country's wholesale price."""
    out = sites.join(ref.zone_carbon.rename({"zone_key": "grid_zone"}), on="grid_zone", how="left", maintain_order="left") \
        if ref.zone_carbon.height else sites.with_columns(
            pl.lit(None, pl.Float64).alias("carbon_g_per_kwh"), pl.lit(None, pl.Int32).alias("carbon_year"),
            pl.lit(None, pl.Utf8).alias("carbon_basis"), pl.lit(None, pl.Float64).alias("renewable_pct"),
            pl.lit(None, pl.Float64).alias("carbon_free_pct"), pl.lit(None, pl.Utf8).alias("carbon_source"),
            pl.lit(None, pl.Utf8).alias("carbon_vintage"))
    if ref.us_state_prices.height:
        out = out.join(ref.us_state_prices, on="us_state", how="left", maintain_order="left")
    else:
        out = out.with_columns(pl.lit(None, pl.Int32).alias("price_year"), pl.lit(None, pl.Float64).alias("price_usd_per_mwh"),
                               pl.lit(None, pl.Utf8).alias("price_source"))
    # shown beside the scored price, never in it (wholesale ≠ retail; see features.wholesale)
    return out.join(country_wholesale(ref.wholesale_monthly, load_fx()), on="country", how="left",
                    maintain_order="left")


def zone_capacity_wide(ref: Reference) -> pl.DataFrame:
    """Installed capacity by mode per zone, wide: ``grid_zone, zone_cap_mw_<mode>``."""
    if ref.zone_capacity.height == 0:
        return pl.DataFrame({"grid_zone": []}, schema={"grid_zone": pl.Utf8})
    return (ref.zone_capacity.with_columns(("zone_cap_mw_" + pl.col("mode").str.replace_all(" ", "_")).alias("mode"))
            .pivot(on="mode", index="zone_key", values="capacity_mw", aggregate_function="sum")
            .rename({"zone_key": "grid_zone"}))
