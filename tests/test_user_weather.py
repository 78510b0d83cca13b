"""Bring your own weather (issue 12): a candidate's ``weather_file`` runs the hourly model on that file.

Real files from ../shared/data/api_responses/pvgis_nsrdb (pvlib test data, BSD-3): NREL NSRDB PSM3
TMY CSVs saved without their two metadata lines, the PVGIS TMY JSON/CSV for 45 °N 8 °E, an IWEC
EPW. The NSRDB file has no location: the site's coordinates stand in (pvlib's test request point,
40.5137 N 108.5449 W).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest

from gridscout.candidates import load_candidates
from gridscout.errors import CandidateError, SourceFormatError
from gridscout.features.assemble import site_features
from gridscout.features.weather_link import weather_choice
from gridscout.jobs.score import estimate
from gridscout.models import pue
from gridscout.scoring import load_profile
from gridscout.sources.user_weather import read_weather_file
from gridscout.warehouse.readers.reference import read_reference

NSRDB = "api_responses/pvgis_nsrdb/test_psm3_tmy-2017.csv"


@pytest.mark.parametrize("rel, kind", [
    (NSRDB, "NSRDB"), ("api_responses/pvgis_nsrdb/test_psm4_tmy-2023.csv", "NSRDB"),
    ("api_responses/pvgis_nsrdb/tmy_45.000_8.000_2005_2023.json", "PVGIS"),
    ("api_responses/pvgis_nsrdb/tmy_45.000_8.000_2005_2023.csv", "PVGIS"),
    ("api_responses/pvgis_nsrdb/NLD_Amsterdam062400_IWEC.epw", "IWEC"),
    ("pvlib/723170TYA.CSV", "TMY3"),
])
def test_every_accepted_format_is_read(raw_dir, rel, kind):
    df, meta = read_weather_file(raw_dir / rel, "k", latitude=40.5137, longitude=-108.5449)
    assert df.height == 8760 and df["dry_bulb_c"].null_count() < 100
    assert kind in meta["data_kind"]
    if kind == "NSRDB":  # no metadata lines: the site's coordinates stand in
        assert (meta["latitude"], meta["longitude"]) == (40.5137, -108.5449)


def test_not_a_weather_file_names_it(raw_dir):
    with pytest.raises(SourceFormatError, match="README.md: not a recognised weather file; expected EPW"):
        read_weather_file(raw_dir / "api_responses" / "README.md", "k", latitude=0.0, longitude=0.0)


@pytest.fixture(scope="module")
def ref_db(first_slice_db, tmp_path_factory):
    db = tmp_path_factory.mktemp("uw") / "w.duckdb"
    shutil.copy(first_slice_db, db)
    return db


def _run(db, path):
    ref = read_reference(db)
    feats = weather_choice(site_features(load_candidates(path).sites, ref))
    out, _ = estimate(feats, ref, load_profile("balanced"), db)
    return {r["site_id"]: r for r in out.iter_rows(named=True)}


def test_site_runs_hourly_on_its_nsrdb_file(raw_dir, ref_db, tmp_path):
    own = tmp_path / "own.csv"
    own.write_text("site_id,name,latitude,longitude,weather_file\n"
                   f"craig,Craig CO,40.5137,-108.5449,{raw_dir / NSRDB}\n"
                   "chicago,Chicago,41.98,-87.92,\n")
    plain = tmp_path / "plain.csv"
    plain.write_text("site_id,name,latitude,longitude\ncraig,Craig CO,40.5137,-108.5449\nchicago,Chicago,41.98,-87.92\n")
    got, before = _run(ref_db, own), _run(ref_db, plain)
    craig = got["craig"]
    assert craig["pue_method"] == "hourly" and craig["weather_source"] == "weather_file: test_psm3_tmy-2017.csv"
    df, _ = read_weather_file(raw_dir / NSRDB, "x", latitude=40.5137, longitude=-108.5449)
    assert craig["pue_annual"] == pytest.approx(pue.estimate_pue(df, "waterside_economizer_tower")["pue_annual"][0])
    assert before["craig"]["pue_method"] != "hourly"  # without the file: the station tier
    # nothing else is scored differently
    for col in ("pue_annual", "wue_onsite_l_per_kwh", "pue_method", "weather_station_key"):
        assert got["chicago"][col] == before["chicago"][col]


def test_bad_weather_file_names_site_and_file(raw_dir, ref_db, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(f"site_id,name,latitude,longitude,weather_file\nx,X,40.0,-100.0,{raw_dir / 'api_responses' / 'README.md'}\n")
    with pytest.raises(CandidateError, match=r"site 'x': weather_file .*README.md: .*not a recognised weather file"):
        _run(ref_db, bad)
    missing = tmp_path / "missing.csv"
    missing.write_text("name,latitude,longitude,weather_file\nX,40.0,-100.0,nowhere.epw\n")
    with pytest.raises(CandidateError, match=r"row 2, column 'weather_file': weather file not found: .*nowhere.epw"):
        load_candidates(missing)
