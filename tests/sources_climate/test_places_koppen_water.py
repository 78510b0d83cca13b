"""cities, countries, koppen (incl. raster lookup) and aqueduct (format fixture; optional file)."""

from __future__ import annotations

import polars as pl
import pytest

from gridscout.errors import SourceFormatError
from gridscout.sources import aqueduct, cities, countries, koppen
from gridscout.sources.fetch import locate
from gridscout.warehouse.load import load

FIXTURE = "aqueduct_baseline_format_fixture.csv"


def _parse(spec, raw):
    files = locate(spec, raw, allow_download=False)
    return files, spec.parse({f.name: f.path for f in files})


def test_cities_real_values(raw):
    _, res = _parse(cities.SPEC, raw)
    places = res.tables["places"]
    assert places.height == 69472  # cities5000 (34,006 in cities15000)
    g = places.filter(geonameid=4469146).row(0, named=True)
    assert (g["name"], g["latitude"], g["longitude"], g["country_alpha2"], g["population"], g["timezone"], g["admin1"]) \
        == ("Greensboro", 36.07264, -79.79198, "US", 285342, "America/New_York", "NC")
    assert places.filter(geonameid=3041563)["admin1"].item() == "07"  # Andorra la Vella: leading zero kept
    assert places.filter(country_alpha2="NA").height > 0  # Namibia is not read as a null
    # towns of 10-15k, which name screening zones now: Martinsville VA (13,645), 20 km from Eden NC, the town
    # the Virginia zones on the North Carolina line had been named after
    m = places.filter(name="Martinsville", admin1="VA").row(0, named=True)
    assert (m["population"], m["country_alpha2"]) == (13645, "US")
    assert places.filter((pl.col("population") >= 10_000) & (pl.col("population") < 15_000)).height > 10_000


def test_cities15000_stands_in_when_cities5000_is_absent(raw, tmp_path):
    folder = tmp_path / "cities"
    folder.mkdir()
    (folder / "cities15000.csv").write_bytes((raw / "cities" / "cities15000.csv").read_bytes())
    files, res = _parse(cities.SPEC, tmp_path)
    assert [f.name for f in files] == ["cities15000.csv"] and res.tables["places"].height == 34006


def test_countries_real_values(raw):
    _, res = _parse(countries.SPEC, raw)
    df = res.tables["countries"]
    assert df.height == 249
    assert df.filter(alpha_2="AF").row(0) == ("AF", "AFG", "004", "Afghanistan", "Islamic Republic of Afghanistan")
    assert df.filter(alpha_3="TWN")["name"].item() == "Taiwan"


def test_koppen_tables_and_raster_lookup(raw):
    _, res = _parse(koppen.SPEC, raw)
    zones = dict(res.tables["koppen_zones"].iter_rows())
    assert (zones[1], zones[9], zones[30], zones[32]) == ("Af", "Cfa", "EF", "Ocean")
    assert [r.reason for r in res.rejections] == ["duplicate place and zone"]  # Lima listed twice
    # point lookups decoded from kmz_int_reshape.png
    assert koppen.koppen_zone(41.88, -87.63, raw=raw) == "Dfa"  # Chicago
    assert koppen.koppen_zone(33.45, -112.07, raw=raw) == "BWh"  # Phoenix
    assert koppen.koppen_zone(50.11, 8.68, raw=raw) == "Cfb"  # Frankfurt
    assert koppen.koppen_zone(1.35, 103.82, raw=raw) == "Af"  # Singapore
    assert koppen.koppen_zone(30.0, -40.0, raw=raw) == "Ocean"
    # the reference cities come from another map vintage; most agree at their exact pixel
    ref = res.tables["koppen_reference_cities"]
    agree = sum(koppen.koppen_zone(r["latitude"], r["longitude"], raw=raw) == r["kg_zone"]
                for r in ref.iter_rows(named=True))
    assert agree >= 50
    with pytest.raises(ValueError):
        koppen.koppen_zone(91, 0, raw=raw)


def test_aqueduct_format_fixture_and_na_rule():
    from pathlib import Path

    path = Path(__file__).parent / "fixtures" / FIXTURE
    res = aqueduct.parse({aqueduct.BASELINE_FILE: path})
    df = res.tables["water_stress"]
    assert df.height == 3
    hi = df.filter(string_id="111011-EGY.11_1-3365").row(0, named=True)
    assert (hi["bws_raw"], hi["bws_score"], hi["bws_cat"], hi["bws_label"], hi["gid_0"], hi["pfaf_id"]) == \
        (0.95, 4.87, 4, "Extremely High (>80%)", "EGY", 111011)
    na = df.filter(string_id="111011-EGY.15_1-3365").row(0, named=True)
    assert (na["bws_raw"], na["bws_score"], na["bws_cat"], na["bws_label"]) == (None, None, None, None)


def test_aqueduct_bad_score_names_file_line_column(tmp_path):
    bad = tmp_path / aqueduct.BASELINE_FILE
    bad.write_text("string_id,pfaf_id,bws_raw,bws_score,bws_cat,bws_label\nA,1,0.1,7.5,1,Low\n")
    with pytest.raises(SourceFormatError, match=r"line 2, column 'bws_score'"):
        aqueduct.parse({aqueduct.BASELINE_FILE: bad})
    bad.write_text("string_id,pfaf_id,bws_score\nA,1,1\n")
    with pytest.raises(SourceFormatError, match="missing column"):
        aqueduct.parse({aqueduct.BASELINE_FILE: bad})


def test_aqueduct_absent_loads_nothing_and_factor_stays_null(raw, warehouse):
    assert not (raw / "aqueduct").exists()
    files = locate(aqueduct.SPEC, raw, allow_download=False)
    assert files == []
    res = aqueduct.SPEC.parse({})
    assert res.tables["water_stress"].height == 0
    load(warehouse, aqueduct.SPEC, files, res)
    # no rows → any site's water-stress lookup is unknown (null), never a made-up 0
    score = warehouse.execute("select max(bws_score) from water_stress").fetchone()[0]
    assert score is None
    assert aqueduct.SPEC.files[0].url == "https://files.wri.org/aqueduct/aqueduct-4-0-water-risk-data.zip"
    assert aqueduct.SPEC.files[0].member == aqueduct.BASELINE_FILE and not aqueduct.SPEC.files[0].required
