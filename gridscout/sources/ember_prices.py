"""Ember European wholesale electricity prices: monthly day-ahead average by country [EUR/MWh].

These are spot prices generators receive (load-weighted monthly means of hourly day-ahead
prices), not what a consumer pays (no network charges, taxes or levies), so they load into
``wholesale_prices``, never ``retail_prices``. Countries with several bidding zones (e.g. Italy,
Sweden, Norway, Denmark) are one country figure here. ``price_usd_per_mwh`` stays null: no cited
EUR→USD rate table is applied (an unknown conversion is not a zero or a guess).

Source: Ember, European Wholesale Electricity Price Data (CC BY 4.0),
https://ember-energy.org/data/european-wholesale-electricity-price-data/ ; monthly 2015-01..2025-12.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import polars as pl

from gridscout.sources.base import ParseResult, Publication, RawFile, Rejection, SourceSpec, check_range, read_csv_checked

MONTHLY = "ember_european_wholesale_price_monthly.csv"
REQUIRED = ("Country", "ISO3 Code", "Date", "Price (EUR/MWhe)")


def parse(files: Mapping[str, Path]) -> ParseResult:
    path = files[MONTHLY]
    df = read_csv_checked(path, required=REQUIRED, infer_schema=False)
    out = df.select(
        pl.lit("country").alias("region_kind"),
        pl.col("ISO3 Code").str.strip_chars().str.to_uppercase().alias("region_code"),
        pl.col("Country").str.strip_chars().alias("region_name"),
        pl.col("Date").str.strip_chars().str.to_date("%Y-%m-%d", strict=False).dt.month_start().alias("month"),
        pl.col("Price (EUR/MWhe)").str.strip_chars().replace("", None).cast(pl.Float64, strict=False)
          .alias("price_eur_per_mwh"),
        pl.lit(None, dtype=pl.Float64).alias("price_usd_per_mwh"),
    )
    bad = out.with_row_index("_row").filter(pl.col("month").is_null() | pl.col("region_code").is_null())
    rejections = []
    if bad.height:
        rejections.append(Rejection("wholesale_prices", bad.height,
                                    f"unreadable Date or ISO3 Code (first at line {bad['_row'][0] + 2})"))
        out = out.filter(pl.col("month").is_not_null() & pl.col("region_code").is_not_null())
    # −500 and +4000 EUR/MWh are the SDAC harmonised min/max day-ahead clearing prices (ACER HMMCP
    # methodology, max raised to 4000 in 2022): a monthly mean outside them cannot be a price.
    check_range(out, "price_eur_per_mwh", -500, 4000, file=path)
    dupes = out.height - out.unique(["region_code", "month"]).height
    if dupes:
        rejections.append(Rejection("wholesale_prices", dupes, "duplicate country-month (first kept)"))
        out = out.unique(["region_code", "month"], keep="first", maintain_order=True)
    vintage = f"{out['month'].min():%Y-%m}..{out['month'].max():%Y-%m}" if out.height else None
    return ParseResult({"wholesale_prices": out}, vintage=vintage, rejections=rejections)


SPEC = SourceSpec(
    id="ember_prices",
    title="Ember European wholesale electricity prices (monthly, by country)",
    authority="Ember",
    licence="CC BY 4.0",
    homepage="https://ember-energy.org/data/european-wholesale-electricity-price-data/",
    family="prices",
    vintage="2015-01..2025-12",
    files=(RawFile(MONTHLY, url=None),),
    tables=("wholesale_prices",),
    parse=parse,
    publication=Publication("monthly", "Ember European wholesale prices are updated monthly (ember-energy.org/data/european-wholesale-electricity-price-data)", lag_days=30),
    folder="ember",
    notes="Ember's download button serves the CSV through a form (no stable URL). The same file also "
          "sits in eia_prices/ in the offline snapshot; this source reads the ember/ copy.",
)
