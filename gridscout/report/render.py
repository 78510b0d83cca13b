"""Render a run directory to one self-contained ``report.html`` (opens from disk, no network).

The page is built from a Jinja2 template with autoescaping on, so every user string (site names,
profile names, exclusion reasons) is escaped; inline JSON is escaped for ``<script>`` context; a
Content-Security-Policy allows only the page's own two scripts (by hash) and no network at all.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

import jinja2
import polars as pl

from gridscout import __version__
from gridscout.report import charts
from gridscout.report.compare import compare_runs
from gridscout.report.explain import (PUE_METHOD_TEXT, code_text, deciding_facts, known_factor_columns, ties,
                                      time_text, unknown_inputs)
from gridscout.report.fields import (FIELDS, LOCATION_SOURCES, ROW_SOURCE_COLUMNS, UNKNOWN, USER_FACT_COLUMNS,
                                     fmt_field, fmt_number,
                                     is_missing, sort_key)
from gridscout.report.maps import site_map_svg
from gridscout.report.profile_view import profile_settings, unknown_policy_text
from gridscout.report.rundir import RunData, load_run, safe_output_path
from gridscout.report.templates import CSS, HOOK_JS, MAIN_JS, METHODS, TEMPLATE

REPORT_FILE = "report.html"
OPEN_CARDS = 5
GATE_ORDER = {"FAIL": 0, "UNKNOWN": 1, "CONDITIONAL": 2, "PASS": 3}


def methods_used(scores: pl.DataFrame) -> list[dict]:
    """The Methods rows: every general row, and a cooling tier's row only when a site used that
    tier (``pue_method``), so the section describes every tier the run actually used."""
    used = set(scores["pue_method"].drop_nulls().to_list()) if "pue_method" in scores.columns else set()
    return [m for m in METHODS if m.get("tier") is None or m["tier"] in used]

def json_for_html(obj: Any) -> str:
    """JSON safe inside ``<script type="application/json">``: no ``</script>``, no ``<!--``."""
    text = json.dumps(obj, default=str, ensure_ascii=False, sort_keys=True)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _csp_hash(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode() + "'"


def content_security_policy() -> str:
    """No network, no foreign scripts: only the two inline scripts of this template run."""
    return ("default-src 'none'; " f"script-src {_csp_hash(HOOK_JS)} {_csp_hash(MAIN_JS)}; "
            "style-src 'unsafe-inline'; img-src data:; font-src 'none'; connect-src 'none'; "
            "base-uri 'none'; form-action 'none'")


_ENV = jinja2.Environment(autoescape=True, undefined=jinja2.ChainableUndefined, trim_blocks=False)


# ---------------------------------------------------------------- per-site pieces
def _order(scores: pl.DataFrame) -> pl.DataFrame:
    """Ranked sites first (by rank), then unranked by score, excluded last."""
    keys, desc = [], []
    if "excluded" in scores.columns:
        keys.append(pl.col("excluded").fill_null(False)); desc.append(False)
    if "rank" in scores.columns:
        keys.append(pl.col("rank").is_null()); desc.append(False)
        keys.append(pl.col("rank")); desc.append(False)
    if "score" in scores.columns:
        keys.append(pl.col("score").is_null()); desc.append(False)
        keys.append(pl.col("score")); desc.append(True)
    keys.append(pl.col("site_id").cast(pl.Utf8)); desc.append(False)
    return scores.sort(keys, descending=desc, nulls_last=True)


def _text(v: Any) -> str:
    return UNKNOWN if is_missing(v) or (isinstance(v, str) and not v.strip()) else str(v)


def _cell(text: str, sort: str = "", cls: str = "", href: str | None = None, title: str = "") -> dict[str, Any]:
    return {"text": text, "sort": sort, "cls": cls, "href": href, "title": title}


#: gate_* columns that summarise the gates rather than being one (engine: gate_status, gate_flags)
GATE_SUMMARY_COLUMNS = ("gate_status", "gate_flags")
#: appended to a score that rests on an UNKNOWN input (explained under the table and in the cell title)
ON_UNKNOWN_MARK = " *"


def _us_state_text(row: dict[str, Any]) -> str:
    v = row.get("us_state")
    if is_missing(v) and row.get("country") not in (None, "USA", "US"):
        return "—"  # not applicable outside the United States
    return _text(v)


def _gates(row: dict[str, Any], gate_cols: list[str]) -> list[dict[str, str]]:
    out = []
    for c in gate_cols:
        v = row.get(c)
        val = UNKNOWN if is_missing(v) else str(v).upper()
        out.append({"name": c.removeprefix("gate_"), "value": val,
                    "cls": val if val in GATE_ORDER else "UNKNOWN"})
    return sorted(out, key=lambda g: GATE_ORDER.get(g["cls"], 1))


def _sources_for(row: dict[str, Any], vintages: dict[str, str]) -> list[dict[str, str]]:
    out = []

    def add(what: str, source: str | None, detail: str = "", vintage: str | None = None):
        if not source:
            return
        out.append({"what": what, "source": source, "detail": detail,
                    "vintage": vintage or vintages.get(source) or UNKNOWN})

    for col, src in LOCATION_SOURCES.items():
        if not is_missing(row.get(col)):
            add(col, src)
    if not is_missing(row.get("carbon_g_per_kwh")):
        detail = " ".join(str(x) for x in (row.get("carbon_year"), row.get("carbon_basis_label") or row.get("carbon_basis"))
                          if not is_missing(x))
        if row.get("carbon_year_fell_back"):
            detail += f" (fell back from {row.get('carbon_year_requested')})"
        add("carbon intensity", _text(row.get(ROW_SOURCE_COLUMNS["carbon_g_per_kwh"])), detail,
            None if is_missing(row.get("carbon_vintage")) else str(row.get("carbon_vintage")))
    if not is_missing(row.get("price_usd_per_mwh")):
        add("electricity price", _text(row.get(ROW_SOURCE_COLUMNS["price_usd_per_mwh"])),
            "; ".join(x for x in ("" if is_missing(row.get("price_year")) else f"year {row.get('price_year')}",
                                  "" if is_missing(row.get("price_basis")) else str(row.get("price_basis"))) if x))
    if not is_missing(row.get("wholesale_price_usd_per_mwh")):
        add("wholesale price (not scored)", "ember_prices",
            f"year {row.get('wholesale_price_year')}; {_text(row.get('wholesale_price_source'))}")
    if not is_missing(row.get("capacity_within_50km_mw")) or not is_missing(row.get("capacity_weighted_mw")):
        src = row.get(ROW_SOURCE_COLUMNS["capacity_weighted_mw"])
        add("generation nearby", "gppd" if is_missing(src) else str(src),
            "distance-weighted (exponential, L 45 km); 50 km disc not scored")
    if not is_missing(row.get("substation_distance_km")):
        add("substations and HV lines", _text(row.get(ROW_SOURCE_COLUMNS["substation_distance_km"])),
            "GridKit map; nearest substation by voltage class, lines within 10 km")
    if not is_missing(row.get("queue_median_years")) or not is_missing(row.get("queue_active_mw_county")):
        add("interconnection queue", _text(row.get(ROW_SOURCE_COLUMNS["queue_median_years"])),
            f"{_text(row.get('queue_iso'))}; county {_text(row.get('queue_county'))}",
            None if is_missing(row.get("queue_vintage")) else str(row.get("queue_vintage")))
    if not is_missing(row.get("ba_headroom_mw_0p5pct")):
        add("balancing-authority headroom (Norris et al. 2025 on EIA-930)", "eia930", f"BA {_text(row.get('ba_code'))}")
    if not is_missing(row.get("cooling_design_db_c")) or not is_missing(row.get("ashrae_climate_zone")):
        add("design conditions", "weather_stations",
            "" if is_missing(row.get("station_name")) else str(row.get("station_name")))
    if not is_missing(row.get("weather_station_key")) and _hourly_weather(row):
        dist = row.get("weather_distance_km")
        add("hourly weather", "weather_hourly",
            f"{row.get('weather_station_key')}" + ("" if is_missing(dist) else f", {fmt_number(dist, 1)} km away"))
    for col in USER_FACT_COLUMNS:
        ev = row.get(f"{col}__evidence")
        if not is_missing(row.get(col)) and isinstance(ev, str) and ev.startswith("user-supplied"):
            add(f"{col} = {fmt_number(row.get(col), 3) if isinstance(row.get(col), float) else row.get(col)}",
                "candidate file", ev, "user-supplied")
    if not is_missing(row.get("water_offsite_l_per_kwh")):
        us = row.get("water_offsite_level") == "balancing_authority"
        add("off-site water", "usgs_thermoelectric_2015, eia860_cooling, netl_plant_water_2016, gppd_usa, eia860" if us
            else "chini_peer_electricity_water",
            _text(row.get("water_offsite_source"))
            + ("" if is_missing(row.get("water_offsite_plants")) else f"; dominant plants: {row.get('water_offsite_plants')}")
            + ("" if is_missing(row.get("water_offsite_hydro_plants"))
               else f"; hydro reservoirs: {row.get('water_offsite_hydro_plants')}"),
            "plants 2015 (USGS, EIA-860), hydro 2016 (NETL)" if us else None)
    if not is_missing(row.get("water_stress_score")):
        basin = row.get("water_stress_method") == "basin_aqueduct"
        add("water stress", "aqueduct" if basin else "water_stress_sdg642", _text(row.get("water_stress_source")))
    return out


def _evidence_kind(evidence: str) -> str:
    """The CSS class word of an evidence text: ``user-supplied (column x)`` → ``user-supplied``,
    ``profile default ([facility] cooling)`` → ``profile``, ``not stated`` → ``not``."""
    return re.sub(r"[^a-z-]", "", evidence.split(" ", 1)[0].lower()) or "none"


def _hourly_weather(row: dict[str, Any]) -> bool:
    """True when the site's PUE came from an hourly weather file (not from climate statistics)."""
    src, method = row.get("weather_source"), row.get("pue_method")
    if not is_missing(src):
        return src == "hourly_file"
    return is_missing(method) or method == "hourly"


def _field_source(f, row: dict[str, Any]) -> str | None:
    """The source a card value came from at this site: the row's own source column where the
    value names one (carbon, price, plants), else the field's fixed source (climate statistics, not
    the hourly file, for a PUE estimated from them)."""
    if f.column in ROW_SOURCE_COLUMNS and not is_missing(row.get(ROW_SOURCE_COLUMNS[f.column])):
        return str(row.get(ROW_SOURCE_COLUMNS[f.column]))
    if f.source in ("gppd", "gppd_usa") and not is_missing(row.get("capacity__source")):
        return str(row.get("capacity__source"))
    if f.source == "weather_hourly" and not _hourly_weather(row):
        return "weather_stations"
    return f.source


class _SeriesLookup:
    """Rows of an optional per-site/per-station frame, partitioned once."""

    def __init__(self, df: pl.DataFrame | None, keys: tuple[str, ...]):
        self.key = next((k for k in keys if df is not None and k in df.columns), None)
        self.parts = {} if self.key is None else {
            k[0]: part for k, part in df.partition_by(self.key, as_dict=True, include_key=True).items()}

    def get(self, value: Any) -> pl.DataFrame | None:
        return None if is_missing(value) else self.parts.get(value)


def _site_charts(row: dict[str, Any], hourly: _SeriesLookup, monthly: _SeriesLookup, fuel: _SeriesLookup,
                 carbon: _SeriesLookup, cache: dict[Any, str | None]) -> tuple[list[str], list[str]]:
    out, missing = [], []
    hkey = row.get("site_id") if hourly.key == "site_id" else row.get("weather_station_key")
    if ("h", hkey) not in cache:
        part = hourly.get(hkey)
        title = "Hourly PUE over the year (daily min–max band, daily mean)"
        if hourly.key == "station_key" and part is not None:
            title += f" — weather {hkey}"
        cache[("h", hkey)] = charts.hourly_pue_chart(part, title) if part is not None else None
    (out.append(cache[("h", hkey)]) if cache[("h", hkey)] else missing.append("hourly PUE"))
    m = monthly.get(row.get("site_id"))
    for cols_, label, unit in ((("pue_mean",), "PUE, monthly mean", ""),
                               (("water_onsite_m3", "water_m3"), "Water consumed", "m³"),
                               (("energy_mwh",), "Facility energy", "MWh")):
        col = next((c for c in cols_ if m is not None and c in m.columns), cols_[0])
        svg = charts.monthly_chart(m, col, label, unit) if m is not None else None
        (out.append(svg) if svg else missing.append(f"monthly {label.lower()}"))
    svg = charts.water_split_chart(row)
    (out.append(svg) if svg else missing.append("water split (on-site or off-site water UNKNOWN)"))
    zone = row.get("grid_zone")
    if ("c", zone) not in cache:
        cache[("c", zone)] = charts.carbon_years_chart(carbon.get(zone), str(zone), row.get("carbon_year"))
    (out.append(cache[("c", zone)]) if cache[("c", zone)] else
     missing.append("carbon by year (fewer than two years of grid carbon for the zone)"))
    f = fuel.get(row.get("site_id"))
    svg = charts.fuel_mix_chart(f) if f is not None else None
    (out.append(svg) if svg else missing.append("fuel mix (no plant within 50 km in the plant source)"))
    if not _hourly_weather(row):  # hourly and monthly series exist only for a PUE from an hourly file
        missing = [m for m in missing if not (m.startswith("hourly") or m.startswith("monthly"))]
        missing.insert(0, "hourly and monthly PUE, water and energy (PUE from climate statistics, not an hourly file)")
    return out, missing


def _site_context(i: int, row: dict[str, Any], data: RunData, crit: list[str], gate_cols: list[str],
                  vintages: dict[str, str], known: set[str]) -> dict[str, Any]:
    """One site card; ``known``: the factor columns some site of the run knows (how an UNKNOWN was scored)."""
    cols = set(data.scores.columns)
    excluded = bool(row.get("excluded")) if not is_missing(row.get("excluded")) else False
    name = _text(row.get("site_name")) if "site_name" in cols else str(row.get("site_id"))
    fields, unknown_fields = [], []
    # a screening zone's card shows its own estimates (mean and range over its cells: zone_facts) instead
    for f in (() if data.run.get("kind") == "screen" else FIELDS):
        present = f.column in cols
        v = row.get(f.column) if present else None
        ev_col = f"{f.column}__evidence"
        ev = (_text(row.get(ev_col)).lower() if ev_col in cols and not is_missing(row.get(ev_col))
              else "not stated" if present else "not in run")
        text = fmt_field(f, v)
        if f.column == "pue_method" and not is_missing(v):
            text = PUE_METHOD_TEXT.get(str(v), str(v))
        label = f.label
        if f.column in ("weather_station_key", "weather_distance_km") and not _hourly_weather(row):
            if f.column == "weather_distance_km":
                continue  # the same station as the design conditions: its distance is listed there
            label = "Climate-statistics station (no hourly file used)"
        if text == UNKNOWN and f.where_covered:
            continue
        if text == UNKNOWN:
            unknown_fields.append(label)
        src = None if text == UNKNOWN else _field_source(f, row)
        fields.append({"label": label, "value": text, "evidence": ev, "evidence_kind": _evidence_kind(ev), "source": src,
                       "vintage": (vintages.get(src) or "") if src else ""})
    criteria = [{"name": c, "score": fmt_number(row.get(f"score_{c}"), 1),
                 "contrib": fmt_number(row.get(f"contrib_{c}"), 2)} for c in crit]
    unknowns = []
    prof = data.run.get("profile") if isinstance(data.run.get("profile"), dict) else None
    on_unknown = unknown_inputs(row, prof, known)
    for label in unknown_fields:
        unknowns.append(f"{label}: no data")
    robust = []
    if "p_top5" in cols:
        robust.append(f"P(top 5) {fmt_number(row.get('p_top5'), 2)}")
    if "rank_p05" in cols or "rank_p95" in cols:
        robust.append(f"rank 5–95 %: {fmt_number(row.get('rank_p05'))}–{fmt_number(row.get('rank_p95'))}"
                      + ("" if is_missing(row.get("rank_interval")) else f" (could move {row.get('rank_interval')} places)"))
    if "pareto" in cols:
        p = row.get("pareto")
        robust.append("Pareto set: " + (UNKNOWN if is_missing(p) else "yes" if p else "no"))
    where = " · ".join([
        f"{fmt_number(row.get('latitude'), 4)}, {fmt_number(row.get('longitude'), 4)}",
        f"country {_text(row.get('country'))}", f"US state {_us_state_text(row)}",
        f"grid zone {_text(row.get('grid_zone'))}" + ("" if is_missing(row.get("zone_name"))
                                                       else f" ({row.get('zone_name')})"),
    ])
    has_contrib = any(f"contrib_{c}" in cols for c in crit)
    lo, hi = row.get("rank_p05"), row.get("rank_p95")
    why = {"facts": deciding_facts(row, crit, prof, on_unknown),
           "unknown": [f"{c}: {'; '.join(u) or 'an input'}" for c, u in on_unknown.items()],
           "range": None if excluded or is_missing(lo) or is_missing(hi) else
           f"{fmt_number(lo)}–{fmt_number(hi)} (5–95 % of {data.run.get('mc_draws') or 'the'} "
           "robustness draws, weights and inputs perturbed)"}
    return {
        "card_id": f"site-{i}", "site_id": str(row.get("site_id")), "name": name, "excluded": excluded,
        "exclusion_reason": _text(row.get("exclusion_reason")),
        "rank_text": "excluded" if excluded else fmt_number(row.get("rank")), "why": why, "on_unknown": on_unknown,
        "score_text": fmt_number(row.get("score"), 1), "where": where, "unknowns": unknowns,
        "gates": _gates(row, gate_cols), "criteria": criteria, "fields": fields, "robust": " · ".join(robust),
        "contrib_svg": charts.contribution_bars(row, crit) if has_contrib else None,
        "sources": _sources_for(row, vintages),
    }


def _table(i: int, row: dict[str, Any], ctx: dict[str, Any], crit: list[str], cols: set[str],
           gate_cols: list[str]) -> list[dict[str, Any]]:
    on_unk = ctx["on_unknown"]
    note = "; ".join(f"{c}: {', '.join(u) or 'an input'} UNKNOWN" for c, u in on_unk.items())
    rank_cell = (_cell("excluded", "", "num excl", title=ctx["exclusion_reason"]) if ctx["excluded"]
                 else _cell(fmt_number(row.get("rank")), sort_key(row.get("rank")), "num"))

    def scored(v: Any, unk: bool, digits: int = 1) -> dict[str, Any]:
        text = fmt_number(v, digits)
        if unk and text != UNKNOWN:
            return _cell(text + ON_UNKNOWN_MARK, sort_key(v), "num on-unknown", title=f"rests on UNKNOWN: {note}")
        return _cell(text, sort_key(v), "num")

    cells = [
        rank_cell,
        _cell(ctx["name"], ctx["name"].lower(), "name", href=ctx["card_id"]),
        _cell(ctx["site_id"], ctx["site_id"]),
        _cell(_text(row.get("country")), sort_key(row.get("country"))),
        _cell(_us_state_text(row), sort_key(row.get("us_state"))),
        _cell(_text(row.get("grid_zone")), sort_key(row.get("grid_zone"))),
        scored(row.get("score"), bool(on_unk)),
    ]
    cells += [scored(row.get(f"score_{c}"), c in on_unk) for c in crit]
    if "p_top5" in cols:
        cells.append(_cell(fmt_number(row.get("p_top5"), 2), sort_key(row.get("p_top5")), "num"))
    if "rank_p05" in cols and "rank_p95" in cols:
        lo, hi = row.get("rank_p05"), row.get("rank_p95")
        txt = UNKNOWN if is_missing(lo) or is_missing(hi) else f"{fmt_number(lo)}–{fmt_number(hi)}"
        cells.append(_cell(txt, sort_key(None if is_missing(lo) or is_missing(hi) else hi - lo), "num"))
    if "pareto" in cols:
        p = row.get("pareto")
        cells.append(_cell(UNKNOWN if is_missing(p) else "yes" if p else "no", sort_key(p)))
    if gate_cols:
        g = ctx["gates"]
        worst = g[0]["cls"] if g else UNKNOWN
        txt = ", ".join(f"{x['name']}: {x['value']}" for x in g if x["cls"] != "PASS") or "all PASS"
        flags = row.get("gate_flags")
        if not is_missing(flags) and str(flags).strip() and str(flags).strip() not in txt:
            txt += f" ({str(flags).strip()})"
        cells.append(_cell(txt, str(GATE_ORDER.get(worst, 1)), "gates"))
    if "status" in cols:
        cells.append(_cell("—" if is_missing(row.get("status")) else str(row.get("status")), sort_key(row.get("status"))))
    status = f"excluded: {ctx['exclusion_reason']}" if ctx["excluded"] else "scored"
    cells.append(_cell(status, status.lower(), "reason"))
    return cells


def _table_cols(crit: list[str], cols: set[str], gate_cols: list[str]) -> list[dict[str, str]]:
    out = [("Rank", "num", "1 = best"), ("Site", "text", "site name"), ("ID", "text", "site_id"),
           ("Country", "text", "ISO 3166 alpha-3"), ("US state", "text", "US state code"),
           ("Grid zone", "text", "Electricity Maps zone"),
           ("Score (0–100)", "num", "weighted sum of the criterion contributions; * = rests on an UNKNOWN input")]
    out += [(f"{c} (0–100)", "num", f"sub-score {c}, 0 = worst, 100 = best; * = rests on an UNKNOWN input")
            for c in crit]
    if "p_top5" in cols:
        out.append(("P(top 5)", "num", "probability of a top-5 rank under the robustness analysis"))
    if "rank_p05" in cols and "rank_p95" in cols:
        out.append(("Rank 5–95 %", "num", "sorted by interval width"))
    if "pareto" in cols:
        out.append(("Pareto", "text", "on the Pareto front"))
    if gate_cols:
        out.append(("Gates", "text", "gates not passed"))
    if "status" in cols:
        out.append(("Project", "text", "project status from the candidate file (user-supplied)"))
    out.append(("Status", "text", "scored or exclusion reason"))
    return [{"label": a, "type": b, "help": c} for a, b, c in out]


# ---------------------------------------------------------------- whole page
#: a zone card's estimates: (label, column stem, unit, decimals); the zone's mean and its cells' range
ZONE_FACTS = (("PUE (annual)", "pue_annual", "", 3), ("WUE on site", "wue_onsite_l_per_kwh", "L/kWh", 2),
              ("Grid carbon", "carbon_g_per_kwh", "gCO2/kWh", 0), ("Electricity price", "price_usd_per_mwh", "$/MWh", 1),
              ("Nearest 230 kV-class substation", "substation_230kv_distance_km", "km", 1),
              ("Nearest 345 kV-class substation", "substation_345kv_distance_km", "km", 1),
              ("Generation nearby (distance-weighted)", "capacity_weighted_mw", "MW", 0),
              ("Balancing-area headroom at 0.5 %", "ba_headroom_mw_0p5pct", "MW", 0),
              ("Queue: median years to power", "queue_median_years", "yr", 1),
              ("Water stress (0–5)", "water_stress_score", "", 2))


def zone_facts(row: dict[str, Any]) -> list[dict[str, str]]:
    """A screening zone's card rows: area, cells, score range, then each estimate's mean and range over
    its cells (from ``zones.parquet``: ``<column>_mean`` / ``_min`` / ``_max``); UNKNOWN where no cell knows it."""
    out = [{"label": "Area", "value": f"{fmt_number(row.get('area_km2'))} km² ({fmt_number(row.get('n_cells'))} cells)"},
           {"label": "Score (mean; worst–best cell)",
            "value": f"{fmt_number(row.get('mean_score'), 1)} ({fmt_number(row.get('min_score'), 1)}–"
                     f"{fmt_number(row.get('best_score'), 1)})"}]
    for label, stem, unit, d in ZONE_FACTS:
        if f"{stem}_mean" not in row:
            continue
        mean, lo, hi = row.get(f"{stem}_mean"), row.get(f"{stem}_min"), row.get(f"{stem}_max")
        value = UNKNOWN if is_missing(mean) else (f"{fmt_number(mean, d)} {unit} ({fmt_number(lo, d)}–"
                                                   f"{fmt_number(hi, d)})").replace("  ", " ")
        out.append({"label": label, "value": value})
    return out


#: zones a screening report shows (cards, ranking rows, map circles), best first: a CONUS r7 run has
#: ~2,900 zones, whose cards made an 18 MB page rendered in 4.4 s; all are in zones.parquet / scores.csv
MAX_ZONE_CARDS = 250


def build_context(data: RunData, other: RunData | None = None) -> dict[str, Any]:
    """Template context for one run (and an optional run to compare with). A screening run's report
    holds the best :data:`MAX_ZONE_CARDS` zones (cards, table rows, map circles) and says how many
    more are in ``zones.parquet`` and ``scores.csv``."""
    is_screen = data.run.get("kind") == "screen"
    all_scores = _order(data.scores)
    scores = all_scores.head(MAX_ZONE_CARDS) if is_screen else all_scores
    cols = set(scores.columns)
    crit = charts.criteria_present(scores.columns)
    gate_cols = sorted(c for c in scores.columns if c.startswith("gate_") and c not in GATE_SUMMARY_COLUMNS)
    run_sources = [s for s in data.run.get("sources") or [] if isinstance(s, dict)]
    vintages = {str(s.get("source_id")): str(s.get("vintage")) for s in run_sources if s.get("vintage") is not None}
    hourly = _SeriesLookup(data.hourly, ("site_id", "station_key"))
    monthly = _SeriesLookup(data.monthly, ("site_id",))
    fuel = _SeriesLookup(data.fuel_mix, ("site_id",))
    carbon = _SeriesLookup(data.carbon_years, ("grid_zone",))
    cache: dict[Any, str | None] = {}
    sites = []
    prof = data.run.get("profile") if isinstance(data.run.get("profile"), dict) else None
    names = dict(zip(scores["site_id"].to_list(), scores["site_name"].to_list())) if "site_name" in cols else {}
    tied = ties(scores, prof, {k: str(v) for k, v in names.items()})
    known = known_factor_columns(scores)
    for i, row in enumerate(scores.iter_rows(named=True)):
        ctx = _site_context(i, row, data, crit, gate_cols, vintages, known)
        ctx["zone"] = zone_facts(row) if is_screen else []
        ctx["tie"] = tied.get(row.get("site_id"))
        ctx["table"] = _table(i, row, ctx, crit, cols, gate_cols)
        ctx["charts"], ctx["no_charts"] = _site_charts(row, hourly, monthly, fuel, carbon, cache)
        sites.append(ctx)
    card_ids = [s["card_id"] for s in sites]
    pareto_svg, pareto_cap = charts.pareto_chart(scores)
    robustness = [
        {"svg": charts.top_k_chart(scores), "caption": "Share of robustness draws in which each site ranks top 5.",
         "missing": "no p_top5 column/values in this run."},
        {"svg": charts.rank_interval_chart(scores), "caption": "Point: rank in this run; line: 5–95 % rank interval.",
         "missing": "no rank_p05/rank_p95 values in this run."},
        {"svg": pareto_svg, "caption": pareto_cap, "missing": pareto_cap},
    ]
    if is_screen:  # zones come from one scored surface: no Monte Carlo over zones
        robustness = [{"svg": None, "caption": "", "missing": "not computed for screening zones: a zone's robustness is "
                       "the spread of its cells' scores, shown on each zone card (worst–best cell)."}]
    profile = data.run.get("profile") if isinstance(data.run.get("profile"), dict) else {}
    profile_rows = list(profile_settings(profile).items()) if profile else []
    candidates = data.run.get("candidates") if isinstance(data.run.get("candidates"), dict) else {}
    notes = candidates.get("notes") or []
    timings = data.run.get("timings_s") if isinstance(data.run.get("timings_s"), dict) else {}
    carbon = data.run.get("carbon") if isinstance(data.run.get("carbon"), dict) else {}
    prices = data.run.get("prices") if isinstance(data.run.get("prices"), dict) else {}
    n_excl = int(all_scores["excluded"].fill_null(False).sum()) if "excluded" in cols else 0
    n_scored = (all_scores.filter(pl.col("score").is_not_null() & ~pl.col("excluded").fill_null(False)).height
                if "score" in cols and "excluded" in cols else
                int(all_scores["score"].is_not_null().sum()) if "score" in cols else 0)
    n_on_unknown = sum(1 for s in sites if s["on_unknown"] and not s["excluded"])
    return {
        "is_screen": is_screen, "noun": "zones" if is_screen else "sites",
        "title": (f"candidate zones for AI data centers: {data.run.get('region')} at H3 resolution "
                  f"{data.run.get('resolution')} ({fmt_number(data.run.get('cells'))} cells screened)") if is_screen
        else "candidate AI data-center sites",
        "version": __version__, "run_id": data.run_id, "run": data.run, "profile": profile,
        "code_text": code_text(data.run.get("code_version")), "started_text": time_text(data.run.get("started_at")),
        "finished_text": time_text(data.run.get("finished_at")), "n_on_unknown": n_on_unknown, "n_tied": len(tied),
        "unknown_policy": unknown_policy_text(profile.get("unknown")) if profile else "UNKNOWN (no profile recorded)",
        "csp": content_security_policy(), "css": CSS, "hook_js": HOOK_JS, "main_js": MAIN_JS,
        "sites": sites, "n_excluded": n_excl, "n_scored": n_scored, "open_cards": OPEN_CARDS,
        "n_total": all_scores.height,
        "carbon": carbon, "prices": prices,
        "table_cols": _table_cols(crit, cols, gate_cols),
        "map_svg": site_map_svg(scores, data.boundaries, data.surface, card_ids),
        "has_surface": data.surface is not None and data.surface.height > 0,
        "boundaries_note": ("country and US-state outlines from boundaries.parquet" if data.boundaries is not None
                            else "none (the run has no boundaries.parquet)"),
        "robustness_charts": robustness,
        "robustness_note": ("Ranks under perturbed weights and inputs, as recorded by the run "
                            "(p_top5, rank_p05, rank_p95, pareto)."),
        "profile_rows": profile_rows, "candidates": candidates,
        "candidates_notes": notes if isinstance(notes, list) else [str(notes)],
        "water_stress": data.run.get("water_stress") if isinstance(data.run.get("water_stress"), dict) else {},
        "offsite_water": data.run.get("offsite_water") if isinstance(data.run.get("offsite_water"), dict) else {},
        "run_sources": [{"source_id": _text(s.get("source_id")), "vintage": _text(s.get("vintage")),
                         "loaded_at": time_text(s.get("loaded_at")),
                         "files": _text(s.get("files") if not isinstance(s.get("files"), list)
                                        else ", ".join(map(str, s["files"])))} for s in run_sources],
        "timings": [(k, fmt_number(v, 1) if isinstance(v, (int, float)) else str(v)) for k, v in timings.items()],
        "methods": methods_used(scores), "files_read": data.files_read,
        "compare": compare_runs(data, other) if other is not None else None,
        "run_json": json_for_html({"run": data.run, "files_read": data.files_read,
                                   "compare_to": other.run_id if other is not None else None}),
    }


def render_html(data: RunData, other: RunData | None = None) -> str:
    """The report as one HTML string."""
    return _ENV.from_string(TEMPLATE).render(**build_context(data, other))


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".report-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; the report is read like the other outputs (0644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def render_report(run_dir: Path, *, compare_to: Path | None = None, out: Path | None = None,
                  allow_outside: bool = False) -> Path:
    """Write ``report.html`` for ``run_dir`` (optionally compared with the run in ``compare_to``).

    ``out`` defaults to ``run_dir/report.html``; a path outside ``run_dir`` is refused unless
    ``allow_outside=True``. Returns the path written.
    """
    data = load_run(run_dir)
    target = safe_output_path(data.run_dir, out, REPORT_FILE, allow_outside=allow_outside)
    other = load_run(compare_to) if compare_to is not None else None
    _write_atomic(target, render_html(data, other))
    return target
