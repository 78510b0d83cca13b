"""Benchmark (c): Monte Carlo robustness, 1,000 weight/input draws over 10,000 sites (target < 5 s).

    uv run python benchmarks/bench_montecarlo.py [--sites 10000] [--draws 1000]

Synthetic sites with realistic ranges for every column the balanced profile reads (so every
criterion, fallback and perturbed input is exercised); prints wall time and peak RSS.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import polars as pl

from gridscout.peak_memory import peak_rss_mb


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sites", type=int, default=10_000)
    ap.add_argument("--draws", type=int, default=1000)
    ap.add_argument("--profile", default="balanced")
    a = ap.parse_args()
    from gridscout.scoring import load_profile, score_sites
    from gridscout.scoring.robustness import monte_carlo

    rng = np.random.default_rng(0)
    n = a.sites
    f = pl.DataFrame({
        "site_id": [f"s{i}" for i in range(n)],
        "on_land": np.ones(n, dtype=bool),
        "capacity_within_50km_mw": rng.lognormal(7, 1.2, n),
        "firm_capacity_within_50km_mw": rng.lognormal(6.5, 1.2, n),
        "pue_annual": rng.uniform(1.08, 1.6, n),
        "free_cooling_hours": rng.uniform(1000, 8760, n),
        "cooling_design_db_c": rng.uniform(20, 45, n),
        "water_stress_score": np.where(rng.random(n) < 0.3, np.nan, rng.uniform(0, 5, n)),
        "wue_onsite_l_per_kwh": rng.uniform(0, 2, n),
        "carbon_g_per_kwh": rng.uniform(20, 900, n),
        "cfe_share_24x7": rng.uniform(0.1, 1, n),
        "price_usd_per_mwh": np.where(rng.random(n) < 0.2, np.nan, rng.uniform(40, 200, n)),
        "energy_cost_usd_per_year": rng.uniform(1e7, 1e8, n),
        "emissions_tco2_per_year": rng.uniform(1e3, 3e5, n),
        "water_m3_per_year": rng.uniform(1e3, 1e6, n),
    }).with_columns(pl.col(pl.Float64).fill_nan(None))
    p = load_profile(a.profile)
    elig = np.ones(n, dtype=bool)
    t0 = time.perf_counter()
    mc = monte_carlo(f, p, elig, draws=a.draws, top_k=5, seed=0)
    t_mc = time.perf_counter() - t0
    print(f"(c) monte_carlo: sites={n:,} draws={a.draws:,} wall={t_mc:.2f} s "
          f"peak_rss={peak_rss_mb():.0f} MB "
          f"sum p_top5={mc['p_top5'].sum():.3f}")
    t0 = time.perf_counter()
    r = score_sites(f, p, mc_draws=a.draws)
    print(f"    score_sites end to end (gates, scores, MC, Pareto): wall={time.perf_counter() - t0:.2f} s "
          f"pareto={int(r.scores['pareto'].sum())} peak_rss={peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
