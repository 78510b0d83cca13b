"""water_stress_sdg642: the real OWID/FAO file, spot values from its README, the old-indicator refusal,
the load and the reader."""

from __future__ import annotations

import polars as pl
import pytest

from gridscout.errors import SourceFormatError
from gridscout.features.water_stress import basin_tier_available
from gridscout.sources import water_stress_sdg642 as src
from gridscout.sources.fetch import locate
from gridscout.warehouse.db import connect, migrate
from gridscout.warehouse.load import load
from gridscout.warehouse.readers.water_stress import read_water_stress

#: 2022 values [%] listed in ../shared/data/water_stress_sdg642/README.md ("Spot values, 2022").
README_2022 = {"IRL": 8.05, "NLD": 16.66, "USA": 28.16, "GBR": 14.35, "DEU": 35.35, "JPN": 36.64, "CHN": 41.52,
               "IND": 66.49, "SGP": 33.26, "SAU": 974.17, "ARE": 1509.93, "KWT": 3850.5, "EGY": 141.17,
               "NOR": 2.01, "ISL": 0.39}


@pytest.fixture(scope="module")
def parsed(raw_dir):
    return src.parse({src.FILE: raw_dir / src.SPEC.id / src.FILE})


def test_real_file_spot_values_from_readme(parsed):
    df = parsed.tables[src.TABLE]
    y2022 = dict(df.filter(pl.col("year") == 2022).select("country_alpha3", "water_stress_pct").iter_rows())
    assert {k: y2022[k] for k in README_2022} == README_2022
    assert df["water_stress_pct"].max() == 3850.5  # Kuwait, the README's maximum
    assert df.filter(pl.col("water_stress_pct") == 3850.5)["country_alpha3"].unique().to_list() == ["KWT"]
    # each value keeps its own year: Singapore's erratic series, India carried forward 2018–2022
    sgp = dict(df.filter(pl.col("country_alpha3") == "SGP").select("year", "water_stress_pct").iter_rows())
    assert (sgp[2000], sgp[2020], sgp[2021], sgp[2022]) == (313.89, 83.12, 58.19, 33.26)
    ind = df.filter((pl.col("country_alpha3") == "IND") & pl.col("year").is_between(2018, 2022))
    assert ind["water_stress_pct"].to_list() == [66.49] * 5


def test_real_file_shape_iso3_rows_only(parsed):
    df = parsed.tables[src.TABLE]
    assert df["country_alpha3"].n_unique() == 179  # README: 179 countries with ISO3 codes
    assert df["country_alpha3"].str.contains(r"^[A-Z]{3}$").all()
    assert (df["year"].min(), df["year"].max()) == (2000, 2022) and parsed.vintage == "2000..2022"
    # README: 4,318 data rows = 179 countries' rows + World + 14 regional aggregates (23 years each)
    assert df.height + parsed.rows_rejected == 4318 and parsed.rows_rejected == 15 * 23
    full = df.group_by("country_alpha3").len().filter(pl.col("len") == 23).height
    assert full == 156  # README: 156 countries have all 23 years
    assert not set(df["country_alpha3"]) & {"TWN", "HKG", "MAC", "XKX", "OWID_WRL"}


def test_old_indicator_header_is_refused_and_named(tmp_path):
    old = "Annual freshwater withdrawals, total (% of internal resources)"
    bad = tmp_path / src.FILE
    bad.write_text(f'Entity,Code,Year,"{old}"\nBahrain,BHR,1992,4672.5\n')
    with pytest.raises(SourceFormatError) as info:
        src.parse({src.FILE: bad})
    msg = str(info.value)
    assert old in msg and "SDG 6.4.2" in msg and "ER.H2O.FWTL.ZS" in msg and str(bad) in msg


def test_value_out_of_range_names_line_and_column(tmp_path):
    bad = tmp_path / src.FILE
    header = f'Entity,Code,Year,"{src.INDICATOR_LABEL} (%) - No breakdown"'
    bad.write_text(f"{header}\nIreland,IRL,2021,8.05\nIreland,IRL,2022,-3\n")
    with pytest.raises(SourceFormatError, match=r"line 3, column 'water_stress_pct'"):
        src.parse({src.FILE: bad})
    bad.write_text(f"{header}\nIreland,IRL,2022,eight\n")
    with pytest.raises(SourceFormatError, match=r"line 2, column .*not a number"):
        src.parse({src.FILE: bad})


def test_load_and_reader(raw_dir, tmp_path, parsed):
    db = tmp_path / "w.duckdb"
    con = connect(db)
    try:
        migrate(con)
        files = locate(src.SPEC, raw_dir, allow_download=False)
        assert load(con, src.SPEC, files, parsed).status == "loaded"
    finally:
        con.close()
    data = read_water_stress(db)
    assert data.country.height == parsed.tables[src.TABLE].height
    assert data.country.filter((pl.col("country_alpha3") == "NOR") & (pl.col("year") == 2022))[
        "water_stress_pct"].to_list() == [2.01]
    assert data.basins.height == 0 and not basin_tier_available(data.basins)  # no Aqueduct offline
