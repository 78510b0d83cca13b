"""Sub-criterion normalisation to 0–100, vectorised over sites (axis 0) and optional draws (axis 1).

Values are float arrays with NaN for UNKNOWN. Population-dependent normalisations (``minmax``
without bounds, ``rank``) use the sites with a known value in the same column (per draw).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from gridscout.scoring.profiles import Criterion, Profile, SubCriterion


def add_broadcast(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a + b where either is (n,) and the other (n,) or (n, draws)."""
    if a.ndim == 1 and b.ndim == 2:
        return a[:, None] + b
    if a.ndim == 2 and b.ndim == 1:
        return a + b[:, None]
    return a + b


def column_values(features: pl.DataFrame, column: str) -> np.ndarray:
    """The column as float64 with NaN for null; all-NaN when the column is absent (UNKNOWN)."""
    if column not in features.columns:
        return np.full(features.height, np.nan)
    s = features[column]
    if s.dtype == pl.Boolean:
        s = s.cast(pl.Float64)
    return s.cast(pl.Float64).fill_null(np.nan).to_numpy().astype(np.float64, copy=False)


def normalise(sub: SubCriterion, x: np.ndarray) -> np.ndarray:
    """0–100 sub-score of ``x`` (shape (n,) or (n, draws)); NaN stays NaN (UNKNOWN)."""
    with np.errstate(invalid="ignore", divide="ignore", all="ignore"):
        if sub.normalisation == "utility":
            t = (x - sub.zero) / (sub.full - sub.zero)
            return np.clip(t, 0.0, 1.0) * 100.0
        if sub.normalisation == "minmax":
            if sub.lo is not None:
                lo, hi = sub.lo, sub.hi
            else:
                known = np.isfinite(x).any(axis=0)
                lo = np.where(known, np.nanmin(np.where(np.isfinite(x), x, np.inf), axis=0), 0.0)
                hi = np.where(known, np.nanmax(np.where(np.isfinite(x), x, -np.inf), axis=0), 1.0)
            span = np.asarray(hi - lo, dtype=float)
            t = np.where(span > 0, (x - lo) / np.where(span > 0, span, 1.0), 1.0)
            t = np.clip(t, 0.0, 1.0)
        else:  # rank: percentile among known values, ties averaged
            from scipy.stats import rankdata  # only for rank sub-criteria: scipy.stats is ~0.3 s to import

            r = rankdata(x, axis=0, nan_policy="omit")
            m = np.isfinite(x).sum(axis=0)
            t = np.where(m > 1, (r - 1.0) / np.maximum(m - 1.0, 1.0), 1.0)
        t = np.where(np.isfinite(x), t, np.nan)
        return (1.0 - t if sub.direction == "lower" else t) * 100.0


def sub_score(features: pl.DataFrame, sub: SubCriterion,
              perturb: dict[str, np.ndarray] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(sub-score, index of the chain link used per row: 0 primary, 1.. fallback, −1 UNKNOWN).

    ``perturb`` maps a column name to multiplicative factors (shape (n, draws)) applied before
    normalising (Monte Carlo); the result then has shape (n, draws)."""
    out = None
    used = np.full(features.height, -1, dtype=np.int8)
    for i, link in enumerate(sub.chain()):
        x = column_values(features, link.column)
        known = np.isfinite(x)
        if perturb and link.column in perturb:
            x = x[:, None] * perturb[link.column]
        s = normalise(link, x)
        if out is None:
            out = s
        else:
            if s.ndim > out.ndim:
                out = np.broadcast_to(out[:, None], s.shape).copy()
            take = (used == -1) & known
            out = np.where(take[:, None] if out.ndim == 2 else take,
                           s if s.ndim == out.ndim else s[:, None], out)
        used = np.where((used == -1) & known, i, used).astype(np.int8)
    return out, used


def fill_unknown(s: np.ndarray, unk: np.ndarray, policy: str, penalty: float,
                 rng: np.random.Generator | None = None, draws: int = 0, *, median: float | None = None
                 ) -> np.ndarray:
    """Sub-scores ``s`` ((n,) or (n, draws)) with the UNKNOWN rows ``unk`` filled under ``policy``.

    ``penalty``: ``penalty``; ``exclude``: NaN; ``neutral``: median of the known rows (per draw);
    ``uncertain``: that median, or with ``rng`` and ``draws`` > 0, per draw the sub-score of a known
    row picked uniformly at random (result (n, draws)). With no known row, ``neutral`` and
    ``uncertain`` fall back to ``penalty`` (see :class:`gridscout.scoring.profiles.UnknownPolicy`).
    ``median`` (deterministic scores only): the median to use instead of the rows' own, taken over a
    larger population (screening: :func:`unknown_medians` of a sample of the whole region); NaN when
    that population knew no value (then ``penalty``)."""
    if not unk.any():
        return s
    known = ~unk
    mask = unk[:, None] if s.ndim == 2 else unk
    if policy == "exclude":
        return np.where(mask, np.nan, s)
    if median is not None and policy in ("neutral", "uncertain") and not (rng is not None and draws > 0):
        return np.where(mask, penalty if np.isnan(median) else median, s)
    if policy == "penalty" or not known.any():
        return np.where(mask, penalty, s)
    if policy == "uncertain" and rng is not None and draws > 0:
        s2 = s if s.ndim == 2 else np.broadcast_to(s[:, None], (len(s), draws))
        k = np.flatnonzero(known)
        u = np.flatnonzero(unk)
        pick = k[rng.integers(0, len(k), size=(len(u), s2.shape[1]))]
        out = s2.copy()
        out[u] = s2[pick, np.arange(s2.shape[1])[None, :]]
        return out
    med = np.median(s[known], axis=0)
    return np.where(mask, med, s)


def criterion_score(features: pl.DataFrame, crit: Criterion, profile: Profile,
                    perturb: dict[str, np.ndarray] | None = None, *, rng: np.random.Generator | None = None,
                    draws: int = 0, medians: dict[str, float] | None = None
                    ) -> tuple[np.ndarray, list[tuple[str, np.ndarray, str]]]:
    """(criterion score 0–100, [(sub column, UNKNOWN mask, policy)]) — weighted mean of sub-scores.

    UNKNOWN sub-scores are filled by :func:`fill_unknown` under the sub-criterion's policy
    (``profile.unknown.policy_for``); ``rng``/``draws`` are the Monte Carlo's (``uncertain`` draws);
    ``medians`` (by sub-criterion column, :func:`unknown_medians`): the ``neutral``/``uncertain``
    medians to use instead of the rows' own (a column missing from it: no known value, ``penalty``)."""
    tot = sum(s.weight for s in crit.subs)
    acc = None
    unknowns = []
    for sub in crit.subs:
        s, used = sub_score(features, sub, perturb)
        unk = used == -1
        policy = profile.unknown.policy_for(crit.name, sub)
        unknowns.append((sub.column, unk, policy))
        s = fill_unknown(s, unk, policy, profile.unknown.penalty_score, rng, draws,
                         median=None if medians is None else medians.get(sub.column, np.nan))
        term = s * (sub.weight / tot)
        acc = term if acc is None else add_broadcast(acc, term)
    return acc, unknowns


def unknown_medians(features: pl.DataFrame, profile: Profile) -> dict[str, float]:
    """The median sub-score of the known rows of ``features`` for every sub-criterion scored under
    ``neutral`` or ``uncertain`` (by its column; NaN where no row knows it) — what
    :func:`fill_unknown` gives an UNKNOWN row, computed once over one population so that rows scored
    apart (a screened region's batches, parents or Dask partitions) get the same value."""
    out: dict[str, float] = {}
    for sub in median_factors(profile):
        s, used = sub_score(features, sub)
        known = used != -1
        out[sub.column] = float(np.median(s[known])) if known.any() else float("nan")
    return out


def median_factors(profile: Profile) -> list[SubCriterion]:
    """The sub-criteria ``profile`` scores under ``neutral`` or ``uncertain`` when UNKNOWN."""
    return [sub for crit in profile.criteria for sub in crit.subs
            if profile.unknown.policy_for(crit.name, sub) in ("neutral", "uncertain")]
