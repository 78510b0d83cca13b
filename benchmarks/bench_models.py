"""Throughput and memory of the annual hourly cooling model (never run in tests).

Weather: every real hourly year in ``<raw>/weather_epw_tmy3/`` (106 EnergyPlus TMY3/SWERA zips),
``<raw>/weather_hourly/`` (4 EPW files) and ``<raw>/pvlib/`` (3 NREL TMY files), read with the project's own source parsers, keeping the
model's columns as the warehouse stores them (Float64). These ~113 real years are *tiled* to N
station keys (default 1,000 station-years = 8.76 M station-hours): each real year appears about
N/113 times under different keys. Then, for each design, it times
:func:`gridscout.models.pue.estimate_pue` (weather checks and gap filling, psychrometrics, the
hourly energy balance and the annual sums per station) and prints station-years per second
(wall clock), the CPU seconds of all threads (station-years per CPU-second is what the model costs,
whatever else the machine runs), and the peak resident memory of the whole process while the model
ran (sampled every 2 ms): Python with the project's imports (~290 MB, numba ~90 MB of it), the input frame and the model. The files are parsed in a
child process, so this process holds only the tiled input and the model. A last line times all
designs in one pass (:func:`~gridscout.models.pue.estimate_pue_designs`: psychrometrics once).

The machine is shared: the load average printed first says how many cores the run really had.

    uv run python benchmarks/bench_models.py [--stations 1000] [--design air_evaporative] [--workers 2]
"""

from __future__ import annotations

import argparse
import gc
import multiprocessing
import os
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import polars as pl

from gridscout.config import raw_dir
from gridscout.models import pue
from gridscout.models.designs import load_designs
from gridscout.peak_memory import peak_rss_mb

_PAGE = os.sysconf("SC_PAGE_SIZE")


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * _PAGE / 2**20


class PeakRss:
    """Highest resident set size [MB] seen while the block runs (sampled every 2 ms)."""

    def __enter__(self):
        self.peak, self._stop = _rss_mb(), threading.Event()
        self._t = threading.Thread(target=self._poll, daemon=True)
        self._t.start()
        return self

    def _poll(self):
        while not self._stop.wait(0.002):
            self.peak = max(self.peak, _rss_mb())

    def __exit__(self, *exc):
        self._stop.set()
        self._t.join()
        self.peak = max(self.peak, _rss_mb())


def _dump_years(raw: str, path: str) -> None:
    from gridscout.jobs.climate_model import real_hourly_years

    real_hourly_years(Path(raw))[0].write_parquet(path)


def read_years_apart(raw: Path) -> pl.DataFrame:
    """Every real hourly year (:func:`gridscout.jobs.climate_model.real_hourly_years`), read in a child process so that parsing garbage (pandas, pvlib) does not
    stay in this process's resident memory and the peak measured here is the model's."""
    ctx = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "years.parquet")
        child = ctx.Process(target=_dump_years, args=(str(raw), path))
        child.start()
        child.join()
        if child.exitcode != 0:
            raise SystemExit(f"reading the weather files failed (exit {child.exitcode})")
        return pl.read_parquet(path)


def tile(years: pl.DataFrame, n: int) -> pl.DataFrame:
    """``n`` station-years, materialised: real year i % len(years) under key ``st<i>``. Numeric columns
    are gathered with NumPy (freed memory goes back to the system, so this process's resident memory
    afterwards is the frame's)."""
    years = years.sort("station_key", "hour_of_year")
    starts = np.flatnonzero(np.r_[True, (years["station_key"] != years["station_key"].shift()).to_numpy()[1:]])
    lengths = np.diff(np.r_[starts, years.height])
    pick = np.arange(n) % len(starts)
    rows = np.concatenate([np.arange(starts[k], starts[k] + lengths[k], dtype=np.int32) for k in pick])
    station = np.repeat(np.arange(n, dtype=np.int32), lengths[pick])  # int32: half the index memory
    cols = {"station_key": pl.Series("station_key", [f"st{i:05d}" for i in range(n)]).gather(station)}
    del station
    for c in (c for c in years.columns if c != "station_key"):
        s = years[c]
        cols[c] = pl.Series(c, s.to_numpy()[rows], dtype=s.dtype) if s.null_count() == 0 else s.gather(rows)
    return pl.DataFrame(cols).select(years.columns)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--stations", type=int, default=1000)
    ap.add_argument("--design", default=None, help="one design (default: all)")
    ap.add_argument("--workers", type=int, default=None, help="numba threads (default: all cores)")
    args = ap.parse_args()
    load1, _, _ = os.getloadavg()
    print(f"cores: {os.cpu_count()}; load average (1 min) before the run: {load1:.2f}")
    t0 = time.perf_counter()
    years = read_years_apart(raw_dir())
    n_years = years["station_key"].n_unique()
    weather = tile(years, args.stations)
    del years
    gc.collect()
    base = _rss_mb()  # includes memory the allocator kept from building the frame (reused by the model)
    print(f"weather: {n_years} real EPW years (weather_epw_tmy3 + weather_hourly + pvlib) tiled to {args.stations} "
          f"station-years = {weather.height:,} station-hours (each year ~{args.stations / n_years:.1f}x); "
          f"read in {time.perf_counter() - t0:.0f} s; input frame {weather.estimated_size() / 2**20:.0f} MB; "
          f"process RSS {base:.0f} MB")
    designs = [args.design] if args.design else list(load_designs())
    t0 = time.perf_counter()
    pue.estimate_pue(weather.head(8760 * 4), designs[0], workers=args.workers)  # warm-up: numba compile or cache load
    warm = time.perf_counter()
    pue.estimate_pue(weather.head(8760 * 4), designs[0], workers=args.workers)
    print(f"first call (4 station-years; numba compiles, or loads its on-disk cache): {warm - t0:.2f} s; "
          f"second call: {time.perf_counter() - warm:.3f} s")
    for name in designs:
        before = _rss_mb()
        c0, t0 = time.process_time(), time.perf_counter()
        with PeakRss() as mem:
            out = pue.estimate_pue(weather, name, workers=args.workers)
        dt, cpu = time.perf_counter() - t0, time.process_time() - c0
        assert out.height == args.stations and out["pue_annual"].null_count() == 0
        print(f"{name:28s} {dt:6.2f} s  {args.stations / dt:7.0f} station-years/s  (CPU {cpu:5.2f} s, "
              f"{args.stations / cpu:6.0f} station-years per CPU-second)  peak RSS {mem.peak:5.0f} MB "
              f"(RSS before the call {before:.0f} MB)")
    if len(designs) > 1:
        c0, t0 = time.process_time(), time.perf_counter()
        with PeakRss() as mem:
            outs = pue.estimate_pue_designs(weather, designs, workers=args.workers)
        dt, cpu = time.perf_counter() - t0, time.process_time() - c0
        assert all(o.height == args.stations for o in outs)
        print(f"{'all designs, one pass':28s} {dt:6.2f} s  {args.stations * len(designs) / dt:7.0f} "
              f"station-years/s per design (CPU {cpu:5.2f} s)  peak RSS {mem.peak:5.0f} MB")
    print(f"process max RSS: "
          f"{peak_rss_mb():.0f} MB; "
          f"load average (1 min) after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
