"""Charts as inline SVG: Vega-Lite specs rendered by vl-convert (no JS, no network at view time).

Every function returns an ``<svg>`` string, or ``None`` when the run holds no data for it (the
template then says so instead of drawing an empty or invented chart).
"""

from __future__ import annotations

import itertools
import math
import re
from html import escape
from typing import Any

import polars as pl

from gridscout.report.fields import CRITERIA, fmt_number, is_missing

_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
_CONFIG = {"font": "sans-serif", "view": {"stroke": "#ccc"}, "axis": {"labelLimit": 220}, "aria": False}
_counter = itertools.count(1)
_UNSAFE = re.compile(r"<\s*(script|foreignobject|iframe|object|embed)"
                     r"|<[a-z][^>]*\s(on[a-z]+\s*=|href\s*=\s*[\"']?\s*javascript:)", re.I)

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


class ChartError(RuntimeError):
    """vl-convert produced markup the report will not inline."""


def _uniquify_ids(svg: str, prefix: str) -> str:
    """Prefix every id (and its url(#)/href references) so many inline SVGs can share a page."""
    ids = set(re.findall(r'\bid="([^"]+)"', svg))
    for ident in sorted(ids, key=len, reverse=True):
        new = f"{prefix}-{ident}"
        svg = svg.replace(f'id="{ident}"', f'id="{new}"').replace(f"url(#{ident})", f"url(#{new})")
        svg = svg.replace(f'href="#{ident}"', f'href="#{new}"')
    return svg


def vegalite_svg(spec: dict[str, Any]) -> str:
    """Render a Vega-Lite spec to a standalone SVG string safe to inline in HTML."""
    import vl_convert as vlc

    full = {"$schema": _SCHEMA, "config": _CONFIG, "background": "white", **spec}
    svg = vlc.vegalite_to_svg(full)
    svg = svg[svg.find("<svg"):]  # drop any XML prolog
    if _UNSAFE.search(svg):
        raise ChartError("vl-convert output contains active content (script/handler); refusing to inline it")
    svg = svg.replace("<svg ", '<svg class="chart" role="img" ', 1)
    return _uniquify_ids(svg, f"gs-c{next(_counter)}")


def _rows(df: pl.DataFrame) -> list[dict[str, Any]]:
    return df.to_dicts()


def hourly_pue_chart(hourly: pl.DataFrame, title: str = "") -> str | None:
    """Daily min / mean / max of hourly PUE over the year (one band + line)."""
    if hourly is None or hourly.height == 0 or "pue" not in hourly.columns or "hour_of_year" not in hourly.columns:
        return None
    day = (hourly.filter(pl.col("pue").is_not_null() & pl.col("pue").is_not_nan())
           .with_columns((pl.col("hour_of_year") // 24 + 1).alias("day"))
           .group_by("day").agg(pl.col("pue").min().alias("pue_min"), pl.col("pue").mean().alias("pue_mean"),
                                pl.col("pue").max().alias("pue_max"))
           .sort("day"))
    if day.height == 0:
        return None
    x = {"field": "day", "type": "quantitative", "title": "day of year", "scale": {"domain": [1, 366]}}
    spec = {
        "title": title or "Hourly PUE over the year (daily min–max band, daily mean line)",
        "width": 560, "height": 160, "data": {"values": _rows(day)},
        "layer": [
            {"mark": {"type": "area", "opacity": 0.3, "color": "#3b528b"},
             "encoding": {"x": x, "y": {"field": "pue_min", "type": "quantitative", "title": "PUE",
                                        "scale": {"zero": False}}, "y2": {"field": "pue_max"}}},
            {"mark": {"type": "line", "color": "#21918c", "strokeWidth": 1.2},
             "encoding": {"x": x, "y": {"field": "pue_mean", "type": "quantitative"}}},
        ],
    }
    return vegalite_svg(spec)


def _nice_max(v: float) -> float:
    """A round axis maximum at or above ``v`` (1, 2, 2.5, 5 × 10^k)."""
    if v <= 0:
        return 1.0
    exp = 10 ** math.floor(math.log10(v))
    return next(m * exp for m in (1, 2, 2.5, 5, 10) if m * exp >= v)


def bar_svg(items: list[tuple[str, float]], title: str, unit: str, *, horizontal: bool = False,
            base: float = 0.0) -> str:
    """A small hand-drawn bar chart (fast for one chart per site; all text escaped). ``base``: the
    value the vertical bars grow from (0, or a quantity's physical floor such as PUE 1.0)."""
    vmax = base + _nice_max(max((v - base for _, v in items), default=0.0))
    digits = 0 if base == 0 and vmax >= 10 else 2
    parts = []
    if horizontal:
        label_w, bar_w, row_h = 110, 200, 16
        w, h = label_w + bar_w + 70, 24 + row_h * len(items) + 18
        for i, (lab, v) in enumerate(items):
            y = 24 + i * row_h
            bw = max(v / vmax * bar_w, 0.5)
            parts.append(f'<text x="{label_w - 4}" y="{y + 11}" text-anchor="end">{escape(lab)}</text>'
                         f'<rect x="{label_w}" y="{y + 2}" width="{bw:.1f}" height="{row_h - 4}" fill="#3b528b">'
                         f'<title>{escape(lab)}: {fmt_number(v, 0)} {escape(unit)}</title></rect>'
                         f'<text x="{label_w + bw + 4:.1f}" y="{y + 11}">{fmt_number(v, 0)}</text>')
        parts.append(f'<text x="{label_w}" y="{h - 4}" class="muted-svg">{escape(unit)}</text>')
    else:
        left, plot_w, plot_h, top = 56, 300, 110, 24
        w, h = left + plot_w + 10, top + plot_h + 22
        step = plot_w / max(len(items), 1)
        parts.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#888"/>'
                     f'<text x="{left - 4}" y="{top + 8}" text-anchor="end">{fmt_number(vmax, digits)}</text>'
                     f'<text x="{left - 4}" y="{top + plot_h}" text-anchor="end">{fmt_number(base, digits)}</text>'
                     f'<text x="4" y="{top + plot_h / 2:.0f}">{escape(unit)}</text>')
        for i, (lab, v) in enumerate(items):
            bh = max(v - base, 0.0) / (vmax - base) * plot_h
            x = left + i * step
            parts.append(f'<rect x="{x + 2:.1f}" y="{top + plot_h - bh:.1f}" width="{step - 4:.1f}" height="{bh:.1f}" '
                         f'fill="#21918c"><title>{escape(lab)}: {fmt_number(v, max(digits, 1))} {escape(unit)}'
                         '</title></rect>'
                         f'<text x="{x + step / 2:.1f}" y="{top + plot_h + 14}" text-anchor="middle">'
                         f'{escape(lab)}</text>')
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart small" width="{w}" height="{h}" '
            f'viewBox="0 0 {w} {h}" role="img"><rect width="{w}" height="{h}" fill="white"/>'
            f'<text x="4" y="14" class="title-svg">{escape(title)}</text>')
    return head + "".join(parts) + "</svg>"


#: PUE is total facility energy / IT energy, never below 1 (The Green Grid, White Paper #49, "PUE: A
#: Comprehensive Examination of the Metric", 2012): its bars grow from 1.0, so months differ visibly
BAR_BASE = {"pue_mean": 1.0}


def monthly_chart(monthly: pl.DataFrame, column: str, label: str, unit: str) -> str | None:
    """Bars per month for one column of ``monthly.parquet`` (null months left out, not drawn as 0);
    bars grow from the column's physical floor (:data:`BAR_BASE`, else 0)."""
    if monthly is None or monthly.height == 0 or column not in monthly.columns or "month" not in monthly.columns:
        return None
    df = (monthly.select(pl.col("month").cast(pl.Int32), pl.col(column).cast(pl.Float64).alias("v"))
          .filter(pl.col("v").is_not_null() & pl.col("v").is_not_nan()).sort("month"))
    if df.height == 0:
        return None
    items = [(MONTHS[(m - 1) % 12], v) for m, v in df.iter_rows()]
    return bar_svg(items, f"{label} by month" + (f" [{unit}]" if unit else ""), unit, base=BAR_BASE.get(column, 0.0))


def water_split_chart(row: dict[str, Any]) -> str | None:
    """On-site vs off-site water of one site and the stress-weighted total [m³/yr] (UNKNOWN parts left
    out and named in the title, never drawn as 0)."""
    parts = (("on-site", "water_onsite_m3_per_year"),  # evaporation and blowdown at the site
             ("off-site (power)", "water_offsite_m3_per_year"),  # consumed by the generation mix
             ("stress-weighted", "water_stress_weighted_m3_per_yr"))
    items = [(lab, float(row[c])) for lab, c in parts if not is_missing(row.get(c))]
    missing = [lab for lab, c in parts if is_missing(row.get(c))]
    if len(items) < 2:
        return None
    title = "Water: on-site vs off-site (power) [m³/yr]" + (f" ({', '.join(missing)}: UNKNOWN)" if missing else "")
    return bar_svg(items, title, "m³/yr", horizontal=True)


def carbon_years_chart(years: pl.DataFrame | None, zone: str, scored_year: Any) -> str | None:
    """The grid zone's carbon intensity in every year the source has [gCO2eq/kWh] (``carbon_years.parquet``);
    None with fewer than two years (nothing to compare)."""
    if years is None or years.height < 2:
        return None
    items = [(str(y), float(v)) for y, v in years.sort("year").select("year", "carbon_g_per_kwh").iter_rows()]
    scored = "" if is_missing(scored_year) else f"; scored: {scored_year}"
    return bar_svg(items, f"Grid carbon intensity by year, {zone} [gCO2eq/kWh]{scored}", "g/kWh")


def fuel_mix_chart(fuel_mix: pl.DataFrame, radius_km: float = 50) -> str | None:
    """Generation capacity by fuel near the site [MW]."""
    if fuel_mix is None or fuel_mix.height == 0 or not {"fuel", "capacity_mw"} <= set(fuel_mix.columns):
        return None
    df = (fuel_mix.filter(pl.col("capacity_mw").is_not_null())
          .with_columns(pl.col("fuel").cast(pl.Utf8).fill_null("UNKNOWN fuel"))
          .group_by("fuel").agg(pl.col("capacity_mw").sum()).sort(["capacity_mw", "fuel"], descending=[True, False]))
    if df.height == 0:
        return None
    return bar_svg(list(df.iter_rows()), f"Generation capacity within {radius_km:g} km by fuel [MW]", "MW",
                   horizontal=True)


def _labels(scores: pl.DataFrame) -> pl.Expr:
    name = pl.col("site_name") if "site_name" in scores.columns else pl.col("site_id")
    rank = pl.col("rank").cast(pl.Int64).cast(pl.Utf8).fill_null("–") if "rank" in scores.columns else pl.lit("–")
    return pl.concat_str([rank, pl.lit(". "), name.cast(pl.Utf8).fill_null("?"),
                          pl.lit(" ["), pl.col("site_id").cast(pl.Utf8), pl.lit("]")]).alias("label")


def top_k_chart(scores: pl.DataFrame, column: str = "p_top5", n: int = 15) -> str | None:
    """Probability of being in the top k under the robustness analysis (sites with a value only)."""
    if column not in scores.columns or scores[column].drop_nulls().len() == 0:
        return None
    df = (scores.select(_labels(scores), pl.col(column).cast(pl.Float64).alias("p"))
          .filter(pl.col("p").is_not_null()).sort("p", descending=True).head(n))
    spec = {
        "title": f"P(top {column.removeprefix('p_top')}) — top {df.height} sites", "width": 320,
        "height": {"step": 15}, "data": {"values": _rows(df)},
        "mark": {"type": "bar", "color": "#5ec962"},
        "encoding": {"y": {"field": "label", "type": "nominal", "sort": "-x", "title": None},
                     "x": {"field": "p", "type": "quantitative", "title": "probability",
                           "scale": {"domain": [0, 1]}}},
    }
    return vegalite_svg(spec)


def rank_interval_chart(scores: pl.DataFrame, n: int = 40) -> str | None:
    """Rank with its 5–95 % interval, for the best ``n`` ranked sites."""
    need = {"rank", "rank_p05", "rank_p95"}
    if not need <= set(scores.columns):
        return None
    df = (scores.select(_labels(scores), pl.col("rank").cast(pl.Float64), pl.col("rank_p05").cast(pl.Float64),
                        pl.col("rank_p95").cast(pl.Float64))
          .filter(pl.col("rank").is_not_null() & pl.col("rank_p05").is_not_null() & pl.col("rank_p95").is_not_null())
          .sort("rank").head(n))
    if df.height == 0:
        return None
    y = {"field": "label", "type": "nominal", "sort": {"field": "rank", "order": "ascending"}, "title": None}
    spec = {
        "title": f"Rank and its 5–95 % interval (best {df.height})", "width": 320, "height": {"step": 14},
        "data": {"values": _rows(df)},
        "layer": [
            {"mark": {"type": "rule", "color": "#3b528b"},
             "encoding": {"y": y, "x": {"field": "rank_p05", "type": "quantitative", "title": "rank (1 = best)"},
                          "x2": {"field": "rank_p95"}}},
            {"mark": {"type": "point", "filled": True, "color": "#440154"},
             "encoding": {"y": y, "x": {"field": "rank", "type": "quantitative"}}},
        ],
    }
    return vegalite_svg(spec)


#: Axis pairs for the Pareto chart, first available wins (both lower-is-better physical quantities).
PARETO_AXES = (
    ("carbon_g_per_kwh", "gCO2eq/kWh", "energy_cost_usd_per_year", "$/yr"),
    ("carbon_g_per_kwh", "gCO2eq/kWh", "price_usd_per_mwh", "$/MWh"),
    ("emissions_tco2_per_year", "tCO2eq/yr", "water_m3_per_year", "m³/yr"),
    ("score_carbon", "score", "score_price", "score"),
    ("score_carbon", "score", "score_cooling", "score"),
)


def pareto_chart(scores: pl.DataFrame) -> tuple[str | None, str]:
    """Scatter of two criteria with the run's Pareto set highlighted; returns (svg, caption)."""
    if "pareto" not in scores.columns:
        return None, "The run has no `pareto` column."
    best = None
    for xc, xu, yc, yu in PARETO_AXES:  # the pair with the most sites drawable wins (ties: listed order)
        if xc in scores.columns and yc in scores.columns:
            n = scores.filter(pl.col(xc).is_not_null() & pl.col(yc).is_not_null()).height
            if n and (best is None or n > best[0]):
                best = (n, xc, xu, yc, yu)
    if best is not None:
        _, xc, xu, yc, yu = best
        df = (scores.select(_labels(scores), pl.col(xc).cast(pl.Float64).alias("x"),
                            pl.col(yc).cast(pl.Float64).alias("y"),
                            pl.when(pl.col("pareto")).then(pl.lit("Pareto set"))
                            .when(pl.col("pareto").is_null()).then(pl.lit("UNKNOWN"))
                            .otherwise(pl.lit("dominated")).alias("set"))
              .filter(pl.col("x").is_not_null() & pl.col("y").is_not_null()))
        spec = {
            "title": f"Pareto view: {xc} vs {yc}", "width": 380, "height": 260, "data": {"values": _rows(df)},
            "mark": {"type": "point", "filled": True, "size": 50},
            "encoding": {
                "x": {"field": "x", "type": "quantitative", "title": f"{xc} [{xu}]", "scale": {"zero": False}},
                "y": {"field": "y", "type": "quantitative", "title": f"{yc} [{yu}]", "scale": {"zero": False}},
                "color": {"field": "set", "type": "nominal",
                          "scale": {"domain": ["Pareto set", "dominated", "UNKNOWN"],
                                    "range": ["#d62728", "#9e9e9e", "#cccccc"]}},
            },
        }
        n_front = int(scores["pareto"].fill_null(False).sum())
        cap = (f"{n_front} site(s) on the run's Pareto front (column `pareto`); drawn on the axes "
               f"{xc} and {yc}, the pair with the most known values.")
        missing = scores.height - df.height
        if missing:
            cap += f" {missing} site(s) not drawn: one of the two values is UNKNOWN."
        return vegalite_svg(spec), cap
    return None, "No pair of criteria with values to draw the Pareto view."


def contribution_bars(row: dict[str, Any], criteria: list[str]) -> str:
    """Hand-drawn horizontal bars of each criterion's contribution to the score (UNKNOWN labelled)."""
    vals = [(c, row.get(f"contrib_{c}")) for c in criteria]
    finite = [abs(float(v)) for _, v in vals if not is_missing(v)]
    vmax = max(finite) if finite else 1.0
    vmax = vmax or 1.0
    bar_w, row_h, label_w = 180, 16, 70
    h = row_h * len(vals) + 4
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="contrib" width="{label_w + bar_w + 70}" '
             f'height="{h}" role="img" aria-label="contribution of each criterion to the score">']
    for i, (c, v) in enumerate(vals):
        y = i * row_h + 2
        parts.append(f'<text x="0" y="{y + 11}">{escape(c)}</text>')
        if is_missing(v):
            parts.append(f'<text x="{label_w}" y="{y + 11}" class="unknown-svg">UNKNOWN</text>')
            continue
        w = max(abs(float(v)) / vmax * bar_w, 1.0)
        parts.append(f'<rect x="{label_w}" y="{y + 2}" width="{w:.1f}" height="{row_h - 5}" fill="#21918c">'
                     f'<title>{escape(c)}: {fmt_number(v, 2)}</title></rect>')
        parts.append(f'<text x="{label_w + w + 4:.1f}" y="{y + 11}">{fmt_number(v, 1)}</text>')
    parts.append("</svg>")
    return "".join(parts)


#: ``score_*`` columns of the engine that are not a criterion's sub-score (:mod:`gridscout.scoring.engine`)
NOT_CRITERIA = ("score_rests_on_unknown",)


def criteria_present(columns: list[str]) -> list[str]:
    """Criteria that have a sub-score or contribution column in this run (known ones first)."""
    found = [c for c in CRITERIA if f"score_{c}" in columns or f"contrib_{c}" in columns]
    extra = sorted({c.removeprefix("contrib_") for c in columns if c.startswith("contrib_")} - set(found))
    extra += sorted({c.removeprefix("score_") for c in columns if c.startswith("score_") and c not in NOT_CRITERIA}
                    - set(found) - set(extra))
    return found + extra
