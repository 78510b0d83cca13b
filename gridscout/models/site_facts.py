"""Site facts the user already knows, beside the model's estimates (pure; issue 22).

A candidate file may carry per-site facts (``gridscout.candidates.USER_FACTS``): the cooling design
to be built, the water source, an operator's reported PUE/WUE, a signed grid connection, the
project status. This module keeps them *beside* the modelled values, never in their place:

* :func:`design_column` — the design that applies to each site: its own ``cooling_design``, else
  the profile's ``[facility] cooling`` (one expression, used by the estimates and the gates);
* :func:`mark_provenance` — ``<col>__evidence`` = ``"user-supplied (column <col>)"`` for every value
  taken from the candidate file, ``"profile default ([facility] <key>)"`` where the profile filled it;
* :func:`reported_vs_model` — ``pue_reported_minus_model`` / ``wue_reported_minus_model``;
* :func:`secured_grid` — ``facility_load_mw`` and whether ``grid_mw_secured`` covers it.

Facility load: a grid connection is sized for the site's peak demand, so the load compared with
the secured MW is the nameplate IT load × the peak-hour PUE (``pue_peak``: hourly model or its
per-station climate-model emulation), or × the annual PUE where no peak is known (PUE definition: total
facility power / IT power, The Green Grid White Paper #49, 2012). Unknown PUE → unknown load →
the secured connection is not used (UNKNOWN is never a pass).
"""

from __future__ import annotations

import polars as pl

#: evidence text of a value taken from the candidate file
USER_SUPPLIED = "user-supplied (column {})"
#: columns a candidate file may supply whose value is shown as is (provenance only)
FACT_COLUMNS = ("water_source", "pue_reported", "wue_reported", "grid_mw_secured", "grid_energized_year", "status")


def user_supplied(column: str) -> str:
    return USER_SUPPLIED.format(column)


def design_column(frame: pl.DataFrame, default_design: str) -> pl.Expr:
    """The cooling design of each site: its ``cooling_design`` where given, else ``default_design``."""
    if "cooling_design" in frame.columns:
        return pl.coalesce(pl.col("cooling_design").cast(pl.String), pl.lit(default_design))
    return pl.lit(default_design)


def given_flags(frame: pl.DataFrame) -> list[pl.Expr]:
    """``_given_cooling_design`` / ``_given_it_load_mw``: the candidate file set the value (before the
    profile default fills it); consumed by :func:`mark_provenance`."""
    return [(pl.col(c).is_not_null() if c in frame.columns else pl.lit(False)).alias(f"_given_{c}")
            for c in ("cooling_design", "it_load_mw")]


def mark_provenance(out: pl.DataFrame) -> pl.DataFrame:
    """Evidence of the user-supplied columns (``out`` carries the :func:`given_flags` columns, dropped here).

    ``cooling_design`` and ``it_load_mw`` are always set (from the file or the profile); the other
    facts are evidenced where given, null elsewhere (like every ``__evidence`` column)."""
    exprs = []
    for col, key in (("cooling_design", "cooling"), ("it_load_mw", "it_load_mw")):
        exprs.append(pl.when(pl.col(f"_given_{col}")).then(pl.lit(user_supplied(col)))
                     .otherwise(pl.lit(f"profile default ([facility] {key})")).alias(f"{col}__evidence"))
    for col in FACT_COLUMNS:
        if col in out.columns:
            exprs.append(pl.when(pl.col(col).is_not_null()).then(pl.lit(user_supplied(col)))
                         .otherwise(None).alias(f"{col}__evidence"))
    return out.with_columns(exprs).drop("_given_cooling_design", "_given_it_load_mw")


def reported_vs_model(df: pl.DataFrame) -> pl.DataFrame:
    """``pue_reported_minus_model`` and ``wue_reported_minus_model`` (reported − modelled; null when
    either is unknown). The modelled ``pue_annual`` / ``wue_onsite_l_per_kwh`` are left as they are."""
    out = df
    for rep, model, diff in (("pue_reported", "pue_annual", "pue_reported_minus_model"),
                             ("wue_reported", "wue_onsite_l_per_kwh", "wue_reported_minus_model")):
        if rep in out.columns and model in out.columns:
            out = out.with_columns((pl.col(rep) - pl.col(model)).alias(diff))
    return out


def secured_grid(df: pl.DataFrame) -> pl.DataFrame:
    """``facility_load_mw`` [MW] (nameplate IT × peak PUE, else × annual PUE) and
    ``grid_secured_covers_load`` (``grid_mw_secured`` ≥ ``facility_load_mw``; null when either is unknown)."""
    pue_for_peak = pl.coalesce(pl.col("pue_peak"), pl.col("pue_annual")) if "pue_peak" in df.columns \
        else pl.col("pue_annual")
    out = df.with_columns((pl.col("it_load_mw") * pue_for_peak).alias("facility_load_mw"))
    covers = (pl.col("grid_mw_secured") >= pl.col("facility_load_mw")) if "grid_mw_secured" in out.columns \
        else pl.lit(None, pl.Boolean)
    return out.with_columns(covers.alias("grid_secured_covers_load"))
