"""Profiles: every shipped profile loads; bad profiles fail with the offending key named."""

from __future__ import annotations

import copy
import tomllib

import pytest

from gridscout.errors import ProfileError
from gridscout.scoring.profiles import PROFILES_DIR, available_profiles, load_profile, parse_profile

SHIPPED = ["balanced", "low-carbon", "low-cost", "water-scarce", "ai-training-campus"]


def base_doc() -> dict:
    return tomllib.loads((PROFILES_DIR / "balanced.toml").read_text())


def test_shipped_profiles_present():
    assert set(SHIPPED) <= set(available_profiles())


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_profile_loads(name):
    p = load_profile(name)
    assert p.name == name and p.version and p.description
    assert len(p.sha256) == 64
    assert abs(sum(p.weights.values()) - 1) < 1e-12
    assert p.pointwise, "shipped profiles must be usable for region screening"
    d = p.to_dict()
    assert d["name"] == name and d["weights_normalised"] == p.weights


def test_ai_training_campus_facility():
    p = load_profile("ai-training-campus")
    assert p.facility.cooling == "direct_liquid" and p.facility.it_load_mw >= 100


def test_load_by_path(tmp_path):
    f = tmp_path / "mine.toml"
    f.write_text((PROFILES_DIR / "balanced.toml").read_text())
    assert load_profile(f).name == "balanced"


def test_missing_and_invalid_toml(tmp_path):
    with pytest.raises(ProfileError, match="not found"):
        load_profile("no-such-profile")
    f = tmp_path / "bad.toml"
    f.write_text("name = [unclosed")
    with pytest.raises(ProfileError, match="not valid TOML"):
        load_profile(f)


def _set(doc, path, value):
    d = doc
    for k in path[:-1]:
        d = d[k]
    if value is _DEL:
        del d[path[-1]]
    else:
        d[path[-1]] = value


_DEL = object()

BAD = [
    (("colour",), "blue", "colour"),
    (("criteria", "carbon", "sub", 0, "colour"), "x", "criteria.carbon.sub[0].colour"),
    (("criteria", "power", "weight"), -1, "criteria.power.weight"),
    (("criteria", "carbon", "sub", 0, "normalisation"), "zscore", "criteria.carbon.sub[0].normalisation"),
    (("criteria", "carbon", "sub", 0, "direction"), "up", "criteria.carbon.sub[0].direction"),
    (("criteria", "carbon", "sub", 0, "full"), _DEL, "criteria.carbon.sub[0].full"),
    (("criteria", "carbon", "sub", 0, "full"), 900, "criteria.carbon.sub[0].full"),  # lower-is-better needs full < zero
    (("criteria", "carbon", "sub", 0, "weight"), "heavy", "criteria.carbon.sub[0].weight"),
    (("criteria", "carbon", "sub", 0, "column"), _DEL, "criteria.carbon.sub[0].column"),
    (("criteria", "cooling", "sub", 0, "fallback", "normalisation"), "bad", "criteria.cooling.sub[0].fallback.normalisation"),
    (("criteria", "sunshine"), {"weight": 1, "sub": []}, "criteria.sunshine"),
    (("unknown", "policy"), "ignore", "unknown.policy"),
    (("unknown", "penalty_score"), 80, "unknown.penalty_score"),
    (("unknown", "gate"), "pass", "unknown.gate"),
    (("facility", "cooling"), "fans", "facility.cooling"),
    (("facility", "envelope"), "A9", "facility.envelope"),
    (("facility", "utilisation"), 1.5, "facility.utilisation"),
    (("robustness", "weight_concentration"), 0, "robustness.weight_concentration"),
    (("robustness", "sigma", "carbon_g_per_kwh"), -0.1, "robustness.sigma.carbon_g_per_kwh"),
    (("constraints", "max_sunshine"), "lots", "constraints.max_sunshine"),
    (("constraints", "prefer_cheap"), True, "constraints.prefer_cheap"),
    (("constraints", "excluded_countries"), ["Germany"], "constraints.excluded_countries"),
    (("constraints", "required_countries"), [], "constraints.required_countries"),
    (("constraints", "tolerance"), 2, "constraints.tolerance"),
    (("constraints", "max_water_stress_score"), -1, "constraints.max_water_stress_score"),
    (("name",), "", "name"),
    (("version",), _DEL, "version"),
]


@pytest.mark.parametrize("path,value,key", BAD, ids=[b[2] for b in BAD])
def test_bad_profile_names_key(path, value, key):
    doc = copy.deepcopy(base_doc())
    _set(doc, path, value)
    with pytest.raises(ProfileError) as exc:
        parse_profile(doc, "test.toml")
    assert f"[{key}]" in str(exc.value), str(exc.value)


def test_weights_summing_to_zero():
    doc = base_doc()
    for c in doc["criteria"].values():
        c["weight"] = 0
    with pytest.raises(ProfileError, match=r"\[criteria\].*sum to 0"):
        parse_profile(doc, "test.toml")


def test_impossible_min_above_max():
    doc = base_doc()
    doc["constraints"]["max_capacity_weighted_mw"] = 50
    with pytest.raises(ProfileError, match=r"\[constraints.min_capacity_weighted_mw\] impossible"):
        parse_profile(doc, "test.toml")


def test_impossible_required_all_excluded():
    doc = base_doc()
    doc["constraints"]["required_countries"] = ["DEU"]
    doc["constraints"]["excluded_countries"] = ["DEU", "FRA"]
    with pytest.raises(ProfileError, match=r"\[constraints.required_countries\] impossible"):
        parse_profile(doc, "test.toml")


def test_with_weights_validates():
    p = load_profile("balanced")
    assert p.with_weights(carbon=100).weights["carbon"] > p.weights["carbon"]
    with pytest.raises(ProfileError, match="criteria.carbon.weight"):
        p.with_weights(carbon=-1)
