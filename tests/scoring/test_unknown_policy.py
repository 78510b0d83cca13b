"""UNKNOWN as a policy per factor: penalty, neutral (median of known), uncertain (Monte Carlo), exclude."""

from __future__ import annotations

import re
import tomllib

import numpy as np
import polars as pl
import pytest

from gridscout.errors import ProfileError
from gridscout.scoring import load_profile, score_sites
from gridscout.scoring.normalise import fill_unknown
from gridscout.scoring.profiles import DEFAULT_FACTOR_POLICIES, PROFILES_DIR, parse_profile

SHIPPED = ["balanced", "low-carbon", "low-cost", "water-scarce", "ai-training-campus"]
BALANCED = (PROFILES_DIR / "balanced.toml").read_text()


def doc(**unknown) -> dict:
    d = tomllib.loads(BALANCED)
    d["unknown"] = unknown
    return d


def write(tmp_path, text) -> str:
    f = tmp_path / "mine.toml"
    f.write_text(text)
    return str(f)


# --- the profile key ------------------------------------------------------------------------------

@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_profiles_say_price_and_water_stress_are_uncertain(name):
    u = load_profile(name).unknown
    assert u.factors == {"price": "uncertain", "water_stress_score": "uncertain"}
    text = (PROFILES_DIR / f"{name}.toml").read_text()
    assert "[unknown.factors]" in text  # written in the file, not only a code default


def test_silent_profile_gets_the_defaults_and_an_explicit_policy_gets_what_it_says():
    p = parse_profile(doc(penalty_score=25), "t.toml")
    assert p.unknown.factors == DEFAULT_FACTOR_POLICIES
    price, carbon = p.criterion("price"), p.criterion("carbon")
    assert p.unknown.policy_for("price", price.subs[0]) == "uncertain"
    assert p.unknown.policy_for("carbon", carbon.subs[0]) == "penalty"
    q = parse_profile(doc(policy="neutral"), "t.toml")
    assert q.unknown.factors == {} and q.unknown.policy_for("price", price.subs[0]) == "neutral"
    r = parse_profile(doc(policy="penalty", factors={"carbon": "exclude", "cooling_design_db_c": "neutral"}), "t.toml")
    assert r.unknown.policy_for("carbon", carbon.subs[1]) == "exclude"
    # a fallback column names its sub-criterion (cooling sub[0]: pue_annual -> cooling_design_db_c)
    assert r.unknown.policy_for("cooling", r.criterion("cooling").subs[0]) == "neutral"


@pytest.mark.parametrize("unknown,key", [
    ({"factors": {"price": "ignore"}}, "unknown.factors.price"),
    ({"factors": {"prices": "neutral"}}, "unknown.factors.prices"),
    ({"factors": "uncertain"}, "unknown.factors"),
    ({"policy": "optimistic"}, "unknown.policy"),
])
def test_bad_policy_names_file_and_key(tmp_path, unknown, key):
    block = "\n".join(f"{k} = {v!r}".replace("'", '"') for k, v in unknown.items() if k != "factors" or
                      isinstance(v, str))
    factors = unknown.get("factors")
    if isinstance(factors, dict):
        block += "\n[unknown.factors]\n" + "\n".join(f'{k} = "{v}"' for k, v in factors.items())
    text = re.sub(r"\[unknown\].*?\n\n", f"[unknown]\n{block}\n\n", BALANCED, count=1, flags=re.S)
    path = write(tmp_path, text)
    with pytest.raises(ProfileError, match=rf"{re.escape(path)}: \[{re.escape(key)}\]"):
        load_profile(path)


# --- the fill itself ------------------------------------------------------------------------------

def test_fill_unknown_per_policy():
    s = np.array([10.0, 30.0, 80.0, np.nan, np.nan])
    unk = np.isnan(s)
    assert fill_unknown(s, unk, "penalty", 25).tolist() == [10, 30, 80, 25, 25]
    assert np.isnan(fill_unknown(s, unk, "exclude", 25)[3:]).all()
    assert fill_unknown(s, unk, "neutral", 25).tolist() == [10, 30, 80, 30, 30]  # median of 10, 30, 80
    assert fill_unknown(s, unk, "uncertain", 25).tolist() == [10, 30, 80, 30, 30]  # deterministic: the median
    d = fill_unknown(s, unk, "uncertain", 25, np.random.default_rng(0), draws=3000)
    assert d.shape == (5, 3000) and (d[:3] == s[:3, None]).all()
    assert set(np.unique(d[3:])) == {10.0, 30.0, 80.0}  # only known sites' sub-scores, each about 1/3
    assert np.allclose([(d[3:] == v).mean() for v in (10, 30, 80)], 1 / 3, atol=0.03)
    nothing = np.full(3, np.nan)  # no site knows the factor: nothing to be neutral about -> penalty
    assert fill_unknown(nothing, np.isnan(nothing), "uncertain", 25, np.random.default_rng(0), 10).tolist() == [25] * 3


def test_a_given_median_replaces_the_rows_own():
    """Screening hands in the region's median (gridscout.jobs.screen.region_medians): UNKNOWN rows take
    it under neutral/uncertain whatever the rows scored with them know; NaN (the region knew no value)
    is the penalty; penalty and exclude ignore it, and the Monte Carlo draws still sample known rows."""
    s = np.array([10.0, 30.0, 80.0, np.nan])
    unk = np.isnan(s)
    for policy in ("neutral", "uncertain"):
        assert fill_unknown(s, unk, policy, 25, median=55.0).tolist() == [10, 30, 80, 55]
        assert fill_unknown(s, unk, policy, 25, median=float("nan")).tolist() == [10, 30, 80, 25]
    assert fill_unknown(s, unk, "penalty", 25, median=55.0).tolist() == [10, 30, 80, 25]
    assert np.isnan(fill_unknown(s, unk, "exclude", 25, median=55.0)[3])
    d = fill_unknown(s, unk, "uncertain", 25, np.random.default_rng(0), draws=500, median=55.0)
    assert set(np.unique(d[3])) == {10.0, 30.0, 80.0}


# --- on the 72 real markets -----------------------------------------------------------------------

def _twins(market_features):
    """Two copies of Frankfurt: one with price UNKNOWN, one with the median known (EIA) price."""
    row = market_features.filter(pl.col("site_id") == "de-frankfurt")
    known_median = market_features["price_usd_per_mwh"].drop_nulls().median()
    a = row.with_columns(pl.lit("unknown-twin").alias("site_id"), pl.lit(None, pl.Float64).alias("price_usd_per_mwh"))
    b = row.with_columns(pl.lit("known-twin").alias("site_id"), pl.lit(known_median).alias("price_usd_per_mwh"))
    return pl.concat([market_features, a, b], how="vertical_relaxed"), known_median


def _row(s, site):
    return s.filter(pl.col("site_id") == site).row(0, named=True)


def test_uncertain_price_widens_the_rank_interval(market_features):
    f, _ = _twins(market_features)
    s = score_sites(f, load_profile("balanced"), mc_draws=600, seed=3).scores
    unk, kn = _row(s, "unknown-twin"), _row(s, "known-twin")
    assert not unk["excluded"] and not kn["excluded"]
    assert unk["score"] == pytest.approx(kn["score"], abs=1e-9)  # median price == neutral point estimate
    assert unk["rank_interval"] == unk["rank_p95"] - unk["rank_p05"]
    # seeds 0-4 give 16-17 vs 13-14 places: the known US prices are tight (48-66 USD/MWh for most)
    assert unk["rank_interval"] > kn["rank_interval"], (unk["rank_interval"], kn["rank_interval"])
    # under the old fixed penalty (25/100) the same unknown costs the twin its rank instead
    pen = score_sites(f, parse_profile(doc(policy="penalty", penalty_score=25), "t.toml"), mc_draws=0).scores
    assert _row(pen, "unknown-twin")["rank"] > _row(pen, "known-twin")["rank"]


def test_neutral_is_the_median_known_sub_score(market_features):
    p = parse_profile(doc(policy="neutral"), "t.toml")
    s = score_sites(market_features, p, mc_draws=0).scores
    sub = p.criterion("price").subs[0]  # utility: full 50, zero 150 USD/MWh
    known = market_features["price_usd_per_mwh"].drop_nulls().to_numpy()
    expected = np.median(np.clip((known - sub.zero) / (sub.full - sub.zero), 0, 1) * 100)
    no_price = s.filter(pl.col("price_usd_per_mwh").is_null())
    assert no_price.height > 10 and np.allclose(no_price["score_price"].to_numpy(), expected)


def test_scores_resting_on_unknown_are_flagged(market_features):
    f, _ = _twins(market_features)
    s = score_sites(f, load_profile("balanced"), mc_draws=0).scores
    unk, kn = _row(s, "unknown-twin"), _row(s, "known-twin")
    assert "price_usd_per_mwh (uncertain)" in unk["unknown_factors"] and unk["score_rests_on_unknown"]
    assert "price_usd_per_mwh" not in kn["unknown_factors"]
    # every site without a water-stress value (this fixture warehouse loads no water-stress source) says so
    no_ws = s.filter(pl.col("water_stress_score").is_null()) if "water_stress_score" in s.columns else s
    assert no_ws.height and no_ws["unknown_factors"].str.contains("water_stress_score (uncertain)", literal=True).all()
    assert no_ws["score_rests_on_unknown"].all()


def test_exclude_one_factor_only(market_features):
    p = parse_profile(doc(policy="penalty", penalty_score=25, factors={"price": "exclude"}), "t.toml")
    s = score_sites(market_features, p, mc_draws=0).scores
    no_price = s.filter(pl.col("price_usd_per_mwh").is_null())
    assert no_price["excluded"].all() and no_price["exclusion_reason"].str.contains("price UNKNOWN").all()
    assert not s.filter(pl.col("price_usd_per_mwh").is_not_null())["exclusion_reason"].str.contains("UNKNOWN").any()
