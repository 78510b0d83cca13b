"""How robust is a ranking? Monte Carlo over weights and uncertain inputs, and the Pareto set.

Weights
    Each draw takes criterion weights from a Dirichlet distribution with alpha = κ · w, where w are
    the profile's normalised weights and κ is ``[robustness] weight_concentration``. The draws'
    mean is w and each weight's standard deviation is sqrt(w (1 − w) / (κ + 1)): κ = 50 gives about
    ±0.06 around a weight of 0.25, i.e. "roughly these priorities, give or take a few points".
    A criterion with weight 0 stays 0.

Inputs
    Each column named in ``[robustness.sigma]`` is multiplied per site and draw by a mean-preserving
    lognormal factor exp(σ z − σ²/2), z ~ N(0, 1), σ the relative 1-σ uncertainty; sub-scores are
    then renormalised (so population-dependent normalisations see the perturbed population). The
    shipped profiles use (all relative, and stated as assumptions rather than calibrated values):

    * ``carbon_g_per_kwh`` 10 %: annual averages of one zone differ by about this between
      accounting sources (Electricity Maps lifecycle vs Ember/eGRID direct-plus-upstream) and move
      by 5–15 % from one year to the next as hydro and wind output vary; the warehouse holds one
      year per zone, so the spread is not estimated from our own data.
    * ``price_usd_per_mwh`` 8 %: EIA state industrial retail prices typically move 5–10 % a year,
      and a negotiated large-load tariff differs from the state average.
    * ``pue_annual`` 3 % (≈ ±0.04 at PUE 1.3): the spread of modelled vs reported annual PUE in
      Lei & Masanet, Energy 201:117556 (2020) for hyperscale sites is of this order (≈).
    * ``cooling_design_db_c`` 3 % (≈ ±1 K at 35 °C): the nearest station can be up to 100 km away.

    Inputs are perturbed independently per site (no spatial correlation): a conservative choice
    for ranking stability that overstates swaps between sites in the same zone.

UNKNOWN factors under the ``uncertain`` policy
    In each draw the site takes the sub-score of a known site picked uniformly at random (see
    :func:`gridscout.scoring.normalise.fill_unknown`), after the weight and input draws above.

Outputs per site: ``p_top<k>`` (share of draws in which the site ranks ≤ k among the eligible,
non-excluded sites), ``rank_p05`` / ``rank_p95`` (5th / 95th percentile of its rank over draws) and
``rank_interval`` (their difference: how many places the rank could move).
Excluded sites get p = 0 and null rank percentiles.

Pareto set (:func:`pareto_front`): the non-dominated sites on cost, emissions and water, all
minimised. A site with any UNKNOWN objective is not in the set (dominance cannot be shown).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from gridscout.scoring.normalise import add_broadcast, criterion_score
from gridscout.scoring.profiles import Profile

#: Pareto objectives (all minimised): the first column present with any known value is used.
PARETO_OBJECTIVES = {
    "cost": ("energy_cost_usd_per_year", "price_usd_per_mwh"),
    "emissions": ("emissions_tco2_per_year", "carbon_g_per_kwh"),
    "water": ("water_m3_per_year", "wue_onsite_l_per_kwh"),
}


def dirichlet_weights(profile: Profile, draws: int, rng: np.random.Generator) -> np.ndarray:
    """(draws, criteria) weight draws; columns in ``profile.criteria`` order, rows sum to 1."""
    w = np.array([profile.weights[c.name] for c in profile.criteria])
    out = np.zeros((draws, len(w)))
    pos = w > 0
    out[:, pos] = rng.dirichlet(profile.robustness.weight_concentration * w[pos], size=draws)
    return out


def lognormal_factors(n: int, draws: int, sigma: float, rng: np.random.Generator) -> np.ndarray:
    """Mean-preserving multiplicative factors exp(σ z − σ²/2), shape (n, draws)."""
    z = rng.standard_normal((n, draws), dtype=np.float32).astype(np.float64)
    return np.exp(sigma * z - 0.5 * sigma * sigma)


def ranks_per_draw(scores: np.ndarray, eligible: np.ndarray) -> np.ndarray:
    """Rank (1 = best) of every site in every draw (column); ineligible sites get rank n+1.
    Ties are broken by row order (stable sort)."""
    n, d = scores.shape
    s = np.where(eligible[:, None], scores, -np.inf)
    order = np.argsort(-s, axis=0, kind="stable")
    ranks = np.empty((n, d), dtype=np.int32)
    np.put_along_axis(ranks, order, np.arange(1, n + 1, dtype=np.int32)[:, None].repeat(d, axis=1), axis=0)
    ranks[~eligible] = n + 1
    return ranks


def monte_carlo(features: pl.DataFrame, profile: Profile, eligible: np.ndarray, *, draws: int = 1000,
                top_k: int = 5, seed: int = 0) -> pl.DataFrame:
    """``p_top<k>``, ``rank_p05``, ``rank_p95`` per site (row order kept)."""
    rng = np.random.default_rng(seed)
    n = features.height
    if n == 0 or draws <= 0:
        return pl.DataFrame({f"p_top{top_k}": [None] * n, "rank_p05": [None] * n, "rank_p95": [None] * n,
                             "rank_interval": [None] * n},
                            schema={f"p_top{top_k}": pl.Float64, "rank_p05": pl.Int32, "rank_p95": pl.Int32,
                                    "rank_interval": pl.Int32})
    perturb = {col: lognormal_factors(n, draws, s, rng)
               for col, s in sorted(profile.robustness.sigma.items()) if s > 0 and col in features.columns}
    W = dirichlet_weights(profile, draws, rng)
    total = np.zeros((n, draws))
    for j, crit in enumerate(profile.criteria):
        if not W[:, j].any():
            continue
        cs, _ = criterion_score(features, crit, profile, perturb, rng=rng, draws=draws)
        cs = np.nan_to_num(cs, nan=0.0)  # NaN only under unknown=exclude, and those sites are ineligible
        total = add_broadcast(total, cs * W[None, :, j] if cs.ndim == 2 else cs[:, None] * W[None, :, j])
    ranks = ranks_per_draw(total, eligible)
    p = (ranks <= top_k).mean(axis=1)
    lo, hi = np.quantile(ranks, [0.05, 0.95], axis=1, method="nearest")
    return pl.DataFrame({
        f"p_top{top_k}": np.where(eligible, p, 0.0),
        "rank_p05": pl.Series(np.where(eligible, lo, -1).astype(np.int32)),
        "rank_p95": pl.Series(np.where(eligible, hi, -1).astype(np.int32)),
    }).with_columns(pl.when(pl.Series(eligible)).then(pl.col(c)).otherwise(None).alias(c)
                    for c in ("rank_p05", "rank_p95")).with_columns(
        (pl.col("rank_p95") - pl.col("rank_p05")).alias("rank_interval"))


def pareto_front(obj: np.ndarray) -> np.ndarray:
    """Boolean mask of non-dominated rows of ``obj`` (n, m), all objectives minimised; rows with NaN
    are never in the front and never dominate. Identical rows do not dominate each other.

    Vectorised skyline filter, O(n · front size): each surviving point in turn removes the points it
    dominates (kept: points better somewhere, or equal everywhere)."""
    obj = np.asarray(obj, dtype=float)
    front = np.zeros(len(obj), dtype=bool)
    idx = np.flatnonzero(np.isfinite(obj).all(axis=1))
    x = obj[idx]
    if len(x) == 0:
        return front
    order = np.argsort(x.sum(axis=1), kind="stable")  # likely-dominant points first: faster pruning
    idx, x = idx[order], x[order]
    i = 0
    while i < len(x):
        c = x[i]
        keep = (x < c).any(axis=1) | (x == c).all(axis=1)
        idx, x = idx[keep], x[keep]
        i = int(keep[:i].sum()) + 1
    front[idx] = True
    return front


def pareto_columns(features: pl.DataFrame) -> dict[str, str]:
    """The column chosen for each Pareto objective (only objectives with some known value)."""
    out = {}
    for name, cands in PARETO_OBJECTIVES.items():
        for c in cands:
            if c in features.columns and features[c].null_count() < features.height:
                out[name] = c
                break
    return out


def pareto_set(features: pl.DataFrame, eligible: np.ndarray) -> tuple[np.ndarray, dict[str, str]]:
    """(mask, objective → column) of the eligible sites' Pareto set on cost, emissions and water."""
    cols = pareto_columns(features)
    if not cols:
        return np.zeros(features.height, dtype=bool), cols
    obj = np.column_stack([features[c].cast(pl.Float64).fill_null(np.nan).to_numpy() for c in cols.values()])
    obj[~eligible] = np.nan
    return pareto_front(obj), cols
