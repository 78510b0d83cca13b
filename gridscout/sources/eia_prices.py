"""EIA average retail electricity price by US state and sector, annual (cents/kWh → USD/MWh).

Source: U.S. Energy Information Administration, "Average Price (Cents/kilowatthour) by State by
Provider" (avgprice_annual.xlsx), https://www.eia.gov/electricity/data/state/ (public domain).
1 cent/kWh = 10 USD/MWh.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import polars as pl

from gridscout.sources.base import ParseResult, Publication, RawFile, Rejection, SourceSpec, check_range, read_csv_checked

ANNUAL = "eia_avgprice_annual_by_state_sector_1990_2019.csv"
SECTORS = ("Residential", "Commercial", "Industrial", "Transportation", "Other", "Total")


def parse(files: Mapping[str, Path]) -> ParseResult:
    path = files[ANNUAL]
    df = read_csv_checked(path, required=("Year", "State", "Industry Sector Category", *SECTORS),
                          schema_overrides={s: pl.Utf8 for s in SECTORS})
    # One row per state-year for the whole industry; provider-class rows are left aside.
    total = df.filter(pl.col("Industry Sector Category") == "Total Electric Industry")
    long = (
        total.select(pl.col("Year").cast(pl.Int32).alias("year"), pl.col("State").str.strip_chars().alias("region_code"),
                     *[pl.col(s).str.strip_chars().cast(pl.Float64, strict=False).alias(s.lower()) for s in SECTORS])
        .unpivot(index=["year", "region_code"], variable_name="sector", value_name="cents_per_kwh")
    )
    # EIA writes 0.0 (or blank) where a state has no sales in a sector: that is no price, not a free one.
    nulls = long.filter(pl.col("cents_per_kwh").is_null() | (pl.col("cents_per_kwh") <= 0)).height
    long = long.with_columns(
        pl.when(pl.col("cents_per_kwh") > 0).then(pl.col("cents_per_kwh") * 10.0).alias("price_usd_per_mwh"))
    check_range(long, "price_usd_per_mwh", 0, 2000, file=path)
    out = long.select(pl.lit("us_state").alias("region_kind"), "region_code", "year", "sector", "price_usd_per_mwh")
    rej = [Rejection("retail_prices", nulls, "no sales in that sector (EIA 0.0/blank) → price null")] if nulls else []
    return ParseResult({"retail_prices": out}, vintage=f"{out['year'].min()}-{out['year'].max()}", rejections=rej)


SPEC = SourceSpec(
    id="eia_prices",
    title="EIA average retail price by state and sector",
    authority="U.S. Energy Information Administration",
    licence="US public domain",
    homepage="https://www.eia.gov/electricity/data/state/",
    family="prices",
    vintage="1990-2019",
    files=(RawFile(ANNUAL, url=None),),
    tables=("retail_prices",),
    parse=parse,
    publication=Publication("annual", "EIA average price by state and sector, updated yearly with the Electric Power Annual (eia.gov/electricity/data/state)", lag_days=300),
    notes="EIA publishes avgprice_annual.xlsx; this CSV is its flat export. Newer years: EIA API v2.",
)
