"""Shared fixtures: one real warehouse per session (built from the raw files, about 5 s) and the
features of the 72 real markets."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from tests.warehouses import build_warehouse

REPO = Path(__file__).resolve().parents[2]
SOURCES = ["boundaries", "carbon_yearly", "cities", "eia_prices", "electricitymaps_zones", "ember_prices", "eurostat_prices",
           "gppd", "weather_stations", "koppen", "weather_hourly", "entsoe_gridkit", "gridkit_north_america"]


@pytest.fixture(scope="session")
def warehouse(tmp_path_factory, raw_dir) -> Path:
    return build_warehouse(tmp_path_factory.mktemp("wh") / "gridscout.duckdb", raw_dir, SOURCES)


@pytest.fixture(scope="session")
def ref(warehouse):
    from gridscout.warehouse.readers.reference import read_reference

    return read_reference(warehouse)


@pytest.fixture(scope="session")
def market_features(ref) -> pl.DataFrame:
    from gridscout.candidates import load_candidates
    from gridscout.features.assemble import site_features

    return site_features(load_candidates(REPO / "data" / "candidates" / "markets.csv").sites, ref)
