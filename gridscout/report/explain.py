"""Words for a site's score: which inputs were UNKNOWN, why two sites tie, what decides a rank.

Pure functions on one scores row (or the scores frame) and the profile recorded in run.json; the
renderer only places the text. Nothing here computes a score: it reads the engine's columns
(``score_<c>``, ``contrib_<c>``, ``unknown_criteria``, ``unknown_columns``; see
:mod:`gridscout.scoring.engine`).
"""

from __future__ import annotations

from typing import Any

import polars as pl

from gridscout.report.fields import FIELDS, fmt_number, is_missing

_FIELD_UNITS = {f.column: (f.unit, f.digits) for f in FIELDS}
_LABELS = {f.column: f.label for f in FIELDS}


def label(column: str) -> str:
    """The card's label of a column (``Generation within 50 km``), else the column name."""
    return _LABELS.get(column, column)
_SUFFIX_UNITS = (("_g_per_kwh", "gCO2eq/kWh", 0), ("_usd_per_mwh", "$/MWh", 2), ("_l_per_kwh", "L/kWh", 3),
                 ("_mw", "MW", 0), ("_kv", "kV", 0), ("_km", "km", 1), ("_hours", "h/yr", 0), ("_c", "°C", 1),
                 ("_pct", "%", 1))


def value_text(column: str, value: Any) -> str:
    """A feature value with the unit its column name states (``5,396 MW``, ``1.145``)."""
    if is_missing(value):
        return "UNKNOWN"
    if isinstance(value, str):
        return value
    if column in _FIELD_UNITS:
        unit, digits = _FIELD_UNITS[column]
    else:
        unit, digits = next(((u, d) for s, u, d in _SUFFIX_UNITS if column.endswith(s)), ("", 2))
    if column == "cfe_share_24x7":
        return f"{float(value) * 100:.0f} %"
    return f"{fmt_number(value, digits)} {unit}".rstrip()


def code_text(code: Any) -> str:
    """run.json ``code_version`` ({'gridscout': '0.1.0', 'git': '…', 'python': '3.11.7'}) in words."""
    if is_missing(code) or code == "":
        return "UNKNOWN"
    if not isinstance(code, dict):
        return str(code)
    parts = []
    if code.get("gridscout"):
        parts.append(f"gridscout {code['gridscout']}")
    if code.get("git"):
        parts.append(f"git {str(code['git'])[:10]}")
    if code.get("python"):
        parts.append(f"Python {code['python']}")
    parts += [f"{k} {v}" for k, v in code.items() if k not in ("gridscout", "git", "python")]
    return " · ".join(parts) or "UNKNOWN"


def time_text(iso: Any) -> str:
    """An ISO timestamp from run.json as ``2026-12-03 10:06:40 UTC`` (UNKNOWN when absent or unreadable)."""
    import datetime as dt

    if is_missing(iso) or not str(iso).strip():
        return "UNKNOWN"
    try:
        t = dt.datetime.fromisoformat(str(iso).replace("Z", "+00:00"))
    except ValueError:
        return str(iso)
    if t.tzinfo is not None:
        t = t.astimezone(dt.UTC)
        return t.strftime("%Y-%m-%d %H:%M:%S UTC")
    return t.strftime("%Y-%m-%d %H:%M:%S")


#: run values of ``pue_method`` in words
PUE_METHOD_TEXT = {"hourly": "hourly model on the site's weather year",
                   "climate_model": "per-station climate model on the station's climate statistics (no hourly "
                                    "weather file)",
                   "reported": "operator-reported (candidate file)"}


def criterion_columns(profile: dict[str, Any] | None) -> dict[str, list[str]]:
    """criterion -> every column its sub-criteria (and their fallbacks) read, in profile order."""
    out: dict[str, list[str]] = {}
    for c in (profile or {}).get("criteria") or []:
        if not isinstance(c, dict):
            continue
        cols: list[str] = []
        for s in c.get("subs") or []:
            while isinstance(s, dict):
                cols.append(str(s.get("column")))
                s = s.get("fallback")
        out[str(c.get("name"))] = cols
    return out


def _split(v: Any) -> list[str]:
    return [] if is_missing(v) else [p.strip() for p in str(v).split(",") if p.strip()]


def unknown_factors(row: dict[str, Any]) -> list[tuple[str, str]]:
    """The engine's ``unknown_factors`` (``price_usd_per_mwh (uncertain), …``) as (column, policy) pairs;
    from ``unknown_columns`` with policy '' for a run written before factors were recorded."""
    out = []
    for part in _split(row.get("unknown_factors")):
        col, _, pol = part.partition(" (")
        out.append((col.strip(), pol.rstrip(")").strip()))
    return out or [(c, "") for c in _split(row.get("unknown_columns"))]


def policy_words(policy: str, penalty_score: Any, known_elsewhere: bool = True) -> str:
    """How the engine scored an UNKNOWN factor under ``policy`` (see
    :class:`gridscout.scoring.profiles.UnknownPolicy`), in words; ``known_elsewhere`` False: no site
    scored with it knows the factor, so ``neutral``/``uncertain`` fell back to the penalty."""
    pen = "UNKNOWN" if is_missing(penalty_score) else fmt_number(penalty_score, 0)
    if policy == "penalty":
        return f"scored at the penalty {pen} of 100"
    if policy in ("neutral", "uncertain") and not known_elsewhere:
        return f"no site in this run knows it, so scored at the penalty {pen} of 100"
    if policy == "neutral":
        return "scored at the median of the sites that know it"
    if policy == "uncertain":
        return "scored at the median of the sites that know it; each robustness draw gives it a known site's value"
    if policy == "exclude":
        return "the site is excluded"
    return "scored under the profile's UNKNOWN policy"


def unknown_inputs(row: dict[str, Any], profile: dict[str, Any] | None,
                   known_somewhere: set[str] | None = None) -> dict[str, list[str]]:
    """criterion -> the UNKNOWN factors its score rests on, each ``column (policy): how it was scored``.

    Read from the engine's columns (``unknown_criteria``, ``unknown_factors``,
    ``score_rests_on_unknown``): a criterion of weight 0 or a row whose score does not rest on an
    UNKNOWN is left out. ``known_somewhere``: factor columns some site in the run knows (else a
    ``neutral``/``uncertain`` factor was scored at the penalty, as the engine does)."""
    if row.get("score_rests_on_unknown") is False:
        return {}
    crit_cols = criterion_columns(profile)
    weights = {str(c.get("name")): float(c.get("weight") or 0) for c in (profile or {}).get("criteria") or []
               if isinstance(c, dict)}
    pen = ((profile or {}).get("unknown") or {}).get("penalty_score") if isinstance(
        (profile or {}).get("unknown"), dict) else None
    factors = unknown_factors(row)
    every = sum(crit_cols.values(), [])
    out = {}
    for crit in _split(row.get("unknown_criteria")):
        if weights.get(crit, 1.0) == 0:
            continue
        mine = [f for f in factors if f[0] in crit_cols.get(crit, [])] or [f for f in factors if f[0] not in every]
        out[crit] = [f"{col} ({pol}): {policy_words(pol, pen, known_somewhere is None or col in known_somewhere)}"
                     if pol else col for col, pol in mine]
    return out


def known_factor_columns(scores: pl.DataFrame) -> set[str]:
    """Factor columns that at least one row of ``scores`` knows (not in its ``unknown_columns``)."""
    if "unknown_columns" not in scores.columns:
        return set()
    lists = [set(_split(v)) for v in scores["unknown_columns"].to_list()]
    every = set().union(*lists) if lists else set()
    return {c for c in every if any(c not in u for u in lists)}


def _used_columns(profile: dict[str, Any] | None, rows: list[dict[str, Any]]) -> list[str]:
    """The column each sub-criterion actually read for these rows: the first of its fallback chain
    with a value in any row (the primary column when all are UNKNOWN)."""
    used = []
    for c in (profile or {}).get("criteria") or []:
        for s in (c.get("subs") or []) if isinstance(c, dict) else []:
            chain = []
            while isinstance(s, dict):
                chain.append(str(s.get("column")))
                s = s.get("fallback")
            used.append(next((col for col in chain if any(not is_missing(r.get(col)) for r in rows)), chain[0]))
    return used


def ties(scores: pl.DataFrame, profile: dict[str, Any] | None, names: dict[str, str]) -> dict[str, str]:
    """site_id -> why it shares its exact score with other ranked sites (only for tied sites)."""
    if not {"score", "site_id"} <= set(scores.columns):
        return {}
    ok = scores.filter(pl.col("score").is_not_null() & ~pl.col("excluded").fill_null(False)) \
        if "excluded" in scores.columns else scores.filter(pl.col("score").is_not_null())
    ok = ok.with_columns(pl.col("score").round(9).alias("_s"))
    groups = ok.group_by("_s").agg(pl.col("site_id")).filter(pl.col("site_id").list.len() > 1)
    out: dict[str, str] = {}
    by_id = {r["site_id"]: r for r in ok.iter_rows(named=True)}
    for ids in groups["site_id"].to_list():
        rows = [by_id[i] for i in ids]
        same, differ = [], []
        for col in dict.fromkeys(_used_columns(profile, rows)):
            vals = {repr(r.get(col)) for r in rows}
            if len(vals) == 1:
                if not is_missing(rows[0].get(col)):
                    same.append(f"{label(col)} {value_text(col, rows[0].get(col))}")
            else:
                differ.append(col)
        shared = [f"{lab} {rows[0][k]}" for k, lab in (("grid_zone", "grid zone"), ("us_state", "US state"),
                                                       ("country", "country"), ("weather_station_key", "weather station"))
                  if k in rows[0] and not is_missing(rows[0][k]) and len({r.get(k) for r in rows}) == 1]
        for i in ids:
            others = ", ".join(names.get(o, o) for o in ids if o != i)
            text = (f"Tied at {fmt_number(rows[0]['score'], 1)} with {others}: every sub-score is identical"
                    + (f" because they share {', '.join(shared)}" if shared else ""))
            if same:
                text += f"; the same scored inputs: {', '.join(same)}"
            if differ:
                text += (f"; {', '.join(differ)} differ but score the same (beyond the 0- or 100-point limit of the "
                         "profile, or UNKNOWN and scored alike by the profile's UNKNOWN policy)")
            out[i] = text + "."
    return out


def _weather_basis(row: dict[str, Any]) -> str:
    """Where a site's PUE comes from: its hourly weather file, or the climate model on a station's statistics."""
    station = row.get("station_name") if not is_missing(row.get("station_name")) else row.get("weather_station_key")
    dist = row.get("weather_distance_km")
    where = "" if is_missing(station) else f", {station}" + ("" if is_missing(dist) else f" {fmt_number(dist, 0)} km away")
    if row.get("weather_source") == "hourly_file" or row.get("pue_method") == "hourly":
        return "hourly weather file" + where
    return "climate model on the climate statistics" + where


def deciding_facts(row: dict[str, Any], crit: list[str], profile: dict[str, Any] | None,
                   on_unknown: dict[str, list[str]] | None = None, n: int = 3) -> list[str]:
    """The two or three facts that decide the rank: the largest and the smallest weighted
    contributions, each with the input value behind it; ``on_unknown`` (:func:`unknown_inputs`)
    names the UNKNOWN factors of a criterion and how they were scored."""
    crit_cols = criterion_columns(profile)
    weights = {str(c.get("name")): float(c.get("weight") or 0) for c in (profile or {}).get("criteria") or []
               if isinstance(c, dict)}
    tot = sum(weights.values()) or 1.0
    unknown = unknown_inputs(row, profile) if on_unknown is None else on_unknown
    items = []
    for c in crit:
        contrib, sub = row.get(f"contrib_{c}"), row.get(f"score_{c}")
        if is_missing(contrib) or is_missing(sub):
            continue
        known = [x for x in dict.fromkeys(crit_cols.get(c, [])) if not is_missing(row.get(x))][:2]
        parts = []
        for col in known:  # the first two inputs the criterion read, each with its unit
            text = f"{label(col)} {value_text(col, row.get(col))}"
            if col.startswith("pue") or col == "free_cooling_hours":
                text += f" ({_weather_basis(row)})"
            parts.append(text)
        inp = "; ".join(parts) or "no input value"
        if c in unknown:  # which ones and how they were scored: the 'rests on UNKNOWN' line
            inp += f"; {len(unknown[c])} input(s) UNKNOWN"
        lost = weights.get(c, 0) / tot * 100 - float(contrib)  # points missed against a perfect score
        items.append((float(contrib), lost, f"{c} {fmt_number(sub, 0)}/100 → {fmt_number(contrib, 1)} points ({inp})"))
    if not items:
        return []
    best = sorted(items, key=lambda t: -t[0])[:max(n - 1, 1)]
    worst = max(items, key=lambda t: t[1])
    facts = [f"strongest: {t[2]}" for t in best]
    if worst not in best and worst[1] > 0.5:
        facts.append(f"costs most: {worst[2]}, {fmt_number(worst[1], 1)} points short of full marks")
    return facts[:n]
