"""Hard constraints ("gates"): each evaluates per site to PASS, CONDITIONAL, FAIL or UNKNOWN.

Numeric gates (``min_<column>``, ``max_<column>``) with limit L and the profile's tolerance t:

=============  ===========================  ==================================
status         ``max_`` gate                ``min_`` gate
=============  ===========================  ==================================
PASS           value ≤ L                    value ≥ L
CONDITIONAL    L < value ≤ L + t·|L|        L − t·|L| ≤ value < L
FAIL           value > L + t·|L|            value < L − t·|L|
UNKNOWN        column absent or value null  column absent or value null
=============  ===========================  ==================================

Country gates compare ``country`` (ISO alpha-3): excluded → FAIL, required but elsewhere → FAIL,
null country → UNKNOWN. ``on_land`` (always applied, whatever the profile): false → FAIL ("in the open
sea"), null → UNKNOWN. There is no CONDITIONAL band
for categorical gates.

Signed grid connection (issue 22): a power gate (a ``min_`` gate on a generation-capacity column,
:func:`is_power_gate`) PASSes for a site whose ``grid_secured_covers_load`` is true (the candidate
file's ``grid_mw_secured`` ≥ the site's facility load, :func:`gridscout.models.site_facts.secured_grid`):
nearby generation is a proxy for how hard it is to get power, and a signed interconnection answers
that question directly. ``power_gate_note`` says so on the site's card (null where no secured MW is given).
Locations without the column (screening cells) are gated as before.

Incomplete plant data (issue 13): where ``capacity__confidence`` is ``low`` (the country's plant list is a
global compilation, not a national inventory: :func:`gridscout.features.power.plant_confidence`), a power
gate that would FAIL is CONDITIONAL instead, its reason saying the figure is low confidence: a missing
plant must not exclude a site.

A site's ``gate_status`` is FAIL if any gate fails, else UNKNOWN if any is unknown, else CONDITIONAL
if any is conditional, else PASS: UNKNOWN is never a pass. FAIL always excludes; UNKNOWN excludes
only under ``[unknown] gate = "exclude"`` (default: kept, flagged); CONDITIONAL never excludes.
"""

from __future__ import annotations

import polars as pl

from gridscout.errors import ProfileError
from gridscout.scoring.profiles import Constraint, Profile

PASS, CONDITIONAL, FAIL, UNKNOWN = "PASS", "CONDITIONAL", "FAIL", "UNKNOWN"

#: Why a location in no country is excluded (``on_land`` is false; see gridscout.features.location).
OPEN_SEA_REASON = ("in the open sea: the point lies in no country or grid zone (it is farther than the coastline "
                   "snap distance from any coast); check latitude/longitude")


def _fmt(x: float) -> str:
    return f"{x:.4g}"


def gate_expr(c: Constraint, tol: float, columns: set[str]) -> tuple[pl.Expr, pl.Expr]:
    """(status expression, human-readable reason expression) for one constraint."""
    if c.column not in columns:
        return pl.lit(UNKNOWN), pl.lit(f"{c.name}: UNKNOWN ({c.column} not available)")
    v = pl.col(c.column)
    if c.kind in ("min", "max"):
        lim = float(c.limit)
        band = tol * abs(lim)
        v = v.cast(pl.Float64)
        if c.kind == "max":
            status = (pl.when(v.is_null() | v.is_nan()).then(pl.lit(UNKNOWN)).when(v <= lim).then(pl.lit(PASS))
                      .when(v <= lim + band).then(pl.lit(CONDITIONAL)).otherwise(pl.lit(FAIL)))
            op = ">"
        else:
            status = (pl.when(v.is_null() | v.is_nan()).then(pl.lit(UNKNOWN)).when(v >= lim).then(pl.lit(PASS))
                      .when(v >= lim - band).then(pl.lit(CONDITIONAL)).otherwise(pl.lit(FAIL)))
            op = "<"
        reason = pl.format(f"{c.column} = {{}} {op} {c.kind} {_fmt(lim)}", v.round(3))
        return status, pl.when(v.is_null() | v.is_nan()).then(pl.lit(f"{c.column} UNKNOWN")).otherwise(reason)
    if c.kind == "excluded_countries":
        status = pl.when(v.is_null()).then(pl.lit(UNKNOWN)).when(v.is_in(list(c.values))).then(pl.lit(FAIL)) \
            .otherwise(pl.lit(PASS))
        return status, pl.format("country {} is excluded", v.fill_null("UNKNOWN"))
    if c.kind == "required_countries":
        status = pl.when(v.is_null()).then(pl.lit(UNKNOWN)).when(v.is_in(list(c.values))).then(pl.lit(PASS)) \
            .otherwise(pl.lit(FAIL))
        return status, pl.format(f"country {{}} not in required {'/'.join(c.values)}", v.fill_null("UNKNOWN"))
    if c.kind == "on_land":
        status = pl.when(v.is_null()).then(pl.lit(UNKNOWN)).when(v).then(pl.lit(PASS)).otherwise(pl.lit(FAIL))
        return status, pl.lit(OPEN_SEA_REASON)
    raise ValueError(f"unknown constraint kind {c.kind!r}")


def is_power_gate(c: Constraint) -> bool:
    """A minimum on generation capacity near the site (``min_capacity_within_50km_mw``,
    ``min_firm_capacity_within_50km_mw``, ...): the gates a signed grid connection satisfies."""
    return c.kind == "min" and "capacity" in c.column and c.column.endswith("_mw")


def _power_gate_note(profile: Profile, columns: set[str]) -> pl.Expr | None:
    """Why a site's power gates pass or not on its signed connection (null without ``grid_mw_secured``)."""
    if not {"grid_mw_secured", "grid_secured_covers_load", "facility_load_mw"} <= columns:
        return None
    names = ", ".join(c.name for c in profile.constraints if is_power_gate(c)) or "none in this profile"
    sec, load = pl.col("grid_mw_secured").round(1), pl.col("facility_load_mw").round(1)
    return (pl.when(pl.col("grid_mw_secured").is_null()).then(None)
            .when(pl.col("grid_secured_covers_load"))
            .then(pl.format(f"power gates ({names}) passed on the signed grid connection: grid_mw_secured {{}} MW "
                            "(user-supplied) ≥ facility load {} MW (nameplate IT × PUE)", sec, load))
            .when(pl.col("facility_load_mw").is_null())
            .then(pl.format("grid_mw_secured {} MW (user-supplied) not used: the facility load is UNKNOWN (no PUE)", sec))
            .otherwise(pl.format(f"grid_mw_secured {{}} MW (user-supplied) < facility load {{}} MW: power gates "
                                 f"({names}) judged on nearby generation", sec, load)))


def evaluate_gates(features: pl.DataFrame, profile: Profile) -> pl.DataFrame:
    """Per-site gate columns: ``gate_<name>`` status, ``gate_status``, ``gate_excluded`` (bool),
    ``gate_reason`` (FAILs, and UNKNOWNs when those exclude; '' if none) and ``gate_flags``
    (CONDITIONAL and UNKNOWN gates, human-readable)."""
    cols = set(features.columns)
    text = [c for c in profile.constraints if c.kind in ("min", "max") and c.column in cols
            and not (features.schema[c.column].is_numeric() or features.schema[c.column] == pl.Null)]
    if text:
        raise ProfileError(f"{profile.name}: [constraints] {', '.join(c.name for c in text)}: "
                           f"{', '.join(sorted({c.column for c in text}))} is text, not a number; a min_/max_ "
                           "constraint needs a numeric column (for countries use excluded_countries or required_countries)")
    status_cols, reason_cols = [], []
    secured = "grid_secured_covers_load" in cols
    low_conf = "capacity__confidence" in cols
    for c in profile.constraints:
        s, r = gate_expr(c, profile.tolerance, cols)
        if low_conf and is_power_gate(c) and c.column in cols:
            weak = (pl.col("capacity__confidence") == "low").fill_null(False)
            s = pl.when(weak & (s == FAIL)).then(pl.lit(CONDITIONAL)).otherwise(s)
            r = pl.when(weak).then(pl.format("{} (low-confidence plant data: the country's plant list is a global "
                                             "compilation, not a national inventory)", r)).otherwise(r)
        if secured and is_power_gate(c):
            s = pl.when(pl.col("grid_secured_covers_load").fill_null(False)).then(pl.lit(PASS)).otherwise(s)
        status_cols.append(s.alias(f"gate_{c.name}"))
        reason_cols.append(r.alias(f"_reason_{c.name}"))
    if not status_cols:
        return pl.DataFrame({"gate_status": [PASS] * features.height, "gate_excluded": [False] * features.height,
                             "gate_reason": [""] * features.height, "gate_flags": [""] * features.height})
    # only the columns the gates read (a wide frame of many chunks makes with_columns over all of it slow);
    # with_columns broadcasts the literals of gates whose column is absent
    exprs = status_cols + reason_cols
    need = sorted({name for e in exprs for name in e.meta.root_names()}) or features.columns[:1]
    g = features.select(need).with_columns(exprs).select(
        [f"gate_{c.name}" for c in profile.constraints] + [f"_reason_{c.name}" for c in profile.constraints])
    names = [c.name for c in profile.constraints]
    excl_unknown = profile.unknown.gate == "exclude"

    def pick(states: tuple[str, ...]) -> pl.Expr:
        parts = [pl.when(pl.col(f"gate_{n}").is_in(states))
                 .then(pl.format(f"{n} {{}}: {{}}", pl.col(f"gate_{n}"), pl.col(f"_reason_{n}"))) for n in names]
        return pl.concat_str(parts, separator="; ", ignore_nulls=True).fill_null("")

    any_state = {s: pl.any_horizontal([pl.col(f"gate_{n}") == s for n in names]) for s in (FAIL, UNKNOWN, CONDITIONAL)}
    out = g.with_columns(
        pl.when(any_state[FAIL]).then(pl.lit(FAIL)).when(any_state[UNKNOWN]).then(pl.lit(UNKNOWN))
        .when(any_state[CONDITIONAL]).then(pl.lit(CONDITIONAL)).otherwise(pl.lit(PASS)).alias("gate_status"),
        (any_state[FAIL] | (any_state[UNKNOWN] if excl_unknown else pl.lit(False))).alias("gate_excluded"),
        pick((FAIL, UNKNOWN) if excl_unknown else (FAIL,)).alias("gate_reason"),
        pick((CONDITIONAL,) if excl_unknown else (CONDITIONAL, UNKNOWN)).alias("gate_flags"),
    )
    note = _power_gate_note(profile, cols)
    if note is not None:
        out = out.with_columns(features.select(note.alias("power_gate_note")).to_series())
    return out.drop([f"_reason_{n}" for n in names])


def gates_long(scores: pl.DataFrame, profile: Profile, id_col: str = "site_id") -> pl.DataFrame:
    """Long table ``site_id, gate, column, limit, value, status`` (one row per site × gate)."""
    rows = []
    for c in profile.constraints:
        val = (pl.col(c.column).cast(pl.Utf8) if c.column in scores.columns else pl.lit(None, pl.Utf8))
        rows.append(scores.select(
            pl.col(id_col).alias("site_id"), pl.lit(c.name).alias("gate"), pl.lit(c.column).alias("column"),
            pl.lit(_fmt(c.limit) if c.limit is not None else ",".join(c.values) or "true").alias("limit"),
            val.alias("value"), pl.col(f"gate_{c.name}").alias("status")))
    if not rows:
        return pl.DataFrame(schema={"site_id": pl.Utf8, "gate": pl.Utf8, "column": pl.Utf8, "limit": pl.Utf8,
                                    "value": pl.Utf8, "status": pl.Utf8})
    return pl.concat(rows)
