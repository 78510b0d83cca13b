"""Curtailment-enabled headroom (Norris et al. 2025) from EIA-930 2020–2024 against the paper's figures.

Ingests ``eia930`` into a scratch warehouse (or uses ``--db``), computes each BA's headroom at
0.25 / 0.5 / 1 % with :mod:`gridscout.models.headroom`, and prints it beside the paper's per-BA
figures (Figure 1, p. 4), the totals (76 / 98 / 126 GW) and the mean curtailment hours (p. 20),
with our single-year range (2020 … 2024) that bounds any multi-year mean. Also times the model.

    GRIDSCOUT_RAW_DIR=../shared/data uv run python benchmarks/bench_headroom.py [--db PATH]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

REPO = Path(__file__).resolve().parents[1]
os.environ.setdefault("GRIDSCOUT_RAW_DIR", str(REPO.parent / "shared" / "data"))

from gridscout.jobs.ingest import ingest_source  # noqa: E402
from gridscout.models import headroom as hr  # noqa: E402
from gridscout.warehouse.readers.eia930 import read_ba_demand_hourly  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", default=None, help="warehouse with eia930 loaded (default: a scratch one)")
    args = ap.parse_args()
    db = Path(args.db) if args.db else Path(tempfile.mkdtemp()) / "headroom.duckdb"
    t0 = time.perf_counter()
    if not args.db:
        ingest_source("eia930", db=db)
    t1 = time.perf_counter()
    demand = read_ba_demand_hourly(db)
    t2 = time.perf_counter()
    ours = hr.headroom(demand)
    t3 = time.perf_counter()
    by_year = hr.headroom_by_year(demand)
    cmp = hr.paper_comparison(ours, by_year)
    pl.Config.set_tbl_rows(100).set_tbl_cols(20).set_float_precision(1).set_tbl_hide_dataframe_shape(True)
    print(f"EIA-930 (Ruggles et al. v1.4) {demand['datetime_utc'].min():%Y-%m}..{demand['datetime_utc'].max():%Y-%m}, "
          f"{demand['ba_code'].n_unique()} BAs, {demand.height:,} BA-hours")
    for b in hr.BUDGETS:
        print(f"\nheadroom at {b * 100:g} % curtailment [GW]: paper (2016–2024) vs gridscout (2020–2024)")
        print(cmp.filter(pl.col("budget_pct") == b * 100).drop("budget_pct"))
    paper_tot = hr.paper_totals()
    paper22 = ours.join(hr.paper_by_ba().select("ba_code"), on="ba_code", how="semi")
    print("\nmean curtailment hours per year over the 22 BAs at their headroom: paper vs gridscout")
    for b in hr.BUDGETS:
        p = paper_tot.filter(pl.col("budget_pct") == b * 100)
        print(f"  {b * 100:>4g} %: paper {p['curtailment_hours'][0]:>4} h   gridscout "
              f"{paper22[f'curtailment_hours_{hr.budget_label(b)}'].mean():5.0f} h")
    print(f"\ntimes: ingest {t1 - t0:.1f} s, read {t2 - t1:.2f} s, headroom for {ours.height} BAs {t3 - t2:.2f} s")


if __name__ == "__main__":
    sys.exit(main())
