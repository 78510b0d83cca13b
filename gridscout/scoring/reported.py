"""Which PUE / WUE scores: the model's (default) or the operator's reported figure (issue 22).

The profile's ``[facility] score_reported_pue`` / ``score_reported_wue`` choose. Criteria and gates
name the model's columns (``pue_annual``, ``wue_onsite_l_per_kwh``); when a flag is on, scoring sees
the reported value where a site has one (and the model's elsewhere), and the scored frame gets the
model's values back afterwards, so ``pue_annual`` in scores.parquet is always the model's.
``pue_scored`` / ``wue_scored`` hold what was scored and ``pue_scored_basis`` / ``wue_scored_basis`` say
which it was ("model (pue_annual)" or "user-supplied (column pue_reported)").
"""

from __future__ import annotations

import polars as pl

from gridscout.scoring.profiles import Facility

#: (model column, reported column, scored column, facility flag)
PAIRS = (("pue_annual", "pue_reported", "pue_scored", "score_reported_pue"),
         ("wue_onsite_l_per_kwh", "wue_reported", "wue_scored", "score_reported_wue"))


def scoring_view(df: pl.DataFrame, facility: Facility) -> tuple[pl.DataFrame, list[pl.Series]]:
    """(the frame scoring reads, the model columns to put back with :func:`restore`)."""
    view, originals = df, []
    for model, rep, scored, flag in PAIRS:
        if model not in df.columns or rep not in df.columns:
            continue
        use = pl.col(rep).is_not_null() if getattr(facility, flag) else pl.lit(False)
        view = view.with_columns(
            pl.when(use).then(pl.col(rep)).otherwise(pl.col(model)).alias(scored),
            pl.when(use).then(pl.lit(f"user-supplied (column {rep})"))
            .when(pl.col(model).is_not_null()).then(pl.lit(f"model ({model})")).otherwise(None)
            .alias(f"{scored}_basis"))
        originals.append(df[model])
        view = view.with_columns(pl.col(scored).alias(model))
    return view, originals


def restore(scored: pl.DataFrame, originals: list[pl.Series]) -> pl.DataFrame:
    """Put the model's columns back (row order is kept by scoring)."""
    return scored.with_columns(originals) if originals else scored
