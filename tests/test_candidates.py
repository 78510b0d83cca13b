"""Candidate files: the shipped markets, aliases, and every kind of bad input named by row and column."""

from __future__ import annotations

import json

import polars as pl
import pytest

from gridscout.candidates import load_candidates
from gridscout.config import DEFAULT_CANDIDATES
from gridscout.errors import CandidateError


def test_shipped_markets_are_real_and_sourced():
    c = load_candidates(DEFAULT_CANDIDATES)
    assert c.sites.height >= 40
    raw = pl.read_csv(DEFAULT_CANDIDATES)
    assert raw["coord_source"].str.starts_with("GeoNames").all()
    names = " ".join(raw["name"].to_list())
    for market in ("Ashburn", "Dallas", "Phoenix", "Columbus", "Atlanta", "Des Moines", "Quincy", "The Dalles",
                   "Abilene", "Dublin", "Frankfurt", "Amsterdam", "Luleå", "Hamina", "Singapore", "Johor", "Tokyo",
                   "Mumbai", "Abu Dhabi", "Riyadh", "Paris"):
        assert market in names, market
    ashburn = c.sites.filter(pl.col("site_id") == "us-va-ashburn").row(0, named=True)
    assert ashburn["latitude"] == pytest.approx(39.04372) and ashburn["longitude"] == pytest.approx(-77.48749)


def test_aliases_and_derived_ids(tmp_path):
    p = tmp_path / "c.csv"
    p.write_text("Name,LAT,lon\nSite A,52.0,5.0\nSite B,40.1,-3.7\n", encoding="utf-8")
    c = load_candidates(p)
    assert c.sites["site_id"].to_list() == ["site-a", "site-b"]
    assert c.sites["latitude"].to_list() == [52.0, 40.1]


@pytest.mark.parametrize("content, expected", [
    ("name,latitude\nA,1\n", "missing required column(s) ['longitude']"),
    ("name,latitude,longitude\nA,-97.5,39.0\n", "row 2, column 'latitude': -97.5 is outside ±90"),
    ("name,latitude,longitude\nA,39.0,-277.5\n", "row 2, column 'longitude': -277.5 is outside ±180"),
    ("name,latitude,longitude\nA,,5\n", "row 2, column 'latitude': blank latitude"),
    ("name,latitude,longitude\nA,NaN,5\n", "row 2, column 'latitude'"),
    ("name,latitude,longitude\nA,abc,5\n", "row 2, column 'latitude': 'abc' is not a number"),
    ("name,latitude,longitude\n,1,5\n", "row 2, column 'name': blank name"),
    ("site_id,name,latitude,longitude\nx,A,1,2\nx,B,3,4\n", "duplicate site_id: 'x' on rows [2, 3]"),
    ("name;latitude;longitude\nA;1;2\n", "';'-delimited"),
    ("name,latitude,longitude\n", "no sites"),
    ("", "empty"),
])
def test_bad_csv_messages(tmp_path, content, expected):
    p = tmp_path / "c.csv"
    p.write_text(content, encoding="utf-8")
    with pytest.raises(CandidateError) as err:
        load_candidates(p)
    assert expected in str(err.value)


def test_swapped_lat_lon_is_hinted(tmp_path):
    p = tmp_path / "c.csv"
    p.write_text("name,latitude,longitude\nAshburn,-77.48749,39.04372\nAbilene,-99.73314,32.44874\n", encoding="utf-8")
    with pytest.raises(CandidateError, match="swapped"):
        load_candidates(p)


def test_non_utf8_names_the_line(tmp_path):
    p = tmp_path / "c.csv"
    p.write_bytes("name,latitude,longitude\nA,1,2\nLule\xe5,65.58,22.15\n".encode("latin-1"))
    with pytest.raises(CandidateError, match="line 3 is not UTF-8"):
        load_candidates(p)


def test_geojson_polygons_become_centroids(tmp_path):
    doc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "Campus"},
         "geometry": {"type": "Polygon", "coordinates": [[[5, 52], [6, 52], [6, 53], [5, 53], [5, 52]]]}},
        {"type": "Feature", "properties": {"name": "Point"}, "geometry": {"type": "Point", "coordinates": [4.9, 52.4]}},
    ]}
    p = tmp_path / "c.geojson"
    p.write_text(json.dumps(doc), encoding="utf-8")
    c = load_candidates(p)
    row = c.sites.filter(pl.col("site_name") == "Campus").row(0, named=True)
    assert (row["longitude"], row["latitude"]) == (5.5, 52.5)
    assert any("centroid" in n for n in c.notes)


def test_parquet_input(tmp_path):
    p = tmp_path / "c.parquet"
    pl.DataFrame({"name": ["A"], "lat": [1.0], "lon": [2.0], "it_load_mw": [50.0]}).write_parquet(p)
    assert load_candidates(p).sites["it_load_mw"].to_list() == [50.0]
