"""Site facts the user already knows (issue 22): per-site columns of the candidate file, validated row by
row; a per-site cooling design, reported PUE/WUE beside the model's, a signed grid connection that
satisfies the power gates, non-freshwater water sources, and provenance of every user-supplied value."""

from __future__ import annotations

import json
import shutil

import polars as pl
import pytest

from gridscout.candidates import load_candidates, water_source_contradictions
from gridscout.errors import CandidateError, ProfileError
from gridscout.features.water_stress import stress_weighted_water
from gridscout.models.designs import load_designs
from gridscout.scoring.profiles import Facility, load_profile, parse_profile, profile_path
from gridscout.scoring.reported import restore, scoring_view

HEADER = "name,latitude,longitude"
DESIGN_IDS = ", ".join(sorted(load_designs()))


def _csv(tmp_path, extra_header: str, *values: str):
    p = tmp_path / "c.csv"
    p.write_text(f"{HEADER},{extra_header}\n" + "".join(f"Site {i},39.04,-77.49,{v}\n" for i, v in enumerate(values)),
                 encoding="utf-8")
    return p


# ------------------------------------------------------------------ candidate file: valid values per column
@pytest.mark.parametrize("column, raw, value", [
    ("cooling_design", "direct_liquid", "direct_liquid"),
    ("cooling_design", " Immersion ", "immersion"),
    ("water_source", "Reclaimed", "reclaimed"),
    ("water_source", "seawater", "seawater"),
    ("pue_reported", "1.0", 1.0),
    ("pue_reported", "3", 3.0),
    ("wue_reported", "0", 0.0),
    ("wue_reported", "1.8", 1.8),
    ("grid_mw_secured", "0", 0.0),
    ("grid_mw_secured", "1200.5", 1200.5),
    ("grid_energized_year", "2027", 2027),
    ("status", "Construction", "construction"),
])
def test_each_fact_column_is_read(tmp_path, column, raw, value):
    c = load_candidates(_csv(tmp_path, column, raw, ""))
    assert c.sites[column].to_list() == [value, None]  # a blank cell is not given (null), never 0
    assert c.supplied == [column]


@pytest.mark.parametrize("column, raw, expected", [
    ("pue_reported", "0.95", "row 2, column 'pue_reported': '0.95' is out of range; expected an annual PUE in [1, 3]"),
    ("pue_reported", "3.2", "row 2, column 'pue_reported': '3.2' is out of range; expected an annual PUE in [1, 3]"),
    ("pue_reported", "abc", "row 2, column 'pue_reported': 'abc' is not a finite number"),
    ("wue_reported", "-0.1", "row 2, column 'wue_reported': '-0.1' is out of range; expected a WUE [L/kWh] in [0, 10]"),
    ("wue_reported", "12", "row 2, column 'wue_reported': '12' is out of range"),
    ("grid_mw_secured", "-5", "row 2, column 'grid_mw_secured': '-5' is out of range; expected a secured grid "
                              "capacity [MW] ≥ 0"),
    ("grid_mw_secured", "inf", "row 2, column 'grid_mw_secured': 'inf' is not a finite number"),
    ("grid_energized_year", "1900", "row 2, column 'grid_energized_year': '1900' is out of range; expected a "
                                    "calendar year in [1950, 2100]"),
    ("grid_energized_year", "2026.5", "row 2, column 'grid_energized_year': '2026.5'"),
    ("cooling_design", "evaporative_tower", f"row 2, column 'cooling_design': 'evaporative_tower' is not a known "
                                            f"cooling design; allowed: {DESIGN_IDS}"),
    ("water_source", "river", "row 2, column 'water_source': 'river' is not a known water source; allowed: potable, "
                              "reclaimed, seawater, none"),
    ("status", "built", "row 2, column 'status': 'built' is not a known status; allowed: operating, construction, "
                        "planned"),
])
def test_bad_fact_values_are_refused_with_row_column_and_allowed(tmp_path, column, raw, expected):
    with pytest.raises(CandidateError) as err:
        load_candidates(_csv(tmp_path, column, raw))
    assert expected in str(err.value)
    assert "nothing was scored" in str(err.value)


def test_every_bad_row_is_listed_at_once(tmp_path):
    p = _csv(tmp_path, "pue_reported,status", "1.2,operating", "9,done")
    with pytest.raises(CandidateError) as err:
        load_candidates(p)
    msg = str(err.value)
    assert "2 problem(s)" in msg and "row 3, column 'pue_reported'" in msg and "row 3, column 'status'" in msg
    assert "row 2" not in msg


def test_water_source_none_with_an_evaporative_design_is_a_contradiction(tmp_path):
    with pytest.raises(CandidateError, match="water_source 'none' contradicts cooling_design 'air_evaporative'"):
        load_candidates(_csv(tmp_path, "cooling_design,water_source", "air_evaporative,none"))
    # a dry design with no water is fine; with the profile's tower design it is a contradiction at scoring
    c = load_candidates(_csv(tmp_path, "cooling_design,water_source", "direct_liquid,none", ",none"))
    msgs = water_source_contradictions(c.sites, "waterside_economizer_tower")
    assert len(msgs) == 1 and msgs[0].startswith("row 3 (site-1), column 'water_source'")
    assert water_source_contradictions(c.sites, "air_chiller_economizer") == []


def test_parquet_and_geojson_carry_the_facts(tmp_path):
    pq = tmp_path / "c.parquet"
    pl.DataFrame({"name": ["A"], "lat": [1.0], "lon": [2.0], "pue_reported": [1.12], "grid_mw_secured": [300],
                  "cooling_design": ["immersion"]}).write_parquet(pq)
    s = load_candidates(pq).sites.row(0, named=True)
    assert (s["pue_reported"], s["grid_mw_secured"], s["cooling_design"]) == (1.12, 300.0, "immersion")
    bad = tmp_path / "bad.parquet"
    pl.DataFrame({"name": ["A"], "lat": [1.0], "lon": [2.0], "pue_reported": [float("nan")]}).write_parquet(bad)
    with pytest.raises(CandidateError, match="row 2, column 'pue_reported': 'NaN' is not a finite number"):
        load_candidates(bad)
    gj = tmp_path / "c.geojson"
    gj.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [2.0, 1.0]},
         "properties": {"name": "A", "wue_reported": 0.3, "status": "operating", "grid_energized_year": 2024}},
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [3.0, 1.0]},
         "properties": {"name": "B", "wue_reported": 20}}]}), encoding="utf-8")
    with pytest.raises(CandidateError, match=r"row 3, column 'wue_reported': '20(\.0)?' is out of range"):
        load_candidates(gj)


# ------------------------------------------------------------------ pure pieces
def test_reclaimed_and_seawater_are_counted_but_not_stress_weighted():
    df = pl.DataFrame({"water_onsite_m3_per_year": [1000.0] * 4, "water_stress_score": [4.0] * 4,
                       "water_offsite_m3_per_year": [500.0] * 4, "water_stress_country_score": [2.0] * 4,
                       "water_source": ["potable", "reclaimed", "seawater", None]})
    w = stress_weighted_water(df)["water_stress_weighted_m3_per_yr"].to_list()
    # W = V_on·s/5 + V_off·s_grid/5: potable 1000·0.8 + 500·0.4 = 1000; reclaimed/seawater on-site weigh 0
    assert w == pytest.approx([1000.0, 200.0, 200.0, 1000.0])


def test_profile_key_chooses_which_pue_scores_and_the_model_column_stays():
    df = pl.DataFrame({"site_id": ["a", "b"], "pue_annual": [1.30, 1.25], "pue_reported": [1.10, None]})
    view, back = scoring_view(df, Facility())  # default: the model's
    assert view["pue_scored"].to_list() == [1.30, 1.25]
    assert view["pue_scored_basis"].to_list() == ["model (pue_annual)"] * 2
    view, back = scoring_view(df, Facility(score_reported_pue=True))
    assert view["pue_annual"].to_list() == [1.10, 1.25]  # what the criteria read
    assert view["pue_scored_basis"].to_list() == ["user-supplied (column pue_reported)", "model (pue_annual)"]
    assert restore(view, back)["pue_annual"].to_list() == [1.30, 1.25]


def test_profile_key_must_be_a_boolean():
    import tomllib

    doc = tomllib.loads(profile_path("balanced").read_text(encoding="utf-8"))
    doc["facility"]["score_reported_pue"] = "yes"
    with pytest.raises(ProfileError, match=r"\[facility.score_reported_pue\] must be true or false"):
        parse_profile(doc, "p.toml")
    doc["facility"]["score_reported_pue"] = True
    assert parse_profile(doc, "p.toml").facility.score_reported_pue is True
    assert load_profile("balanced").facility.score_reported_pue is False


# ------------------------------------------------------------------ the "Done means", end to end on real data
CHICAGO = "41.85003,-87.65005"      # GeoNames 4887398; the hourly file weather_hourly/chicago.epw is near
# Burns, OR (43.586 N 119.054 W, town centre; population < 5,000, so not in the cities table): high desert, ~8 MW of distance-weighted generation (EIA-860),
# below the balanced profile's 100 MW gate even with the smooth weighting (New Albany, OH, used before, now
# counts the 564 MW plant 51.6 km away at 29 % and passes)
BURNS = "43.58626,-119.05410"


@pytest.fixture(scope="module")
def run(first_slice_db, raw_dir, tmp_path_factory):
    from gridscout.jobs.ingest import ingest_source
    from gridscout.jobs.score import score_candidates

    tmp = tmp_path_factory.mktemp("facts")
    db = tmp / "w.duckdb"
    shutil.copy(first_slice_db, db)
    ingest_source("water_stress_sdg642", db=db, raw=raw_dir)  # country-tier water stress (FAO SDG 6.4.2)
    for sid in ("gppd_usa", "eia860", "usgs_thermoelectric_2015", "eia860_cooling", "netl_plant_water_2016"):
        ingest_source(sid, db=db, raw=raw_dir)  # off-site water from the plants of the site's balancing area
    cands = tmp / "c.csv"
    cands.write_text(
        "site_id,name,latitude,longitude,it_load_mw,cooling_design,water_source,pue_reported,grid_mw_secured,"
        "grid_energized_year,status\n"
        f"chi-liquid,Chicago dry-cooled liquid,{CHICAGO},100,direct_liquid,potable,1.15,,,operating\n"
        f"chi-tower,Chicago profile tower,{CHICAGO},100,,reclaimed,,,,\n"
        f"na-secured,Burns signed,{BURNS},100,,,,600,2026,construction\n"
        f"na-twin,Burns twin,{BURNS},100,,,,,,\n", encoding="utf-8")
    return score_candidates(cands, "balanced", tmp / "run", db=db, mc_draws=0)


def _row(run, site):
    return run.scores.filter(pl.col("site_id") == site).row(0, named=True)


def test_a_dry_cooled_liquid_site_uses_near_zero_water_beside_its_tower_twin(run):
    liquid, tower = _row(run, "chi-liquid"), _row(run, "chi-tower")
    assert liquid["weather_station_key"] == tower["weather_station_key"] == "weather_hourly:chicago.epw"
    assert liquid["cooling_design"] == "direct_liquid" and tower["cooling_design"] == "waterside_economizer_tower"
    # dry coolers evaporate nothing (models/water.py); an evaporative tower ~1-2 L/kWh (LBNL 2016 US DC report ~1.8)
    assert liquid["wue_onsite_l_per_kwh"] == pytest.approx(0.0, abs=0.01)
    assert 0.5 < tower["wue_onsite_l_per_kwh"] < 2.5
    assert liquid["water_onsite_m3_per_year"] < 0.01 * tower["water_onsite_m3_per_year"]
    # each design ran its own hourly model: the monthly/hourly side tables follow the site's design
    hourly = pl.read_parquet(run.run_dir / "hourly.parquet")
    by_site = hourly.group_by("site_id").agg(pl.col("water_l_per_kwh_it").sum())
    sums = dict(zip(by_site["site_id"], by_site["water_l_per_kwh_it"]))
    assert sums["chi-liquid"] == pytest.approx(0.0, abs=1.0) and sums["chi-tower"] > 1000
    # provenance: the design is the user's for one and the profile's for the other
    assert liquid["cooling_design__evidence"] == "user-supplied (column cooling_design)"
    assert tower["cooling_design__evidence"] == "profile default ([facility] cooling)"
    assert liquid["it_load_mw__evidence"] == "user-supplied (column it_load_mw)"


def test_reported_pue_sits_beside_the_model(run):
    liquid = _row(run, "chi-liquid")
    assert liquid["pue_reported"] == 1.15 and liquid["pue_reported__evidence"] == "user-supplied (column pue_reported)"
    assert 1.0 < liquid["pue_annual"] < 1.5 and liquid["pue_annual__evidence"] == "modelled"
    assert liquid["pue_reported_minus_model"] == pytest.approx(1.15 - liquid["pue_annual"])
    assert liquid["pue_scored_basis"] == "model (pue_annual)"  # the profile's default: the model scores
    saved = pl.read_parquet(run.run_dir / "scores.parquet").filter(pl.col("site_id") == "chi-liquid")
    assert saved["pue_reported"].item() == 1.15 and saved["pue_annual"].item() == liquid["pue_annual"]


def test_reclaimed_water_is_counted_but_not_stress_weighted(run):
    tower, liquid = _row(run, "chi-tower"), _row(run, "chi-liquid")
    assert tower["water_source"] == "reclaimed" and tower["water_onsite_m3_per_year"] > 0
    assert tower["water_stress_score"] == liquid["water_stress_score"] is not None  # USA, SDG 6.4.2 country tier
    assert tower["water_offsite_m3_per_year"] > 0  # Chicago: PJM's plants
    assert tower["water_stress_weighted_m3_per_yr"] == pytest.approx(
        tower["water_offsite_m3_per_year"] * tower["water_stress_country_score"] / 5)


def test_a_signed_connection_passes_the_power_gate_that_excludes_its_twin(run):
    sec, twin = _row(run, "na-secured"), _row(run, "na-twin")
    assert sec["capacity_weighted_mw"] == twin["capacity_weighted_mw"] < 90  # below the 100 MW gate − 10 %
    assert twin["gate_min_capacity_weighted_mw"] == "FAIL" and twin["excluded"]
    assert "min_capacity_weighted_mw" in twin["exclusion_reason"]
    assert sec["pue_method"] == "climate_model"  # the climate model emulates the peak-hour PUE too
    assert sec["facility_load_mw"] == pytest.approx(100 * sec["pue_peak"]) and sec["pue_peak"] >= sec["pue_annual"]
    assert sec["grid_secured_covers_load"] is True
    assert sec["gate_min_capacity_weighted_mw"] == "PASS" and not sec["excluded"]
    assert sec["power_gate_note"].startswith("power gates (min_capacity_weighted_mw) passed on the signed grid "
                                             "connection: grid_mw_secured 600.0 MW (user-supplied)")
    assert twin["power_gate_note"] is None
    assert sec["grid_energized_year"] == 2026 and sec["status"] == "construction"


def test_run_json_and_card_show_what_the_user_supplied(run):
    from gridscout.report.render import render_report

    manifest = json.loads((run.run_dir / "run.json").read_text(encoding="utf-8"))
    assert manifest["candidates"]["supplied_columns"] == [
        "it_load_mw", "cooling_design", "water_source", "pue_reported", "grid_mw_secured", "grid_energized_year",
        "status"]
    html = render_report(run.run_dir).read_text(encoding="utf-8")
    assert "PUE, annual, reported by the operator (user-supplied)" in html
    assert '<span class="ev ev-user-supplied">user-supplied (column pue_reported)</span>' in html  # purple (CSS)
    assert "passed on the signed grid connection" in html
