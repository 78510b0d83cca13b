"""Scoring engine on the 72 real markets: weights, gates, UNKNOWN handling, robustness, Pareto."""

from __future__ import annotations

import copy
import itertools
import tomllib

import numpy as np
import polars as pl
import pytest

from gridscout.scoring import load_profile, score_sites
from gridscout.scoring.profiles import PROFILES_DIR, parse_profile
from gridscout.scoring.robustness import pareto_front

SHIPPED = ["balanced", "low-carbon", "low-cost", "water-scarce", "ai-training-campus"]
CRITERIA = ["power", "cooling", "water", "carbon", "price"]
LOW_CARBON_MARKETS = ["fr-paris", "fr-marseille", "se-lulea", "se-stockholm", "ca-montreal", "ca-beauharnois"]


def profile_doc(name="balanced") -> dict:
    return tomllib.loads((PROFILES_DIR / f"{name}.toml").read_text())


def profile_with_constraints(constraints: dict, **unknown):
    doc = profile_doc()
    doc["constraints"] = constraints
    doc["unknown"].update(unknown)
    return parse_profile(doc, "test.toml")


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_profiles_score_markets(market_features, name):
    r = score_sites(market_features, load_profile(name), mc_draws=200)
    s = r.scores
    assert s.height == 72 == market_features.height
    assert s["site_id"].to_list() == market_features["site_id"].to_list()  # row order kept
    for c in CRITERIA:
        v = s[f"score_{c}"]
        assert v.null_count() == 0 and v.min() >= 0 and v.max() <= 100
    assert s["score"].min() >= 0 and s["score"].max() <= 100
    contrib = s.select(pl.sum_horizontal([f"contrib_{c}" for c in CRITERIA]))
    assert np.allclose(contrib.to_series().to_numpy(), s["score"].to_numpy())
    ex = s.filter(pl.col("excluded"))
    assert ex["rank"].null_count() == ex.height and (ex["exclusion_reason"] != "").all()
    kept = s.filter(~pl.col("excluded"))
    assert kept["rank"].null_count() == 0 and kept["rank"].min() == 1
    assert (kept.sort("rank")["score"].diff().drop_nulls() <= 1e-12).all()
    assert r.gates.height == 72 * len(load_profile(name).constraints)
    assert r.profile["name"] == name and len(r.profile["sha256"]) == 64


def test_raising_carbon_weight_moves_low_carbon_grids_up(market_features):
    p = load_profile("balanced")
    base = score_sites(market_features, p, mc_draws=0).scores
    heavy = score_sites(market_features, p.with_weights(carbon=p.criterion("carbon").weight * 6), mc_draws=0).scores
    rb = dict(zip(base["site_id"], base["rank"]))
    rh = dict(zip(heavy["site_id"], heavy["rank"]))
    for site in LOW_CARBON_MARKETS:
        assert rh[site] <= rb[site], (site, rb[site], rh[site])
    assert sum(rb[s] - rh[s] for s in LOW_CARBON_MARKETS) >= 10
    # and a coal-heavy grid moves down
    coal = base.sort("carbon_g_per_kwh", descending=True, nulls_last=True).filter(~pl.col("excluded"))["site_id"][0]
    assert rh[coal] >= rb[coal]


def test_raising_price_weight_rewards_cheap_power(market_features):
    p = load_profile("balanced")
    base = score_sites(market_features, p, mc_draws=0).scores
    heavy = score_sites(market_features, p.with_weights(price=200), mc_draws=0).scores
    rb, rh = dict(zip(base["site_id"], base["rank"])), dict(zip(heavy["site_id"], heavy["rank"]))
    assert rh["us-wa-quincy"] <= rb["us-wa-quincy"]


def test_max_constraint_excludes_exactly_the_violators(market_features):
    p = profile_with_constraints({"max_carbon_g_per_kwh": 450, "tolerance": 0.0})
    s = score_sites(market_features, p, mc_draws=0).scores
    carbon = s["carbon_g_per_kwh"]
    expected = set(s.filter(carbon > 450)["site_id"])
    assert expected and set(s.filter(pl.col("excluded"))["site_id"]) == expected
    row = s.filter(pl.col("site_id") == sorted(expected)[0]).row(0, named=True)
    assert f"carbon_g_per_kwh = {row['carbon_g_per_kwh']}" in row["exclusion_reason"]
    assert "max 450" in row["exclusion_reason"] and "max_carbon_g_per_kwh FAIL" in row["exclusion_reason"]
    assert set(s.filter(carbon.is_null())["gate_max_carbon_g_per_kwh"]) <= {"UNKNOWN"}
    assert (s.filter(carbon <= 450)["gate_max_carbon_g_per_kwh"] == "PASS").all()


def test_conditional_band(market_features):
    p = profile_with_constraints({"max_carbon_g_per_kwh": 400, "tolerance": 0.25})
    s = score_sites(market_features, p, mc_draws=0).scores
    c, g = s["carbon_g_per_kwh"], s["gate_max_carbon_g_per_kwh"]
    band = s.filter((c > 400) & (c <= 500))
    assert band.height and (band["gate_max_carbon_g_per_kwh"] == "CONDITIONAL").all()
    assert not band["excluded"].any() and (band["gate_status"] == "CONDITIONAL").all()
    assert band["gate_flags"].str.contains("CONDITIONAL").all()
    assert set(s.filter(c > 500)["site_id"]) == set(s.filter(pl.col("excluded"))["site_id"])
    assert (g.filter(c > 500) == "FAIL").all()


def test_min_capacity_and_country_gates(market_features):
    p = profile_with_constraints({"min_capacity_within_50km_mw": 1000, "excluded_countries": ["USA", "IND"],
                                  "tolerance": 0.0})
    s = score_sites(market_features, p, mc_draws=0).scores
    # a low figure from a low-confidence plant list (not a national inventory) is flagged, not failed
    trusted_low = (pl.col("capacity_within_50km_mw") < 1000) & (pl.col("capacity__confidence") == "high")
    viol = trusted_low | pl.col("country").is_in(["USA", "IND"])
    assert set(s.filter(viol)["site_id"]) == set(s.filter(pl.col("excluded"))["site_id"])
    weak = s.filter((pl.col("capacity_within_50km_mw") < 1000) & (pl.col("capacity__confidence") == "low")
                    & ~pl.col("country").is_in(["USA", "IND"]))
    assert weak.height and not weak["excluded"].any()
    both = s.filter((pl.col("capacity_within_50km_mw") < 1000) & (pl.col("country") == "USA"))
    assert both.height and both["exclusion_reason"].str.contains("country USA is excluded").all()
    assert both["exclusion_reason"].str.contains("capacity_within_50km_mw").all()
    req = score_sites(market_features, profile_with_constraints({"required_countries": ["DEU", "FRA"]}),
                      mc_draws=0).scores
    assert set(req.filter(~pl.col("excluded"))["country"]) == {"DEU", "FRA"}


def _twins(market_features, column, known_value):
    """Two copies of one real market: one with ``column`` null (UNKNOWN), one with a known value."""
    row = market_features.filter(pl.col("site_id") == "de-frankfurt")
    a = row.with_columns(pl.lit("unknown-twin").alias("site_id"),
                         pl.lit(None, dtype=market_features.schema[column]).alias(column))
    b = row.with_columns(pl.lit("known-twin").alias("site_id"),
                         pl.lit(known_value).cast(market_features.schema[column]).alias(column))
    return pl.concat([market_features, a, b])


@pytest.mark.parametrize("name", SHIPPED)
@pytest.mark.parametrize("column,good", [("carbon_g_per_kwh", 150.0), ("price_usd_per_mwh", 60.0),
                                         ("capacity_weighted_mw", 4000.0), ("cooling_design_db_c", 28.0)])
def test_unknown_never_outscores_known_good(market_features, name, column, good):
    s = score_sites(_twins(market_features, column, good), load_profile(name), mc_draws=0).scores
    unk = s.filter(pl.col("site_id") == "unknown-twin").row(0, named=True)
    kn = s.filter(pl.col("site_id") == "known-twin").row(0, named=True)
    assert unk["score"] < kn["score"]
    if not unk["excluded"] and not kn["excluded"]:
        assert unk["rank"] > kn["rank"]
    if column != "cooling_design_db_c":  # cooling_design_db_c is a fallback: pue_annual absent -> UNKNOWN
        assert column in unk["unknown_columns"]


def test_unknown_gate_is_never_pass(market_features):
    p = profile_with_constraints({"max_carbon_g_per_kwh": 450})
    s = score_sites(_twins(market_features, "carbon_g_per_kwh", 100.0), p, mc_draws=0).scores
    unk = s.filter(pl.col("site_id") == "unknown-twin").row(0, named=True)
    assert unk["gate_max_carbon_g_per_kwh"] == "UNKNOWN" and unk["gate_status"] == "UNKNOWN"
    assert not unk["excluded"] and "UNKNOWN" in unk["gate_flags"]  # kept, visibly flagged
    p2 = profile_with_constraints({"max_carbon_g_per_kwh": 450}, gate="exclude")
    s2 = score_sites(_twins(market_features, "carbon_g_per_kwh", 100.0), p2, mc_draws=0).scores
    unk2 = s2.filter(pl.col("site_id") == "unknown-twin").row(0, named=True)
    assert unk2["excluded"] and "carbon_g_per_kwh UNKNOWN" in unk2["exclusion_reason"] and unk2["rank"] is None


def test_absent_column_gate_is_unknown(market_features):
    p = profile_with_constraints({"max_water_stress_score": 3})
    s = score_sites(market_features, p, mc_draws=0).scores
    assert (s["gate_max_water_stress_score"] == "UNKNOWN").all()
    assert "water" in s["unknown_criteria"][0]


def test_unknown_policy_exclude(market_features):
    doc = profile_doc()
    doc["unknown"]["policy"] = "exclude"
    doc["unknown"].pop("factors")  # the shipped price = "uncertain" would override the exclusion
    doc["constraints"] = {}
    doc["criteria"] = {k: v for k, v in doc["criteria"].items() if k in ("power", "carbon", "price")}
    # power sub-criteria whose source the first-slice warehouse does not load (e.g. eia930 headroom) are all UNKNOWN
    doc["criteria"]["power"]["sub"] = [sub for sub in doc["criteria"]["power"]["sub"]
                                       if market_features[sub["column"]].null_count() < market_features.height]
    s = score_sites(market_features, parse_profile(doc, "t.toml"), mc_draws=0).scores
    no_price = s.filter(pl.col("price_usd_per_mwh").is_null())
    assert no_price.height and no_price["excluded"].all() and no_price["score_price"].null_count() == no_price.height
    assert no_price["exclusion_reason"].str.contains("price UNKNOWN").all()
    assert not s.filter(pl.col("price_usd_per_mwh").is_not_null() & pl.col("carbon_g_per_kwh").is_not_null())[
        "excluded"].any()


def test_generic_column_from_other_modules(market_features):
    """A criterion column produced elsewhere (e.g. features.power) is read by name once present."""
    doc = profile_doc()
    doc["criteria"]["power"]["sub"] = [{"column": "substation_distance_km", "direction": "lower", "weight": 1,
                                        "normalisation": "utility", "full": 5, "zero": 50}]
    p = parse_profile(doc, "t.toml")
    s0 = score_sites(market_features.drop("substation_distance_km"), p, mc_draws=0).scores  # absent: UNKNOWN
    assert (s0["score_power"] == p.unknown.penalty_score).all()
    f = market_features.with_columns(pl.Series("substation_distance_km", np.linspace(0, 60, 72)))
    s1 = score_sites(f, p, mc_draws=0).scores
    assert s1["score_power"][0] == 100 and s1["score_power"][71] == 0


def test_rank_and_minmax_normalisation():
    doc = profile_doc()
    doc["constraints"] = {}
    doc["unknown"].pop("factors")  # its price / water_stress_score keys name factors this profile drops
    doc["criteria"] = {"carbon": {"weight": 1, "sub": [
        {"column": "carbon_g_per_kwh", "direction": "lower", "weight": 1, "normalisation": "rank"},
        {"column": "renewable_pct", "direction": "higher", "weight": 1, "normalisation": "minmax"}]}}
    f = pl.DataFrame({"site_id": list("abcd"), "carbon_g_per_kwh": [100.0, 300.0, 200.0, None],
                      "renewable_pct": [10.0, 30.0, 20.0, 50.0]})
    s = score_sites(f, parse_profile(doc, "t.toml"), mc_draws=0).scores
    # rank: 100 -> 100, 200 -> 50, 300 -> 0; minmax 10..50
    assert s["score_carbon"].to_list() == pytest.approx([(100 + 0) / 2, (0 + 50) / 2, (50 + 25) / 2, (25 + 100) / 2])  # d: carbon UNKNOWN -> penalty 25


def test_monte_carlo(market_features):
    s = score_sites(market_features, load_profile("balanced"), mc_draws=1000, seed=1).scores
    p = s["p_top5"]
    assert p.min() >= 0 and p.max() <= 1
    assert p.sum() == pytest.approx(5.0, abs=1e-9)
    kept = s.filter(~pl.col("excluded"))
    inside = ((kept["rank_p05"] <= kept["rank"]) & (kept["rank"] <= kept["rank_p95"])).mean()
    assert inside >= 0.9
    assert (kept["rank_p05"] <= kept["rank_p95"]).all()
    ex = s.filter(pl.col("excluded"))
    assert (ex["p_top5"] == 0).all() and ex["rank_p05"].null_count() == ex.height
    # reproducible with a seed, and the top site is robust
    again = score_sites(market_features, load_profile("balanced"), mc_draws=1000, seed=1).scores
    assert again["p_top5"].to_list() == p.to_list()
    assert kept.sort("rank")["p_top5"][0] > 0.5


def test_top_k_parameter(market_features):
    s = score_sites(market_features, load_profile("low-carbon"), mc_draws=300, top_k=10).scores
    assert s["p_top10"].sum() == pytest.approx(10.0)


def _brute_force_front(obj):
    n = len(obj)
    ok = [bool(np.isfinite(obj[i]).all()) for i in range(n)]
    out = []
    for i in range(n):
        if not ok[i]:
            out.append(False)
            continue
        dom = any(ok[j] and all(obj[j][k] <= obj[i][k] for k in range(obj.shape[1]))
                  and any(obj[j][k] < obj[i][k] for k in range(obj.shape[1])) for j in range(n) if j != i)
        out.append(not dom)
    return np.array(out)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_pareto_front_matches_brute_force(seed):
    rng = np.random.default_rng(seed)
    obj = rng.integers(0, 8, size=(300, 3)).astype(float)  # many ties
    obj[rng.random(300) < 0.05, 1] = np.nan
    assert np.array_equal(pareto_front(obj), _brute_force_front(obj))


def test_pareto_on_markets_is_non_dominated(market_features):
    r = score_sites(market_features, load_profile("balanced"), mc_draws=0)
    s = r.scores
    cols = list(r.meta["pareto_objectives"].values())
    assert cols == ["price_usd_per_mwh", "carbon_g_per_kwh"]
    front = s.filter(pl.col("pareto"))
    assert front.height >= 1 and not front["excluded"].any()
    elig = s.filter(~pl.col("excluded")).select(cols).drop_nulls().to_numpy()
    for a in front.select(cols).to_numpy():
        assert not any((b <= a).all() and (b < a).any() for b in elig)
    # every eligible, fully known site off the front is dominated by some front member
    fr = front.select(cols).to_numpy()
    for a in s.filter(~pl.col("excluded") & ~pl.col("pareto")).select(cols).drop_nulls().to_numpy():
        assert any((b <= a).all() and (b < a).any() for b in fr)


def test_pareto_prefers_model_columns_when_present(market_features):
    f = market_features.with_columns(
        (pl.col("price_usd_per_mwh") * 400_000).alias("energy_cost_usd_per_year"),
        (pl.col("carbon_g_per_kwh") * 400).alias("emissions_tco2_per_year"),
        pl.Series("water_m3_per_year", np.random.default_rng(0).uniform(1e4, 1e6, 72)))
    r = score_sites(f, load_profile("balanced"), mc_draws=0)
    assert r.meta["pareto_objectives"] == {"cost": "energy_cost_usd_per_year", "emissions": "emissions_tco2_per_year",
                                           "water": "water_m3_per_year"}
    assert r.scores["pareto"].sum() >= 1


def test_without_site_id_column():
    f = pl.DataFrame({"carbon_g_per_kwh": [100.0, 600.0], "capacity_within_50km_mw": [3000.0, 3000.0],
                      "on_land": [True, True]})
    s = score_sites(f, load_profile("balanced"), mc_draws=50).scores
    assert "site_id" not in s.columns and s["rank"].to_list() == [1, 2]
