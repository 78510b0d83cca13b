"""Bad scoring profiles: the real CLI exits 2 with a message naming the key; no stack trace."""

from __future__ import annotations

import pytest

from gridscout.config import PROJECT_ROOT
from gridscout.errors import ProfileError
from gridscout.scoring.profiles import load_profile
from tests.reliability.faults import cli

BALANCED = (PROJECT_ROOT / "data" / "profiles" / "balanced.toml").read_text(encoding="utf-8")

BAD_PROFILES = {
    # name: (edit of balanced.toml, key the message must name)
    "unknown_top_key": (lambda s: 'colour = "green"\n' + s, "[colour] unknown key"),
    "unknown_criterion_key": (lambda s: s.replace("[criteria.power]\nweight = 25", "[criteria.power]\nweight = 25\nwieght = 3"),
                              "[criteria.power.wieght] unknown key"),
    "negative_weight": (lambda s: s.replace("[criteria.power]\nweight = 25", "[criteria.power]\nweight = -25"),
                        "[criteria.power.weight] must be ≥ 0.0"),
    "weights_sum_to_zero": (lambda s: s.replace("weight = 25", "weight = 0").replace("weight = 20", "weight = 0")
                            .replace("weight = 15", "weight = 0"), "[criteria] criterion weights sum to 0"),
    "string_weight": (lambda s: s.replace("[criteria.carbon]\nweight = 25", '[criteria.carbon]\nweight = "high"'),
                      "[criteria.carbon.weight] must be a finite number"),
    "impossible_min_max": (lambda s: s.replace("min_capacity_weighted_mw = 100",
                                               "min_capacity_weighted_mw = 500\nmax_capacity_weighted_mw = 100"),
                           "[constraints.min_capacity_weighted_mw] impossible"),
    "required_all_excluded": (lambda s: s + '', None),  # replaced below (needs the constraints table)
    "negative_max_excludes_all": (lambda s: s.replace("min_capacity_weighted_mw = 100", "max_capacity_weighted_mw = -1"),
                                  "[constraints.max_capacity_weighted_mw] no site can have"),
    "not_toml": (lambda s: s.replace("[criteria.power]", "[criteria.power"), "not valid TOML"),
}
BAD_PROFILES["required_all_excluded"] = (
    lambda s: s.replace("on_land = true", 'on_land = true\nrequired_countries = ["DEU"]\nexcluded_countries = ["DEU", "FRA"]'),
    "[constraints.required_countries] impossible")


@pytest.mark.parametrize("name", sorted(BAD_PROFILES))
def test_bad_profile_names_the_key(tmp_path, name):
    edit, expected = BAD_PROFILES[name]
    p = tmp_path / f"{name}.toml"
    p.write_text(edit(BALANCED), encoding="utf-8")
    with pytest.raises(ProfileError) as err:
        load_profile(p)
    assert expected in str(err.value)
    assert str(p) in str(err.value)


def _cli_bad_profile(wh, tmp_path, name):
    edit, expected = BAD_PROFILES[name]
    p = tmp_path / f"{name}.toml"
    p.write_text(edit(BALANCED), encoding="utf-8")
    out = tmp_path / "out"
    proc = cli("score", "--profile", str(p), "--db", str(wh), "--out", str(out))
    return proc, p, out, expected


@pytest.mark.parametrize("name", ["negative_weight", "impossible_min_max"])
def test_cli_bad_profile_exit_2_without_traceback(wh, tmp_path, name):
    proc, p, out, expected = _cli_bad_profile(wh, tmp_path, name)
    assert proc.returncode == 2, proc.stderr[-2000:]
    msg = " ".join(proc.stderr.split())
    assert "error:" in msg and str(p) in msg and expected.split("] ", 1)[1] in msg
    assert "Traceback" not in proc.stderr + proc.stdout
    assert not out.exists()


def test_cli_bad_profile_message_names_the_key(wh, tmp_path):
    proc, p, out, expected = _cli_bad_profile(wh, tmp_path, "unknown_criterion_key")
    assert proc.returncode == 2
    assert expected in " ".join(proc.stderr.split())


def test_constraint_nothing_survives_is_reported_not_crashed(wh, tmp_path, markets_small):
    """A satisfiable-looking constraint that no real site meets: every site excluded, each with its reason.
    (A capacity minimum would only flag sites whose plant list is low confidence, issue 13: a carbon
    maximum no grid meets excludes them all.)"""
    import polars as pl

    from gridscout.jobs.score import score_candidates

    p = tmp_path / "strict.toml"
    p.write_text(BALANCED.replace("min_capacity_weighted_mw = 100", "max_carbon_g_per_kwh = 1"), encoding="utf-8")
    res = score_candidates(markets_small, p, tmp_path / "out", db=wh, mc_draws=20)
    assert res.scores["excluded"].all()
    assert res.scores["rank"].is_null().all()
    assert res.scores.filter(pl.col("exclusion_reason").str.contains("max_carbon_g_per_kwh")).height \
        == res.scores.height


def test_an_impossible_capacity_minimum_fails_trusted_plant_data_and_flags_the_rest(wh, tmp_path, markets_small):
    """Issue 13: a 10 GW minimum excludes the US sites (EIA-860, a national inventory) and only flags sites
    whose plant list is GPPD's global compilation (low confidence), with the reason."""
    import polars as pl

    from gridscout.jobs.score import score_candidates

    p = tmp_path / "strict_mw.toml"
    p.write_text(BALANCED.replace("min_capacity_weighted_mw = 100", "min_capacity_weighted_mw = 10000000"),
                 encoding="utf-8")
    s = score_candidates(markets_small, p, tmp_path / "out", db=wh, mc_draws=20).scores
    us = s.filter(pl.col("country") == "USA")
    assert us.height == 2 and us["excluded"].all()
    assert us["exclusion_reason"].str.contains("min_capacity_weighted_mw").all()
    weak = s.filter(pl.col("capacity__confidence") == "low")
    assert weak.height >= 3 and not weak["excluded"].any()
    assert weak["gate_flags"].str.contains("low-confidence plant data").all()
