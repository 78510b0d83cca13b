"""Throughput of the hourly site models (never run in tests).

Replicates the real EPW/TMY years in ../shared/data across N station keys (default 1,000 ->
8.76 M station-hours), then times gridscout.models.pue.estimate_pue (psychrometrics, hourly
mode/PUE/water and the annual group_by) for each design, and prints station-years per second
and peak resident memory.

    uv run python benchmarks/bench_models.py [--stations 1000] [--design air_evaporative]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

import polars as pl

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "models"))
os.environ.setdefault("GRIDSCOUT_RAW_DIR", str(REPO.parent / "shared" / "data"))

from conftest import WEATHER_FILES, load_station  # noqa: E402  (test helper reads EPW/TMY files)

from gridscout.models import pue  # noqa: E402
from gridscout.models.designs import load_designs  # noqa: E402


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--stations", type=int, default=1000)
    ap.add_argument("--design", default=None, help="one design (default: all)")
    args = ap.parse_args()
    raw = Path(os.environ["GRIDSCOUT_RAW_DIR"])
    base = [load_station(raw, k)[0] for k in WEATHER_FILES]
    reps = []
    for i in range(args.stations):
        reps.append(base[i % len(base)].with_columns(pl.lit(f"st{i:05d}").alias("station_key")))
    weather = pl.concat(reps)
    del reps
    print(f"weather frame: {weather.height:,} rows, {args.stations} station-years "
          f"(real files replicated: {', '.join(WEATHER_FILES)}); rss after load {_rss_mb():.0f} MB")
    designs = [args.design] if args.design else list(load_designs())
    for name in designs:
        t0 = time.perf_counter()
        out = pue.estimate_pue(weather, name)
        dt = time.perf_counter() - t0
        assert out.height == args.stations and out["pue_annual"].null_count() == 0
        print(f"{name:28s} {dt:6.2f} s  {args.stations / dt:8.1f} station-years/s  "
              f"({weather.height / dt / 1e6:.2f} M station-hours/s)  peak RSS {_rss_mb():.0f} MB")
    print(f"peak resident memory (process max RSS): {_rss_mb():.0f} MB; cores: {os.cpu_count()}")


if __name__ == "__main__":
    main()
