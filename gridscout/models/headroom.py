"""Curtailment-enabled headroom of a balancing authority (BA), after Norris et al. (2025).

The largest *constant* new load a BA can add with no new capacity if that load accepts being
curtailed in the hours when the BA's demand plus the new load would exceed what planners already
provision for, up to a budget of its annual energy. Definitions, from Norris, Profeta,
Patino-Echeverri & Cowie-Haskell, *Rethinking Load Growth: Assessing the Potential for
Integration of Large Flexible Loads in US Power Systems*, NI R 25-01, Nicholas Institute, Duke
University, February 2025, https://hdl.handle.net/10161/32077:

- **Planning limit** (p. 16, "Peak Thresholds and Seasonal Differentiation", footnote 20): a
  seasonal peak threshold per BA, the highest summer and the highest winter demand observed over
  all years analysed; the summer threshold governs April–October, the winter one November–March.
  The paper takes the peak over June–August / December–February, except that "in a few cases the
  BA's seasonal peak occurred within one month of these periods (AZPS winter, FPL winter, CAISO
  summer, CAISO winter), which were used". Here each threshold is the highest demand in the months
  it governs. With 2020–2024 data this equals the paper's rule, exceptions included, for all 22 BAs
  it studies (CAISO's September 2022 peak, FPL's November/March winter peak). It differs only where
  an April or October hour tops May–September (CHPD, SCL, TPWR). There, the paper's rule would
  set a limit that existing load already breaks, so the new load would be curtailed at 0 MW.
- **Curtailment** (p. 16, "Load Curtailment Definition"; Appendix C, p. 38): in hour t of year y,
  ``max(0, demand_t + L − threshold_t)`` MWh for a constant new load of L MW.
- **Curtailment rate** (p. 16; Appendix C): a year's curtailed MWh ÷ the new load's maximum
  potential annual energy ``L · 8,760``. The rates of the N years are averaged (p. 17,
  "Year-by-Year Curtailment Analysis"), and the headroom is the L at which that mean equals the
  limit (0.25, 0.5, 1 or 5 %). The paper finds that L by goal-seek with ``scipy.optimize.root_scalar``.
- **Curtailment hours** (p. 20, "Curtailment Hours"; p. 17): hours per year with any curtailment
  of the new load, averaged over the years.

Solution method (exact, no iteration). Averaging the years' rates with the same ``L·8,760``
denominator equals pooling their curtailed energy: rate(L) = C(L) / (N·8,760·L), where
C(L) = Σ_t max(0, L − g_t) and g_t = threshold_t − demand_t ≥ 0 is hour t's gap. With the gaps
sorted ascending (g_1 ≤ … ≤ g_n, partial sums S_k), C is piecewise linear: C(L) = k·L − S_k on
[g_k, g_{k+1}]. So rate(L) is non-decreasing, and the largest L with rate(L) ≤ r is
L = S_j / (j − r·N·8,760), where j is the last breakpoint whose rate is within the budget.
A load of X MW is curtailed in the hours with g_t < X. This is a load-duration-curve closed form,
vectorised with ``numpy.searchsorted``. It gives the same root as the paper's goal-seek.

The paper covers 2016–2024 (nine years) of EIA-930 data it cleaned itself (Appendix B). gridscout
has the 2020–2024 release of Ruggles et al. Results differ where load grew or shrank between
those windows; see ``tests/models/test_headroom.py`` for the comparison and its tolerance.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from gridscout import config

#: curtailment budgets as shares of the new load's annual energy (Norris et al. 2025, p. 16)
BUDGETS: tuple[float, ...] = (0.0025, 0.005, 0.01)
#: hours in the denominator of a year's curtailment rate, leap years included (Appendix C, p. 38)
HOURS_PER_YEAR = 8760
#: months governed by the summer threshold (p. 16 fn 20: Jun–Aug plus Apr–May and Sep–Oct); the rest by winter
SUMMER_MONTHS = (4, 5, 6, 7, 8, 9, 10)
#: a calendar year counts in the mean rate only when at least this share of its hours is present
MIN_YEAR_COVERAGE = 0.95
#: the paper's per-BA results (Figure 1 p. 4, Figure 8 p. 19) and totals (pp. 2, 20)
PAPER_BY_BA_PATH = config.DATA_DIR / "reference" / "norris2025_headroom_by_ba.csv"
PAPER_TOTALS_PATH = config.DATA_DIR / "reference" / "norris2025_headroom_totals.csv"


def budget_label(budget: float) -> str:
    """0.0025 → ``0p25pct``, 0.005 → ``0p5pct``, 0.01 → ``1pct`` (column-name suffixes)."""
    pct = f"{budget * 100:.4f}".rstrip("0").rstrip(".")
    return pct.replace(".", "p") + "pct"


def seasonal_thresholds(demand: pl.DataFrame) -> pl.DataFrame:
    """Per BA: the summer and winter planning limits [MW], the all-time peak and the years covered.

    ``demand``: ``ba_code``, ``datetime_utc`` (UTC), ``demand_mw``. Returns ``ba_code``,
    ``summer_threshold_mw``, ``winter_threshold_mw``, ``peak_mw``, ``mean_demand_mw``,
    ``load_factor`` (mean ÷ peak), ``first_hour_utc``, ``last_hour_utc``.
    """
    summer = pl.col("datetime_utc").dt.month().is_in(SUMMER_MONTHS)
    return demand.group_by("ba_code").agg(
        pl.col("demand_mw").filter(summer).max().alias("summer_threshold_mw"),
        pl.col("demand_mw").filter(~summer).max().alias("winter_threshold_mw"),
        pl.col("demand_mw").max().alias("peak_mw"),
        pl.col("demand_mw").mean().alias("mean_demand_mw"),
        pl.col("datetime_utc").min().alias("first_hour_utc"),
        pl.col("datetime_utc").max().alias("last_hour_utc"),
    ).with_columns((pl.col("mean_demand_mw") / pl.col("peak_mw")).alias("load_factor")).sort("ba_code")


def hourly_gaps(demand: pl.DataFrame, thresholds: pl.DataFrame | None = None) -> pl.DataFrame:
    """Each hour's gap to its seasonal planning limit, ``gap_mw = threshold_mw − demand_mw`` (≥ 0).

    Only hours of well-covered calendar years (:data:`MIN_YEAR_COVERAGE`) are kept, with ``year``.
    ``thresholds``: :func:`seasonal_thresholds` of ``demand`` when already computed.
    """
    thr = (seasonal_thresholds(demand) if thresholds is None else thresholds).select(
        "ba_code", "summer_threshold_mw", "winter_threshold_mw")
    year = pl.col("datetime_utc").dt.year()
    out = demand.join(thr, on="ba_code", how="inner").with_columns(
        year.alias("year"),
        pl.when(pl.col("datetime_utc").dt.month().is_in(SUMMER_MONTHS))
          .then(pl.col("summer_threshold_mw")).otherwise(pl.col("winter_threshold_mw")).alias("threshold_mw"),
    ).with_columns((pl.col("threshold_mw") - pl.col("demand_mw")).alias("gap_mw"))
    hours_in_year = pl.when(pl.col("year") % 4 == 0).then(8784).otherwise(8760)  # 2000–2099
    covered = (pl.len().over("ba_code", "year") >= MIN_YEAR_COVERAGE * hours_in_year)
    return out.filter(covered).select("ba_code", "year", "datetime_utc", "demand_mw", "threshold_mw", "gap_mw")


@dataclass(frozen=True)
class GapCurve:
    """One BA's hourly gaps sorted ascending, with partial sums: all the method needs."""

    gaps_mw: np.ndarray
    cum_gaps_mwh: np.ndarray
    n_years: int

    @classmethod
    def from_gaps(cls, gaps_mw: np.ndarray, n_years: int) -> GapCurve:
        g = np.sort(np.asarray(gaps_mw, dtype=np.float64))
        return cls(g, np.cumsum(g), int(n_years))

    def headroom_mw(self, budgets: Sequence[float]) -> np.ndarray:
        """Largest constant load [MW] whose mean annual curtailment rate is ≤ each budget (closed form)."""
        g, s = self.gaps_mw, self.cum_gaps_mwh
        k = np.arange(1, g.size + 1, dtype=np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            # C(L)/L at each breakpoint L = g_k: (k·g_k − S_k)/g_k. Zero gaps (peak hours) count as 0 here;
            # the segment after them is solved below (L = 0 if they alone exceed the budget)
            rate_hours = np.where(g > 0, k - s / g, 0.0)
        allowed = np.asarray(budgets, dtype=np.float64) * self.n_years * HOURS_PER_YEAR  # r·N·8760
        j = np.searchsorted(rate_hours, allowed, side="right")  # breakpoints within budget (≥ 1)
        out = np.full(allowed.shape, np.nan)
        ok = (j >= 1) & (j > allowed)  # j ≤ r·N·8760 only if curtailing every hour stayed in budget
        out[ok] = s[j[ok] - 1] / (j[ok] - allowed[ok])
        return out

    def hours_curtailed(self, loads_mw: np.ndarray) -> np.ndarray:
        """Mean hours per year in which a constant load of each size would be (at least partly) curtailed."""
        return np.searchsorted(self.gaps_mw, np.asarray(loads_mw, dtype=np.float64), side="left") / self.n_years

    def curtailment_rate(self, loads_mw: np.ndarray) -> np.ndarray:
        """Mean annual curtailment rate (share of ``L·8,760`` MWh) for each load size; null for L ≤ 0."""
        x = np.asarray(loads_mw, dtype=np.float64)
        k = np.searchsorted(self.gaps_mw, x, side="left")
        cum = np.where(k > 0, self.cum_gaps_mwh[np.maximum(k - 1, 0)], 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            rate = (k * x - cum) / (self.n_years * HOURS_PER_YEAR * x)
        return np.where(x > 0, rate, np.nan)


def gap_curves(demand: pl.DataFrame, *, by_year: bool = False, thresholds: pl.DataFrame | None = None) -> dict:
    """Per BA (or per (BA, year) with ``by_year``): its :class:`GapCurve` (``thresholds`` as in
    :func:`hourly_gaps`)."""
    gaps = hourly_gaps(demand, thresholds)
    keys = ["ba_code", "year"] if by_year else ["ba_code"]
    curves = {}
    for key, part in gaps.partition_by(keys, as_dict=True, maintain_order=True).items():
        n_years = 1 if by_year else part["year"].n_unique()
        curves[key if by_year else key[0]] = GapCurve.from_gaps(part["gap_mw"].to_numpy(), n_years)
    return curves


def headroom(demand: pl.DataFrame, budgets: Sequence[float] = BUDGETS, *, curves: dict | None = None,
             thresholds: pl.DataFrame | None = None) -> pl.DataFrame:
    """Curtailment-enabled headroom per BA for each budget (``curves``: :func:`gap_curves` of ``demand``,
    ``thresholds``: its :func:`seasonal_thresholds`, when the caller already has them).

    Returns one row per BA: the :func:`seasonal_thresholds` columns, ``n_years``, and for each
    budget b ``headroom_mw_<b>`` (largest constant new load, MW) and ``curtailment_hours_<b>``
    (mean hours per year that load is curtailed).
    """
    rows = []
    for ba, curve in (gap_curves(demand) if curves is None else curves).items():
        mw = curve.headroom_mw(budgets)
        hours = curve.hours_curtailed(np.nan_to_num(mw, nan=0.0))
        row = {"ba_code": ba, "n_years": curve.n_years}
        for b, m, h in zip(budgets, mw, hours, strict=True):
            row[f"headroom_mw_{budget_label(b)}"] = None if np.isnan(m) else float(m)
            row[f"curtailment_hours_{budget_label(b)}"] = None if np.isnan(m) else float(h)
        rows.append(row)
    if not rows:
        return pl.DataFrame()
    thr = seasonal_thresholds(demand) if thresholds is None else thresholds
    return thr.join(pl.DataFrame(rows), on="ba_code", how="inner").sort("ba_code")


def headroom_by_year(demand: pl.DataFrame, budgets: Sequence[float] = BUDGETS) -> pl.DataFrame:
    """Each year's own headroom (the load at which that year's rate alone meets the budget) and its hours.

    The thresholds stay those of all years. Whatever set of years is averaged, the multi-year headroom lies
    between the smallest and largest of its years' values: each year's rate rises with L, so their
    mean crosses the budget between the first and the last single-year crossing.
    """
    rows = []
    for (ba, year), curve in gap_curves(demand, by_year=True).items():
        mw = curve.headroom_mw(budgets)
        hours = curve.hours_curtailed(np.nan_to_num(mw, nan=0.0))
        row = {"ba_code": ba, "year": year}
        for b, m, h in zip(budgets, mw, hours, strict=True):
            row[f"headroom_mw_{budget_label(b)}"] = None if np.isnan(m) else float(m)
            row[f"curtailment_hours_{budget_label(b)}"] = None if np.isnan(m) else float(h)
        rows.append(row)
    return pl.DataFrame(rows).sort("ba_code", "year") if rows else pl.DataFrame()


def curtailment_for_loads(demand: pl.DataFrame, loads: pl.DataFrame, *, curves: dict | None = None) -> pl.DataFrame:
    """What a constant load of each given size would see in its BA.

    ``loads``: ``ba_code``, ``load_mw`` (any other columns are kept). Adds
    ``curtailment_hours_per_year`` (mean hours per year with any curtailment) and
    ``curtailment_pct`` (mean annual curtailed share of its energy, %). Both are null where the BA
    has no demand data or the load is null or not positive. ``curves``: :func:`gap_curves` of (at least
    these BAs of) ``demand`` when the caller already has them (each BA's curve is its own hours only).
    """
    if curves is None:
        curves = gap_curves(demand.filter(pl.col("ba_code").is_in(loads["ba_code"].drop_nulls().unique().to_list())))
    idx = loads.with_row_index("_i")
    hours = np.full(idx.height, np.nan)
    rate = np.full(idx.height, np.nan)
    for (ba,), part in idx.filter(pl.col("ba_code").is_not_null()).partition_by("ba_code", as_dict=True).items():
        curve = curves.get(ba)
        if curve is None:
            continue
        x = part["load_mw"].cast(pl.Float64).fill_null(np.nan).to_numpy()
        valid = np.isfinite(x) & (x > 0)
        i = part["_i"].to_numpy()
        hours[i[valid]] = curve.hours_curtailed(x[valid])
        rate[i[valid]] = curve.curtailment_rate(x[valid])
    return loads.with_columns(
        pl.Series("curtailment_hours_per_year", hours, nan_to_null=True),
        pl.Series("curtailment_pct", rate * 100.0, nan_to_null=True),
    )


def paper_by_ba(path=None) -> pl.DataFrame:
    """Norris et al. (2025) headroom per BA [GW] at 0.25 / 0.5 / 1 % (``ba_code`` = EIA-930 code)."""
    return pl.read_csv(path or PAPER_BY_BA_PATH, comment_prefix="#")


def paper_totals(path=None) -> pl.DataFrame:
    """Norris et al. (2025) totals over its 22 BAs: headroom [GW], mean curtailment hours per year."""
    return pl.read_csv(path or PAPER_TOTALS_PATH, comment_prefix="#")


def paper_comparison(ours: pl.DataFrame, by_year: pl.DataFrame, budgets: Sequence[float] = BUDGETS,
                     paper: pl.DataFrame | None = None) -> pl.DataFrame:
    """Side by side per paper BA and budget: the paper's GW, ours (all years) and our single-year range.

    ``ours`` from :func:`headroom`, ``by_year`` from :func:`headroom_by_year`. The single-year
    range [``year_min_gw``, ``year_max_gw``] bounds the multi-year headroom of *any* set of years
    whose single-year values fall inside it (see :func:`headroom_by_year`). ``within_year_range``
    says whether the paper's figure does. Includes a ``TOTAL`` row per budget: sums, with the
    range of the yearly totals.
    """
    paper = paper_by_ba() if paper is None else paper
    rows = []
    for b in budgets:
        lab = budget_label(b)
        col, pcol = f"headroom_mw_{lab}", f"headroom_gw_{lab}"
        yearly = by_year.join(paper.select("ba_code"), on="ba_code", how="semi")
        rng = yearly.group_by("ba_code").agg((pl.col(col).min() / 1000).alias("year_min_gw"),
                                             (pl.col(col).max() / 1000).alias("year_max_gw"))
        part = (paper.select("ba_code", "paper_name", pl.col(pcol).alias("paper_gw"))
                .join(ours.select("ba_code", (pl.col(col) / 1000).alias("ours_gw")), on="ba_code", how="left")
                .join(rng, on="ba_code", how="left"))
        totals_by_year = yearly.group_by("year").agg((pl.col(col).sum() / 1000).alias("gw"))
        total = pl.DataFrame({"ba_code": ["TOTAL"], "paper_name": ["22 BAs"], "paper_gw": [part["paper_gw"].sum()],
                              "ours_gw": [part["ours_gw"].sum()], "year_min_gw": [totals_by_year["gw"].min()],
                              "year_max_gw": [totals_by_year["gw"].max()]})
        rows.append(pl.concat([part, total], how="vertical_relaxed").with_columns(pl.lit(b * 100).alias("budget_pct")))
    return pl.concat(rows).with_columns(
        ((pl.col("ours_gw") / pl.col("paper_gw") - 1) * 100).alias("ours_vs_paper_pct"),
        pl.col("paper_gw").is_between(pl.col("year_min_gw"), pl.col("year_max_gw")).alias("within_year_range"),
    ).select("budget_pct", "ba_code", "paper_name", "paper_gw", "ours_gw", "ours_vs_paper_pct",
             "year_min_gw", "year_max_gw", "within_year_range")
