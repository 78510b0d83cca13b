"""Score locations against a profile: gates, sub-criteria, composite score, rank, robustness.

Columns added to the input by :func:`score_sites` (and, without rank/robustness, by
:func:`score_frame`, which region screening uses):

``score_<criterion>`` [0–100]
    Weighted mean of the criterion's sub-scores. An UNKNOWN sub-criterion is scored by its factor's
    policy (:class:`gridscout.scoring.profiles.UnknownPolicy`): ``penalty`` → ``penalty_score`` (≤ 50,
    never good); ``neutral`` / ``uncertain`` → the median of the known sites' sub-scores (``uncertain``
    also spreads it over the known sites in the Monte Carlo); ``exclude`` → null and the site is
    excluded.
``contrib_<criterion>`` [points]
    normalised criterion weight × criterion score; they sum to ``score``.
``score`` [0–100]
    Composite; computed for excluded sites too (so a user sees what they would have scored).
``excluded`` / ``exclusion_reason``
    Excluded when a gate FAILs (or is UNKNOWN under ``[unknown] gate = "exclude"``), or a criterion is
    UNKNOWN under ``policy = "exclude"``; the reason names each gate with the value and the limit.
``gate_<name>``, ``gate_status``, ``gate_flags``
    PASS / CONDITIONAL / FAIL / UNKNOWN per gate (see :mod:`gridscout.scoring.gates`); the overall
    ``gate_status`` is PASS only when every gate passes. ``gate_flags`` lists CONDITIONAL and
    (non-excluding) UNKNOWN gates: such sites are kept and ranked but visibly flagged.
``unknown_criteria`` / ``unknown_columns``
    Comma-separated criteria / columns scored as UNKNOWN ('' when none).
``unknown_factors``
    The UNKNOWN columns with the policy that scored each, e.g. ``price_usd_per_mwh (uncertain)``.
``score_rests_on_unknown``
    True when any weighted sub-criterion of the score is UNKNOWN (the report marks these scores).
``rank``
    1 = best among non-excluded sites (ties share the lower rank); null for excluded sites.
``p_top<k>``, ``rank_p05``, ``rank_p95``, ``rank_interval``
    Monte Carlo robustness (:mod:`gridscout.scoring.robustness`); ``rank_interval`` = ``rank_p95`` −
    ``rank_p05``, how far the rank could move; null for excluded sites.
``pareto``
    In the non-dominated set on cost, emissions and water (excluded sites never are).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from gridscout.scoring import reported
from gridscout.scoring.gates import evaluate_gates, gates_long
from gridscout.scoring.normalise import criterion_score
from gridscout.scoring.profiles import Profile
from gridscout.scoring.robustness import monte_carlo, pareto_set


@dataclass
class ScoreResult:
    """``scores``: input columns + score columns (row order kept); ``gates``: long gate table
    (site_id, gate, column, limit, value, status); ``profile``: the profile as a dict (with sha256);
    ``meta``: draws, seed, top_k and the Pareto objective columns."""

    scores: pl.DataFrame
    gates: pl.DataFrame
    profile: dict[str, Any]
    meta: dict[str, Any] = field(default_factory=dict)


def score_frame(features: pl.DataFrame, profile: Profile, *, medians: dict[str, float] | None = None
                ) -> pl.DataFrame:
    """Deterministic, row-wise part of scoring: gates, criterion scores, composite, exclusion.

    Pointwise (row-independent) when every sub-criterion is (``profile.pointwise``) and the UNKNOWN
    medians come from elsewhere (``medians``: :func:`~gridscout.scoring.normalise.unknown_medians` of a
    larger population; None: the medians of these rows)."""
    n = features.height
    gates = evaluate_gates(features, profile)
    w = profile.weights
    crit_cols: dict[str, np.ndarray] = {}
    # (mask, label) per criterion / sub-criterion, in profile order, joined per row by joined_labels
    crit_unknown: list[tuple[np.ndarray, str]] = []
    col_unknown: list[tuple[np.ndarray, str]] = []
    factor_unknown: list[tuple[np.ndarray, str]] = []
    reason_unknown: list[tuple[np.ndarray, str]] = []
    rests = np.zeros(n, dtype=bool)
    excl_unknown = np.zeros(n, dtype=bool)
    for crit in profile.criteria:
        cs, unknowns = criterion_score(features, crit, profile, medians=medians)
        crit_cols[crit.name] = cs
        any_unk = np.zeros(n, dtype=bool)
        excl = np.zeros(n, dtype=bool)
        for sub, (col, m, policy) in zip(crit.subs, unknowns):
            any_unk |= m
            col_unknown.append((m, col))
            factor_unknown.append((m, f"{col} ({policy})"))
            if w[crit.name] > 0 and sub.weight > 0:
                rests |= m
            if policy == "exclude":
                excl |= m
        crit_unknown.append((any_unk, crit.name))
        excl_unknown |= excl
        reason_unknown.append((excl, f"{crit.name} UNKNOWN (unknown policy = exclude)"))

    score = np.zeros(n)
    new = {}
    for name, cs in crit_cols.items():
        new[f"score_{name}"] = cs
        new[f"contrib_{name}"] = w[name] * cs
        score = score + w[name] * cs
    frame = pl.DataFrame({k: pl.Series(k, v).fill_nan(None) for k, v in new.items()}).with_columns(
        pl.Series("score", score).fill_nan(None))
    # the added columns are built on the narrow gate frame, not the wide features (whose many chunks
    # make every whole-frame with_columns/drop slow), then put beside the features
    gates = gates.with_columns(
        (pl.col("gate_excluded") | pl.Series(excl_unknown)).alias("excluded"),
        pl.concat_str([pl.col("gate_reason").replace("", None),
                       joined_labels("_unknown_reason", reason_unknown, "; ").replace("", None)],
                      separator="; ", ignore_nulls=True).fill_null("").alias("exclusion_reason"),
        joined_labels("unknown_criteria", crit_unknown, ","),
        joined_labels("unknown_columns", col_unknown, ","),
        joined_labels("unknown_factors", factor_unknown, ", "),
        pl.Series("score_rests_on_unknown", rests),
    ).drop("gate_excluded", "gate_reason")
    return pl.concat([features, frame, gates], how="horizontal")


def joined_labels(name: str, flagged: list[tuple[np.ndarray, str]], separator: str) -> pl.Series:
    """Per row, the labels of ``flagged`` (``(mask, label)`` pairs, in order) whose mask is set, joined
    by ``separator`` ('' when none) — the text a row-wise ``concat_str`` gives, built once per
    distinct combination of masks (a handful among millions of screening cells) and gathered, so no
    per-label string column of every row is materialised."""
    n = len(flagged[0][0]) if flagged else 0
    if not flagged or n == 0:
        return pl.Series(name, [""] * n, dtype=pl.String)
    labels = [lab for _, lab in flagged]
    # each row's combination as the bits of one integer per 63 labels; its text is built once per
    # distinct combination and joined back (a hash join on integers)
    words = [np.zeros(n, dtype=np.int64) for _ in range((len(flagged) + 62) // 63)]
    for bit, (m, _) in enumerate(flagged):
        words[bit // 63] |= np.asarray(m, dtype=np.int64) << (bit % 63)
    codes = pl.DataFrame({f"_w{i}": w for i, w in enumerate(words)})
    combos = codes.unique()
    text = [separator.join(lab for bit, lab in enumerate(labels) if (row[bit // 63] >> (bit % 63)) & 1)
            for row in combos.iter_rows()]
    combos = combos.with_columns(pl.Series(name, text, dtype=pl.String))
    return codes.join(combos, on=codes.columns, how="left", maintain_order="left")[name]


def rank_scores(scores: pl.DataFrame) -> pl.Series:
    """Rank 1 = best among non-excluded rows (ties share the lower rank); null when excluded."""
    return scores.select(pl.when(~pl.col("excluded")).then(
        pl.when(~pl.col("excluded")).then(pl.col("score")).otherwise(None).rank("min", descending=True))
        .otherwise(None).cast(pl.Int32).alias("rank"))["rank"]


def score_sites(features: pl.DataFrame, profile: Profile, *, mc_draws: int = 1000, top_k: int = 5,
                seed: int = 0) -> ScoreResult:
    """Score, gate, rank and stress-test ``features`` (one row per site) against ``profile``.

    Any criterion column is read generically by name; an absent or null column is UNKNOWN.
    ``mc_draws = 0`` skips Monte Carlo (``p_top<k>`` and rank percentiles are then null).
    The two halves, :func:`score_deterministic` and :func:`add_robustness`, are separate steps of the
    scoring flow; this is their composition.
    """
    return add_robustness(score_deterministic(features, profile), profile, mc_draws=mc_draws, top_k=top_k, seed=seed)


@dataclass
class DeterministicScores:
    """Scores, gates and ranks before the robustness analysis (the first half of :func:`score_sites`)."""

    feats: pl.DataFrame  # the scoring view of the features (reported or modelled PUE/WUE), with site_id
    scores: pl.DataFrame
    model_cols: list[pl.Series]  # the model columns to put back (reported.restore)
    has_site_id: bool


def score_deterministic(features: pl.DataFrame, profile: Profile) -> DeterministicScores:
    """Gate, score and rank each site (no Monte Carlo)."""
    id_col = "site_id" if "site_id" in features.columns else None
    feats = features if id_col else features.with_row_index("site_id").with_columns(pl.col("site_id").cast(pl.Utf8))
    feats, model_cols = reported.scoring_view(feats, profile.facility)  # reported or modelled PUE/WUE
    out = score_frame(feats, profile)
    out = out.with_columns(rank_scores(out))
    return DeterministicScores(feats, out, model_cols, id_col is not None)


def add_robustness(det: DeterministicScores, profile: Profile, *, mc_draws: int = 1000, top_k: int = 5,
                   seed: int = 0) -> ScoreResult:
    """The second half of :func:`score_sites`: Monte Carlo rank robustness and the Pareto set."""
    feats, out = det.feats, det.scores
    eligible = ~out["excluded"].to_numpy()
    mc = monte_carlo(feats, profile, eligible, draws=mc_draws, top_k=top_k, seed=seed)
    front, pcols = pareto_set(feats, eligible)
    out = pl.concat([out, mc], how="horizontal").with_columns(pl.Series("pareto", front))
    out = reported.restore(out, det.model_cols)
    gl = gates_long(out, profile)
    if not det.has_site_id:
        out = out.drop("site_id")
    return ScoreResult(out, gl, profile.to_dict(), {"mc_draws": mc_draws, "top_k": top_k, "seed": seed,
                                                     "pareto_objectives": pcols})
