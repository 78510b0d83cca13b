"""What the location's grid zone and country bring: annual carbon intensity for the analysis year,
installed capacity by mode, the scored retail price (US states: EIA; Europe: Eurostat) beside the
informational wholesale price (Europe)."""

from __future__ import annotations

import polars as pl

from gridscout.features.carbon import COLUMNS as CARBON_COLUMNS
from gridscout.features.carbon import zone_carbon_for_year
from gridscout.features.prices import assign_country_prices, country_retail_prices
from gridscout.features.wholesale import country_wholesale, load_fx
from gridscout.reference import Reference


def carbon_and_price(sites: pl.DataFrame, ref: Reference, *, carbon_year: int | None = None,
                     carbon_basis: str = "lifecycle") -> pl.DataFrame:
    """Join the zone's annual carbon intensity for ``carbon_year`` (default the latest complete year;
    an earlier year where the zone lacks that one, flagged ``carbon_year_fell_back``), the scored
    retail price (US state's latest EIA industrial price; elsewhere the country's Eurostat band-IC
    price excluding VAT and recoverable taxes, :mod:`gridscout.features.prices`) and, for
    information only, the country's wholesale price."""
    zc = zone_carbon_for_year(ref.zone_carbon_yearly, carbon_year, carbon_basis)
    if zc.height:
        out = sites.join(zc.rename({"zone_key": "grid_zone"}), on="grid_zone", how="left", maintain_order="left")
    else:
        out = sites.with_columns(pl.lit(None, t).alias(c) for c, t in CARBON_COLUMNS.items() if c != "zone_key")
    if ref.us_state_prices.height:
        out = out.join(ref.us_state_prices, on="us_state", how="left", maintain_order="left")
    else:
        out = out.with_columns(pl.lit(None, pl.Int32).alias("price_year"), pl.lit(None, pl.Float64).alias("price_usd_per_mwh"),
                               pl.lit(None, pl.Utf8).alias("price_source"))
    fx = load_fx()
    out = assign_country_prices(out, country_retail_prices(ref.nonhousehold_prices, fx))
    # shown beside the scored price, never in it (wholesale ≠ retail; see features.wholesale)
    return out.join(country_wholesale(ref.wholesale_monthly, fx), on="country", how="left", maintain_order="left")


def zone_capacity_wide(ref: Reference) -> pl.DataFrame:
    """Installed capacity by mode per zone, wide: ``grid_zone, zone_cap_mw_<mode>``."""
    if ref.zone_capacity.height == 0:
        return pl.DataFrame({"grid_zone": []}, schema={"grid_zone": pl.Utf8})
    return (ref.zone_capacity.with_columns(("zone_cap_mw_" + pl.col("mode").str.replace_all(" ", "_")).alias("mode"))
            .pivot(on="mode", index="zone_key", values="capacity_mw", aggregate_function="sum")
            .rename({"zone_key": "grid_zone"}))
