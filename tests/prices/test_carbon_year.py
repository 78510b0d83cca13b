"""Carbon analysis year: the zone-year picked from carbon_yearly, fallback to an earlier year, basis named."""

from __future__ import annotations

import polars as pl
import pytest

from gridscout.features.carbon import available_bases, latest_complete_year, zone_carbon_for_year


@pytest.fixture(scope="module")
def yearly(raw_dir, tmp_path_factory):
    from gridscout.jobs.ingest import ingest_source
    from gridscout.warehouse.readers.carbon import read_zone_carbon_yearly

    db = tmp_path_factory.mktemp("carbon") / "w.duckdb"
    ingest_source("carbon_yearly", db=db, raw=raw_dir)
    return read_zone_carbon_yearly(db)


def _zone(df, key):
    return df.filter(pl.col("zone_key") == key).row(0, named=True)


def test_reader_holds_every_year(yearly):
    # carbon_yearly README: 352 zones x 5 years (2021-2025)
    assert yearly.height == 1760
    assert sorted(yearly["year"].unique()) == [2021, 2022, 2023, 2024, 2025]


def test_default_is_the_latest_complete_year(yearly):
    assert latest_complete_year(yearly) == 2025
    de = _zone(zone_carbon_for_year(yearly), "DE")
    assert de["carbon_year"] == 2025 and de["carbon_year_requested"] == 2025 and de["carbon_year_fell_back"] is False


def test_2023_and_2025_differ_where_the_grid_changed(yearly):
    # electricitymaps_yearly_zone_2021_2025.csv: DE 379 (2023) -> 342 (2025), PL 726 -> 565 gCO2eq/kWh
    y23, y25 = zone_carbon_for_year(yearly, 2023), zone_carbon_for_year(yearly, 2025)
    assert _zone(y23, "DE")["carbon_g_per_kwh"] == 379 and _zone(y25, "DE")["carbon_g_per_kwh"] == 342
    assert _zone(y23, "PL")["carbon_g_per_kwh"] == 726 and _zone(y25, "PL")["carbon_g_per_kwh"] == 565
    assert _zone(y23, "DE")["carbon_year"] == 2023
    assert y23.height == y25.height == 352


def test_missing_year_falls_back_to_the_nearest_earlier_year_and_says_so(yearly):
    # drop DE 2024 and 2025: a 2025 analysis uses DE 2023 (379) and flags it; FR keeps 2025 (31)
    holed = yearly.filter(~((pl.col("zone_key") == "DE") & (pl.col("year") >= 2024)))
    out = zone_carbon_for_year(holed, 2025)
    de, fr = _zone(out, "DE"), _zone(out, "FR")
    assert (de["carbon_year"], de["carbon_g_per_kwh"], de["carbon_year_fell_back"]) == (2023, 379, True)
    assert (fr["carbon_year"], fr["carbon_g_per_kwh"], fr["carbon_year_fell_back"]) == (2025, 31, False)
    # a year after the data: every zone falls back to 2025
    later = zone_carbon_for_year(yearly, 2030)
    assert later["carbon_year_fell_back"].all() and (later["carbon_year"] == 2025).all()


def test_year_before_the_data_is_unknown_not_a_later_year(yearly):
    out = zone_carbon_for_year(yearly, 2019)
    assert out.height == 352 and out["carbon_g_per_kwh"].null_count() == 352  # never a later year's value


def test_basis_is_named_and_direct_is_unknown_when_absent(yearly):
    assert available_bases(yearly) == ["lifecycle"]
    de = _zone(zone_carbon_for_year(yearly, 2024), "DE")
    assert de["carbon_basis"] == "lifecycle"
    assert de["carbon_basis_label"].startswith("consumption-based lifecycle")
    assert de["carbon_source"] == "carbon_yearly"
    direct = zone_carbon_for_year(yearly, 2024, basis="direct")
    assert direct["carbon_g_per_kwh"].null_count() == direct.height  # not the lifecycle figure renamed
    with pytest.raises(ValueError, match="carbon_basis"):
        zone_carbon_for_year(yearly, 2024, basis="marginal")
