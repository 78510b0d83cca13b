"""Issue 19 (8): inputs that look valid but contradict themselves are reported (row and column),
never silently resolved: a country column against the coordinates (and coordinates that look
swapped), GeoJSON properties against the geometry, duplicate columns after trimming and case
folding, profile weights and spans that would overflow."""

from __future__ import annotations

import json
import tomllib

import polars as pl
import pytest

from gridscout.candidates import load_candidates
from gridscout.errors import CandidateError, ProfileError


def test_duplicate_columns_after_trimming_and_case_folding_are_refused(tmp_path):
    p = tmp_path / "dup.csv"
    p.write_text("name,Name ,latitude,longitude\nDublin,Dublin 2,53.34980,-6.26031\n")
    with pytest.raises(CandidateError, match=r"duplicate columns once spaces and case are ignored \('name': 'name', 'Name '\)"):
        load_candidates(p)
    p.write_text("name,latitude,longitude,latitude\nDublin,53.34980,-6.26031,53.4\n")
    with pytest.raises(CandidateError, match="'latitude': 'latitude', 'latitude'"):
        load_candidates(p)


def test_geojson_properties_that_disagree_with_the_geometry_are_refused(tmp_path):
    def fc(props, coords):
        return {"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": props, "geometry": {"type": "Point", "coordinates": coords}}]}

    p = tmp_path / "f.geojson"
    p.write_text(json.dumps(fc({"name": "Frankfurt", "lat": 50.11552, "lon": 8.68417}, [8.68417, 50.11552])))
    assert load_candidates(p).sites["latitude"].to_list() == [50.11552]  # agreeing properties are fine
    p.write_text(json.dumps(fc({"name": "Frankfurt", "latitude": 8.68417, "longitude": 50.11552}, [8.68417, 50.11552])))
    with pytest.raises(CandidateError, match=r"feature 1: properties latitude 8.68417 but its geometry is at latitude "
                                             r"50.1155 \(latitude and longitude swapped\?\)"):
        load_candidates(p)


def test_country_column_against_coordinates_is_warned_with_row_and_a_swap_hint(wh, tmp_path):
    """Real markets (GeoNames coordinates): Frankfurt says DE and lies in DEU (no warning); Dublin
    says FR but lies in IRL; Kampala (0.31628, 32.58219) given with latitude and longitude swapped
    lies in Algeria, and swapping them back puts it in Uganda, as its country column says."""
    from gridscout.jobs.score import score_candidates

    p = tmp_path / "c.csv"
    pl.DataFrame({"site_id": ["de-frankfurt", "ie-dublin", "ug-kampala"],
                  "name": ["Frankfurt", "Dublin", "Kampala"],
                  "latitude": [50.11552, 53.34980, 32.58219], "longitude": [8.68417, -6.26031, 0.31628],
                  "country": ["DE", "FR", "UG"]}).write_csv(p)
    res = score_candidates(p, "balanced", tmp_path / "out", db=wh, mc_draws=10)
    notes = [n for n in res.manifest["candidates"]["notes"] if n.startswith("contradiction:")]
    assert len(notes) == 2, notes
    assert "row 3 (ie-dublin), column 'country': FR but its coordinates (53.3498, -6.26031) lie in IRL" in notes[0]
    assert "row 4 (ug-kampala), column 'country': UG" in notes[1] and "are they swapped?" in notes[1], notes[1]


@pytest.mark.parametrize(("edit", "expected"), [
    (lambda d: d["criteria"]["power"].update(weight=1e308), "criteria.power.weight"),
    (lambda d: d["criteria"]["power"]["sub"][0].update(zero=-1.7e308, full=1.7e308), "overflows"),
])
def test_profile_values_that_overflow_are_refused(edit, expected):
    from gridscout.scoring.profiles import parse_profile, profile_path

    doc = tomllib.loads(profile_path("balanced").read_text())
    edit(doc)
    with pytest.raises(ProfileError, match=expected):
        parse_profile(doc, "overflow.toml")
