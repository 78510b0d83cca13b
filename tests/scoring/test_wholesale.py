"""Country wholesale prices (Ember, EUR) in USD with the ECB annual rate: shown, never scored."""

from __future__ import annotations

import csv
from pathlib import Path

import polars as pl
import pytest

from gridscout.features.wholesale import country_wholesale, load_fx
from gridscout.sources import ember_prices


@pytest.fixture(scope="module")
def ember_monthly(raw_dir) -> Path:
    return raw_dir / "ember" / ember_prices.MONTHLY


def _mean_2024(path: Path, iso3: str) -> float:
    with open(path, newline="", encoding="utf-8") as fh:
        v = [float(r["Price (EUR/MWhe)"]) for r in csv.DictReader(fh)
             if r["ISO3 Code"] == iso3 and r["Date"].startswith("2024-")]
    assert len(v) == 12
    return sum(v) / 12


def test_fx_table_is_the_ecb_series():
    fx = load_fx()
    assert fx["year"].to_list() == list(range(2015, 2025))
    assert fx.filter(pl.col("year") == 2022)["usd_per_eur"].item() == 1.0530  # the 2022 euro low
    assert fx["source"].str.contains("EXR.A.USD.EUR.SP00.A").all()


def test_latest_complete_year_with_a_rate_from_the_real_file(ember_monthly):
    monthly = ember_prices.parse({ember_prices.MONTHLY: ember_monthly}).tables["wholesale_prices"].rename(
        {"region_code": "country"}).with_columns(pl.lit("ember_prices").alias("source_id"))
    w = country_wholesale(monthly, load_fx())
    de = w.filter(pl.col("country") == "DEU").row(0, named=True)
    # 2025 is complete in the file but has no ECB rate in the table: 2024 is the latest convertible year
    assert de["wholesale_price_year"] == 2024
    assert de["wholesale_price_eur_per_mwh"] == pytest.approx(_mean_2024(ember_monthly, "DEU"))
    assert de["wholesale_price_usd_per_mwh"] == pytest.approx(_mean_2024(ember_monthly, "DEU") * 1.0824)
    assert 60 < de["wholesale_price_eur_per_mwh"] < 100  # German day-ahead averaged ≈78 EUR/MWh in 2024
    # a year with fewer than 12 months is never averaged
    part = monthly.filter((pl.col("country") == "FRA") & (pl.col("month") < pl.date(2024, 7, 1)))
    assert country_wholesale(part, load_fx())["wholesale_price_year"].item() == 2023
    assert country_wholesale(monthly, load_fx().filter(pl.col("year") < 2015)).height == 0  # no rate, no USD


def test_markets_show_wholesale_beside_the_scored_retail_price(market_features, ember_monthly):
    f = market_features
    fra = f.filter(pl.col("site_id") == "de-frankfurt").row(0, named=True)
    assert fra["country"] == "DEU"
    assert fra["wholesale_price_usd_per_mwh"] == pytest.approx(_mean_2024(ember_monthly, "DEU") * 1.0824)
    # the scored price is Eurostat's band-IC retail price excl. VAT (2024-S1 0.2328, S2 0.2359 EUR/kWh, nrg_pc_205)
    # at ECB 1.0824 USD/EUR, never the wholesale one
    assert fra["price_source"] == "eurostat_prices"
    assert fra["price_usd_per_mwh"] == pytest.approx((0.2328 + 0.2359) / 2 * 1000 * 1.0824)
    assert fra["price_usd_per_mwh"] != pytest.approx(fra["wholesale_price_usd_per_mwh"])
    us = f.filter(pl.col("country") == "USA")
    assert us.height > 10 and us["wholesale_price_usd_per_mwh"].null_count() == us.height
    assert us["price_usd_per_mwh"].null_count() == 0
