"""Country wholesale electricity prices in USD, shown beside (never mixed into) the scored price.

Ember's European day-ahead prices are monthly means in EUR/MWh of what generators are paid; a data
center pays that plus network charges, taxes and levies, so it is not comparable with the EIA
*retail industrial* price that ``price_usd_per_mwh`` (the scored price) holds for US states. This
module gives each country its latest complete calendar year (12 monthly values) that has an ECB
annual EUR→USD reference rate (``data/reference/ecb_usd_per_eur_annual.csv``):
``wholesale_price_eur_per_mwh`` is the unweighted mean of the 12 monthly means and
``wholesale_price_usd_per_mwh`` = EUR × the year's average USD per EUR. A year without a listed rate
is not converted (no guessed rate). Sources: Ember, European Wholesale Electricity Price Data
(CC BY 4.0); European Central Bank, euro foreign exchange reference rates.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from gridscout.config import DATA_DIR

FX_PATH = DATA_DIR / "reference" / "ecb_usd_per_eur_annual.csv"
COLUMNS = {"country": pl.Utf8, "wholesale_price_year": pl.Int32, "wholesale_price_eur_per_mwh": pl.Float64,
           "wholesale_price_usd_per_mwh": pl.Float64, "wholesale_price_source": pl.Utf8}


def load_fx(path: Path | None = None) -> pl.DataFrame:
    """``year``, ``usd_per_eur`` [USD/EUR], ``source`` from the curated ECB table."""
    df = pl.read_csv(path or FX_PATH, comment_prefix="#")
    missing = {"year", "usd_per_eur", "source"} - set(df.columns)
    if missing:
        raise ValueError(f"{path or FX_PATH}: missing columns {sorted(missing)}")
    return df.with_columns(pl.col("year").cast(pl.Int32))


def country_wholesale(monthly: pl.DataFrame, fx: pl.DataFrame) -> pl.DataFrame:
    """Per country (ISO alpha-3): latest complete year with a rate → EUR and USD per MWh (see module).

    ``monthly``: ``country``, ``month`` (date), ``price_eur_per_mwh``, ``source_id``."""
    if monthly.height == 0 or fx.height == 0:
        return pl.DataFrame(schema=COLUMNS)
    yearly = (monthly.drop_nulls(["country", "month", "price_eur_per_mwh"])
              .with_columns(pl.col("month").dt.year().cast(pl.Int32).alias("year"))
              .group_by("country", "year")
              .agg(pl.col("month").n_unique().alias("_months"), pl.col("price_eur_per_mwh").mean(),
                   pl.col("source_id").first())
              .filter(pl.col("_months") == 12)
              .join(fx.select("year", "usd_per_eur"), on="year", how="inner"))
    latest = yearly.sort("year").group_by("country").last()
    return latest.select(
        pl.col("country"), pl.col("year").alias("wholesale_price_year"),
        pl.col("price_eur_per_mwh").alias("wholesale_price_eur_per_mwh"),
        (pl.col("price_eur_per_mwh") * pl.col("usd_per_eur")).alias("wholesale_price_usd_per_mwh"),
        pl.format("{} (day-ahead, mean of 12 months) × ECB USD/EUR {}", pl.col("source_id"),
                  pl.col("usd_per_eur")).alias("wholesale_price_source"),
    ).cast(COLUMNS).sort("country")
