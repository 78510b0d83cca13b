"""--fetch-weather: a site with no hourly weather file nearby gets a PVGIS TMY, replayed from the real
recorded response through a real local HTTP server, and the hourly PUE model runs there."""

from __future__ import annotations

import json
import shutil

import polars as pl
import pytest

from gridscout.jobs.score import score_candidates
from tests.httpserver import JSON, ScriptedServer


@pytest.fixture
def writable_db(first_slice_db, tmp_path):
    db = tmp_path / "w.duckdb"
    shutil.copy(first_slice_db, db)
    return db


def test_fetch_weather_gives_an_hourly_year_to_a_site_without_one(writable_db, raw_dir, tmp_path, monkeypatch):
    body = (raw_dir / "api_responses" / "pvgis_nsrdb" / "tmy_45.000_8.000_2005_2023.json").read_bytes()
    cands = tmp_path / "c.csv"
    cands.write_text("site_id,name,latitude,longitude\npiedmont,Piedmont 45N 8E,45.0,8.0\n"
                     "chicago,Chicago,41.85003,-87.65005\n", encoding="utf-8")
    with ScriptedServer() as srv:
        srv.add("/api/v5_3/tmy", (200, JSON, body))
        monkeypatch.setenv("GRIDSCOUT_PVGIS_URL", srv.url("/api/v5_3"))
        monkeypatch.setenv("GRIDSCOUT_RAW_DIR", str(tmp_path / "raw"))  # the response is saved as a raw file
        result = score_candidates(cands, "balanced", tmp_path / "run", db=writable_db, mc_draws=50,
                                  fetch_weather=True)
        assert any(r.query.get("lat") == ["45.0000"] for r in srv.requests)
    saved = tmp_path / "raw" / "pvgis" / "requests" / "tmy_45.000_8.000.json"
    assert saved.read_bytes() == body
    s = result.scores.sort("site_id")
    piedmont = s.filter(pl.col("site_id") == "piedmont").row(0, named=True)
    assert piedmont["weather_station_key"] == "pvgis:45.000_8.000"
    assert piedmont["pue_method"] == "hourly" and piedmont["weather_distance_km"] < 1
    assert 1.0 < piedmont["pue_annual"] < 1.6
    chicago = s.filter(pl.col("site_id") == "chicago").row(0, named=True)
    assert chicago["weather_station_key"] == "weather_hourly:chicago.epw"  # had a file: not fetched
    manifest = json.loads((result.run_dir / "run.json").read_text())
    assert [f["site_id"] for f in manifest["weather_fetches"]] == ["piedmont"]
    assert manifest["weather_fetches"][0]["status"] == "loaded"


def test_fetch_weather_failure_keeps_the_lower_tier_and_says_why(writable_db, tmp_path, monkeypatch):
    cands = tmp_path / "c.csv"
    cands.write_text("site_id,name,latitude,longitude\npiedmont,Piedmont,45.0,8.0\n", encoding="utf-8")
    with ScriptedServer() as srv:
        srv.add("/api/v5_3/tmy", (400, JSON, b'{"message": "Location over the sea"}'))
        monkeypatch.setenv("GRIDSCOUT_PVGIS_URL", srv.url("/api/v5_3"))
        result = score_candidates(cands, "balanced", tmp_path / "run", db=writable_db, mc_draws=20, fetch_weather=True)
    row = result.scores.row(0, named=True)
    assert row["pue_method"] == "climate_model" and row["weather_station_key"].startswith("wmo:")
    fetch = json.loads((result.run_dir / "run.json").read_text())["weather_fetches"][0]
    assert fetch["status"] == "failed" and "400" in fetch["error"]
