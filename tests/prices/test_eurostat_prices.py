"""Eurostat nrg_pc_205 (band IC): parsing by label on the real export, drift errors, reader, scored price."""

from __future__ import annotations

import shutil

import openpyxl
import polars as pl
import pytest

from gridscout.errors import SourceFormatError
from gridscout.features.prices import (
    BAND_CAVEAT, SCORED_TAX_LEVEL, assign_country_prices, country_retail_prices)
from gridscout.features.wholesale import load_fx
from gridscout.sources import eurostat_prices as es

TABLE = "nonhousehold_electricity_prices"
#: the tests open the export themselves to make drifted copies; it has no default cell style
pytestmark = pytest.mark.filterwarnings("ignore:Workbook contains no default style")


@pytest.fixture(scope="module")
def xlsx(raw_dir):
    return raw_dir / "eurostat_prices" / es.XLSX


@pytest.fixture(scope="module")
def parsed(xlsx):
    return es.parse({es.XLSX: xlsx})


@pytest.fixture(scope="module")
def prices(parsed):
    return parsed.tables[TABLE]


def _price(df, code, tax, period):
    r = df.filter((pl.col("region_code") == code) & (pl.col("tax_level") == tax) & (pl.col("period") == period))
    assert r.height == 1, (code, tax, period, r)
    return r["price_eur_per_kwh"][0]


def test_structure_matches_the_readme(parsed, prices):
    # README: 43 geos x 36 semesters; EUR sheets only (3 tax levels) -> 43 * 36 * 3 cells
    assert prices.height == 43 * 36 * 3
    assert prices["region_code"].n_unique() == 43
    assert sorted(prices["tax_level"].unique()) == ["I_TAX", "X_TAX", "X_VAT"]
    assert prices["consumption_band"].unique().to_list() == ["IC"]
    assert prices["band_min_mwh"].unique().to_list() == [500.0] and prices["band_max_mwh"].unique().to_list() == [1999.0]
    assert parsed.vintage == "2007-S1..2024-S2"
    assert {"EU27_2020", "EA"} == set(prices.filter(pl.col("region_kind") == "aggregate")["region_code"])
    assert "XK" in prices["region_code"].to_list() and "TUR" in prices["region_code"].to_list()


def test_spot_values_from_the_readme(prices):
    # /work/shared/data/eurostat_prices/README.md, "Spot values (EUR/kWh, band IC)"
    assert _price(prices, "DEU", "X_TAX", "2022-S2") == pytest.approx(0.1782)
    assert _price(prices, "DEU", "X_TAX", "2023-S2") == pytest.approx(0.1890)
    assert _price(prices, "DEU", "X_TAX", "2024-S2") == pytest.approx(0.2010)
    assert _price(prices, "DEU", "I_TAX", "2024-S2") == pytest.approx(0.2834)
    s2 = prices.filter((pl.col("tax_level") == "X_VAT") & (pl.col("period") == "2024-S2")
                       & (pl.col("region_kind") == "country")).drop_nulls("price_eur_per_kwh")
    assert s2.sort("price_eur_per_kwh")["region_code"][0] == "NOR"
    assert s2["price_eur_per_kwh"].min() == pytest.approx(0.0684)
    assert s2.sort("price_eur_per_kwh")["region_code"][-1] == "CYP"
    assert s2["price_eur_per_kwh"].max() == pytest.approx(0.2578)


def test_not_available_is_null_never_zero(prices):
    # ':' cells: README counts 11,529 numeric of 13,932 over all 9 sheets; never 0 here
    assert prices["price_eur_per_kwh"].null_count() > 0
    assert (prices["price_eur_per_kwh"].drop_nulls() > 0).all()
    assert _price(prices, "DEU", "X_VAT", "2024-S2") is not None
    assert prices.filter(pl.col("region_code") == "UKR")["price_eur_per_kwh"].null_count() > 0


def _drifted(xlsx, tmp_path, edit):
    path = tmp_path / es.XLSX
    shutil.copy(xlsx, path)
    wb = openpyxl.load_workbook(path)
    edit(wb)
    wb.save(path)
    return path


def _find(ws, label):
    for row in ws.iter_rows():
        if row[0].value == label:
            return row
    raise AssertionError(label)


def test_rows_moved_still_parse_by_label(xlsx, tmp_path, prices):
    def insert(wb):
        for ws in wb.worksheets:
            ws.insert_rows(1, amount=3)  # every header and table three rows lower
    path = _drifted(xlsx, tmp_path, insert)
    moved = es.parse({es.XLSX: path}).tables[TABLE]
    assert moved.sort("region_code", "tax_level", "period").equals(prices.sort("region_code", "tax_level", "period"))


def test_unknown_tax_label_is_a_clear_error(xlsx, tmp_path):
    path = _drifted(xlsx, tmp_path, lambda wb: setattr(_find(wb["Sheet 4"], "Taxes")[2], "value", "Some new tax level"))
    with pytest.raises(SourceFormatError, match=r"Sheet 4.*'Taxes'.*Some new tax level"):
        es.parse({es.XLSX: path})


def test_text_in_a_price_cell_names_sheet_row_and_period(xlsx, tmp_path):
    path = _drifted(xlsx, tmp_path, lambda wb: setattr(_find(wb["Sheet 1"], "Germany")[36], "value", "n/a"))
    with pytest.raises(SourceFormatError, match=r"Sheet 1.*\(Germany\).*2024-S2.*'n/a'"):
        es.parse({es.XLSX: path})


def test_missing_time_row_is_an_error(xlsx, tmp_path):
    def drop(wb):
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                if row[0].value == "TIME":
                    row[0].value = "PERIOD"
    with pytest.raises(SourceFormatError, match="no sheet with a 'TIME' row"):
        es.parse({es.XLSX: _drifted(xlsx, tmp_path, drop)})


@pytest.fixture(scope="module")
def loaded(raw_dir, tmp_path_factory):
    from gridscout.jobs.ingest import ingest_source
    from gridscout.warehouse.readers.prices import read_nonhousehold_prices

    db = tmp_path_factory.mktemp("eurostat") / "w.duckdb"
    report = ingest_source("eurostat_prices", db=db, raw=raw_dir)
    assert report.status == "loaded", report
    return read_nonhousehold_prices(db)


def test_reader_returns_current_vintage_country_rows(loaded):
    assert loaded.height == 41 * 36 * 3  # aggregates EU27_2020 and EA left out
    assert (loaded["source_id"] == "eurostat_prices").all() and (loaded["vintage"] == "2007-S1..2024-S2").all()
    de = loaded.filter((pl.col("country") == "DEU") & (pl.col("tax_level") == "I_TAX") & (pl.col("period") == "2024-S2"))
    assert de["price_eur_per_kwh"].to_list() == [pytest.approx(0.2834)]


def test_country_price_is_x_vat_mean_of_the_latest_year_at_the_ecb_rate(loaded):
    fx = load_fx()
    cp = country_retail_prices(loaded, fx)
    nor = cp.filter(pl.col("country") == "NOR").row(0, named=True)
    s1 = _price(loaded.rename({"country": "region_code"}), "NOR", "X_VAT", "2024-S1")
    # 2024-S2 0.0684 EUR/kWh (README); ECB 2024 annual average 1.0824 USD/EUR (data/reference)
    assert nor["price_year"] == 2024
    assert nor["price_eur_per_mwh"] == pytest.approx((s1 + 0.0684) / 2 * 1000)
    assert nor["price_usd_per_mwh"] == pytest.approx((s1 + 0.0684) / 2 * 1000 * 1.0824)
    assert nor["price_source"] == "eurostat_prices"
    assert "band IC" in nor["price_basis"] and SCORED_TAX_LEVEL in nor["price_basis"]
    assert "excluding VAT and other recoverable taxes" in nor["price_basis"]
    de = cp.filter(pl.col("country") == "DEU").row(0, named=True)
    # X_VAT lies between excluding all taxes (0.2010) and all taxes (0.2834) in 2024-S2
    s2 = _price(loaded.rename({"country": "region_code"}), "DEU", "X_VAT", "2024-S2")
    assert 0.2010 < s2 < 0.2834
    # the UK stops in 2019 in nrg_pc_205 (left the EU): its latest complete year is used and said
    assert cp.filter(pl.col("country") == "GBR")["price_year"].to_list() == [2019]
    # Ukraine has 7 X_VAT semesters, the last complete year 2020 (a stale figure, but said in price_year)
    assert cp.filter(pl.col("country") == "UKR")["price_year"].to_list() == [2020]
    assert not {"EU27_2020", "EA"} & set(cp["country"])
    assert (cp["price_usd_per_mwh"] > 0).all()


def test_year_without_ecb_rate_or_second_semester_is_not_used(loaded):
    fx = load_fx().filter(pl.col("year") < 2024)  # pretend 2024 has no rate yet
    cp = country_retail_prices(loaded, fx)
    assert cp.filter(pl.col("country") == "DEU")["price_year"].to_list() == [2023]
    one_semester = loaded.filter(~((pl.col("year") == 2024) & (pl.col("semester") == 2)))
    assert country_retail_prices(one_semester, load_fx()).filter(pl.col("country") == "DEU")["price_year"].to_list() == [2023]


def test_sites_keep_eia_and_europe_gets_eurostat(loaded):
    cp = country_retail_prices(loaded, load_fx())
    sites = pl.DataFrame({
        "site_id": ["dublin", "frankfurt", "paris", "madrid", "warsaw", "ashburn", "tokyo"],
        "country": ["IRL", "DEU", "FRA", "ESP", "POL", "USA", "JPN"],
        "price_usd_per_mwh": [None, None, None, None, None, 71.6, None],
        "price_year": [None, None, None, None, None, 2019, None],
        "price_source": [None, None, None, None, None, "eia_prices", None],
    }, schema_overrides={"price_usd_per_mwh": pl.Float64, "price_year": pl.Int32, "price_source": pl.Utf8})
    out = assign_country_prices(sites, cp)
    eu = out.filter(pl.col("country").is_in(["IRL", "DEU", "FRA", "ESP", "POL"]))
    assert (eu["price_source"] == "eurostat_prices").all() and eu["price_usd_per_mwh"].null_count() == 0
    assert (eu["price_year"] == 2024).all()
    us = out.filter(pl.col("site_id") == "ashburn").row(0, named=True)
    assert us["price_source"] == "eia_prices" and us["price_usd_per_mwh"] == 71.6 and us["price_year"] == 2019
    assert "EIA" in us["price_basis"]
    jp = out.filter(pl.col("site_id") == "tokyo").row(0, named=True)
    assert jp["price_usd_per_mwh"] is None and jp["price_source"] is None  # UNKNOWN, not 0
    assert out["site_id"].to_list() == sites["site_id"].to_list()
    assert "band IG" in BAND_CAVEAT
