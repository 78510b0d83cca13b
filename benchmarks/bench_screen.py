"""Benchmark region screening: end to end, streamed at res 6/7/8, and against a fair geopandas baseline.

Run on demand (never timed in tests); each measurement runs in its own process so its peak RSS is its own:

    uv run python benchmarks/bench_screen.py --db /path/warehouse.duckdb                 # CONUS r7 end to end (48 states + DC)
    uv run python benchmarks/bench_screen.py --db ... --stream 6,7,8                      # + streamed r6, r7, r8
    uv run python benchmarks/bench_screen.py --db ... --baseline                          # + geopandas baseline
    uv run python benchmarks/bench_screen.py --db ... --region US-VA --res 8 --baseline --no-end-to-end
    uv run python benchmarks/bench_screen.py --db ... --region US-VA --stream 7 --dask 3  # single process vs Dask
    uv run python benchmarks/bench_screen.py --db ... --stream 7 --runs 5 --no-end-to-end # fastest of 5 fresh processes

``--db`` defaults to a fresh warehouse holding every source screening reads today (:data:`SOURCES`:
boundaries, zones and carbon, prices, GPPD + EIA-860 plants, GridKit substations and lines, ISO queues,
ReEDS areas, counties, EIA-930, water stress, weather stations with their Köppen zones and hourly files; ≈2 min, not timed).

(a) end to end: :func:`gridscout.jobs.screen.screen_region` (polyfill + every feature of
:func:`~gridscout.features.assemble.cell_features` + climate-statistics cooling + curtailment + score +
``surface.parquet`` + zones; ``--geoparquet`` adds the GeoParquet).

(b) ``--stream``: :func:`~gridscout.jobs.screen.screen_streamed` (one parent at a time, the
hive-partitioned ``surface/parent=<h3>/part.parquet`` dataset, zones over the columns they need) at each
resolution, with seconds per million cells so growth with size is visible.

(c) ``--baseline``: the point features a straightforward geopandas build computes, on the same cells,
with the fair tools — ``sjoin(predicate="within")`` for country / state / grid zone, ``merge`` for
carbon, ``sjoin_nearest(max_distance=100 km)`` in EPSG:5070 for the nearest station and
``sjoin(predicate="dwithin", distance=50 km)`` in EPSG:5070 + ``groupby`` for capacity (same plant
list, :func:`~gridscout.features.power.select_plants`). Both stacks are imported before any timing;
each side is timed cold (first call in the process: index builds, lazy imports) and warm (the fastest
of ``--repeat`` further calls, default 3, as ``timeit`` reports; the median is printed too: the
machine is shared and single runs move by ±20 %).
gridscout's side is timed twice: the whole :func:`cell_features` (every feature, a superset of the
baseline's: the ratio favours the baseline) and its own functions for just the baseline's six
features (:func:`same_features`, checked equal to ``cell_features``' columns). Agreement is printed per feature (projected EPSG:5070 distances vs
great-circle and border-respecting zones make it less than 1 near radii and borders).

(d) ``--dask PARENT_RES``: ``flows/screen.py`` on the default local Dask cluster (2 worker processes;
without ``PREFECT_API_URL`` Prefect starts a temporary server), the same dataset layout and run.json.

Prints wall time, CPU seconds (``time.process_time``: every thread of the measuring process), peak RSS
(``VmHWM`` of the measuring process: :func:`gridscout.peak_memory.peak_rss_mb`), cell counts, the load average and the machine's
speed on two fixed one-core workloads (:func:`machine_speed`), so figures from different machines can
be compared. The machine may be
shared: the same commit's streamed CONUS r7 ran in 8.3 to 13.0 s on one 2-core machine within an hour
(5 December 2026), so ``--runs N`` repeats (a) and (b) in N fresh processes and reports the fastest with
the median beside it. CPU seconds move with the neighbours too (13.9 to 22.6 CPU-s for those runs: a
busy host slows each core), so compare figures only between runs close in time.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from gridscout.peak_memory import peak_rss_mb

REPO = Path(__file__).resolve().parents[1]
#: every source whose tables screening reads (gridscout.warehouse.readers.reference); aqueduct's basin
#: polygons are not in the offline data, so water stress is the country tier (SDG 6.4.2)
SOURCES = ("boundaries", "carbon_yearly", "cities", "eia_prices", "eurostat_prices", "ember_prices",
           "electricitymaps_zones", "gppd", "gppd_usa", "eia860", "weather_stations", "koppen", "weather_hourly",
           "entsoe_gridkit", "gridkit_north_america", "reeds", "us_counties", "eia930", "water_stress_sdg642",
           "iso_queue_caiso", "iso_queue_ercot", "iso_queue_isone", "iso_queue_miso", "iso_queue_nyiso",
           "iso_queue_pjm", "iso_queue_spp")


def machine_speed() -> dict[str, float]:
    """Seconds one core takes for two fixed workloads (fastest of 3 each): 5 M iterations of a pure
    Python loop and a sort of 5 M seeded random float64 (numpy). Printed beside every figure so figures
    from different machines can be compared (the same commit's streamed CONUS r7 took 7.3 s on the
    machine of 6 December 02:53 and 16.7 s on the next one); it says nothing about the neighbours
    during the run (see the load average)."""
    def loop() -> None:
        s = 0
        for i in range(5_000_000):
            s += i

    data = np.random.default_rng(0).random(5_000_000)
    out = {}
    for name, fn in (("python_loop_s", loop), ("numpy_sort_s", lambda: np.sort(data))):
        runs = []
        for _ in range(3):
            t0 = time.perf_counter()
            fn()
            runs.append(time.perf_counter() - t0)
        out[name] = min(runs)
    return out


def build_warehouse() -> Path:
    from gridscout.jobs.ingest import ingest_source

    raw = Path(os.environ.get("GRIDSCOUT_RAW_DIR", REPO.parent / "shared" / "data"))
    db = Path(tempfile.mkdtemp(prefix="bench_wh_")) / "gridscout.duckdb"
    for s in SOURCES:
        ingest_source(s, db=db, raw=raw)
    return db


def baseline_features(lat: np.ndarray, lon: np.ndarray, ref):
    """The straightforward geopandas/pandas build of country, state, grid zone, carbon, nearest
    station and capacity within 50 km, with the fair spatial-join tools (module docstring)."""
    import geopandas as gpd
    import pandas as pd
    import shapely

    from gridscout.features.carbon import zone_carbon_for_year
    from gridscout.features.power import select_plants

    pts = gpd.GeoDataFrame({"cell": np.arange(len(lat))}, geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326")
    b = ref.boundaries.to_pandas()
    out = pd.DataFrame({"cell": pts["cell"]})
    for layer, name in (("country", "country"), ("us_state", "us_state")):
        sub = b[b["layer"] == layer]
        g = gpd.GeoDataFrame({name: sub["code"].values}, geometry=shapely.from_wkb(sub["geometry_wkb"].values),
                             crs="EPSG:4326")
        j = gpd.sjoin(pts, g, predicate="within", how="left").drop_duplicates("cell")
        out[name] = j[name].values
    z = ref.zones.to_pandas()
    z = z[z["geometry_wkb"].notna()]
    zg = gpd.GeoDataFrame({"grid_zone": z["zone_key"].values}, geometry=shapely.from_wkb(z["geometry_wkb"].values),
                          crs="EPSG:4326")
    j = gpd.sjoin(pts, zg, predicate="within", how="left").drop_duplicates("cell")
    out["grid_zone"] = j["grid_zone"].values
    carbon = zone_carbon_for_year(ref.zone_carbon_yearly).to_pandas().rename(columns={"zone_key": "grid_zone"})
    out = out.merge(carbon[["grid_zone", "carbon_g_per_kwh"]], on="grid_zone", how="left")
    p5070 = pts.to_crs("EPSG:5070")
    st = ref.stations.to_pandas()
    sg = gpd.GeoDataFrame(st[["wmo"]], geometry=gpd.points_from_xy(st["longitude"], st["latitude"]),
                          crs="EPSG:4326").to_crs("EPSG:5070")
    nn = gpd.sjoin_nearest(p5070, sg, how="left", max_distance=100_000).drop_duplicates("cell")
    out["station_wmo"] = nn["wmo"].values
    plants = select_plants(ref.plants).to_pandas()
    pg = gpd.GeoDataFrame(plants[["capacity_mw"]], geometry=gpd.points_from_xy(plants["longitude"],
                                                                              plants["latitude"]),
                          crs="EPSG:4326").to_crs("EPSG:5070")
    near = gpd.sjoin(p5070, pg, predicate="dwithin", distance=50_000, how="inner")
    cap = near.groupby("cell")["capacity_mw"].sum()
    out["capacity_within_50km_mw"] = out["cell"].map(cap).fillna(0.0).values
    return out


def agreement(base, ours) -> dict[str, float]:
    """Share of cells where the baseline and gridscout agree, per feature (where both know it)."""
    res = {}
    for c in ("country", "us_state", "grid_zone", "station_wmo"):
        a = base[c].astype(object).where(base[c].notna(), None).to_numpy()
        b = ours[c].cast(str).to_numpy()
        res[c] = float(np.mean(a == b))
    for c, tol in (("carbon_g_per_kwh", 1e-9), ("capacity_within_50km_mw", 1e-6)):
        a, b = base[c].to_numpy(dtype=float), ours[c].cast(float).to_numpy()
        both = ~np.isnan(a) & ~np.isnan(b)
        res[c] = float(np.mean(np.isclose(a[both], b[both], rtol=tol, atol=tol))) if both.any() else float("nan")
    return res


# --- measurements, one per process --------------------------------------------------------------

def measure_end_to_end(db: str, region: str, res: int, profile: str, geoparquet: bool) -> dict:
    from gridscout.jobs.screen import screen_region
    from gridscout.kernels import start_warm_kernels
    from gridscout.scoring import load_profile
    from gridscout.warehouse.readers.reference import read_reference

    start_warm_kernels()  # as `gridscout screen` does: numba's kernels load while the warehouse is read
    ref, prof = read_reference(db), load_profile(profile)
    out = Path(tempfile.mkdtemp(prefix="bench_screen_"))
    t0, c0 = time.perf_counter(), time.process_time()
    r = screen_region(region, res, prof, ref, out, geoparquet=geoparquet)
    return {"kind": "end_to_end", "region": region, "res": res, "cells": r.n_cells, "zones": r.zones.height,
            "wall_s": time.perf_counter() - t0, "cpu_s": time.process_time() - c0, "peak_rss_mb": peak_rss_mb(),
            "stages_s": {k: round(v, 2) for k, v in r.timings_s.items()}}


def measure_stream(db: str, region: str, res: int, profile: str) -> dict:
    from gridscout.jobs.screen import screen_streamed
    from gridscout.kernels import start_warm_kernels
    from gridscout.scoring import load_profile
    from gridscout.warehouse.readers.reference import read_reference

    start_warm_kernels()  # as `gridscout screen` does: numba's kernels load while the warehouse is read
    ref, prof = read_reference(db), load_profile(profile)
    out = Path(tempfile.mkdtemp(prefix="bench_stream_"))
    t0, c0 = time.perf_counter(), time.process_time()
    s = screen_streamed(region, res, prof, ref, out)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    size = sum(p.stat().st_size for p in (out / "surface").rglob("*.parquet"))
    return {"kind": "stream", "region": region, "res": res, "cells": s["cells"], "zones": s["zones"],
            "parents": s["partitions_nonempty"], "parent_res": s["partitions_resolution"], "wall_s": wall, "cpu_s": cpu,
            "s_per_m_cells": wall / max(s["cells"], 1) * 1e6, "peak_rss_mb": peak_rss_mb(),
            "parquet_mb": size / 1e6, "stages_s": s["timings_s"], "out": str(out)}


def same_features(cells: np.ndarray, lat: np.ndarray, lon: np.ndarray, ref):
    """gridscout's own functions for just the baseline's features (country, state, grid zone, carbon,
    nearest station, capacity within 50 km), grouped and arranged as :func:`cell_features` arranges them:
    the capacity sums (coordinates only) beside the location lookups, the station choice (the full
    elevation-aware :func:`weather_links`, more than the baseline's nearest station) on the main thread,
    carbon once per place. Only the plain 50 km sum is computed of the capacity figures
    (``weighted=False``: the baseline has no distance-weighted capacity)."""
    import polars as pl

    from gridscout.features.assemble import cell_groups, lookup_parents, per_key
    from gridscout.features.grid_zone import carbon_and_price
    from gridscout.features.location import locate
    from gridscout.features.power import capacity_nearby, capacity_sums, select_plants
    from gridscout.features.weather_link import weather_links
    from gridscout.geo.polygons import cached_index

    base = pl.DataFrame({"h3_int": pl.Series(cells, dtype=pl.UInt64), "latitude": lat, "longitude": lon})
    parents = lookup_parents(cells)
    plants = cached_index(ref.plants, "selected_plants", lambda: select_plants(ref.plants))
    with ThreadPoolExecutor(max_workers=2) as pool:
        located = pool.submit(locate, base, ref, groups=parents)
        near, coarse, _ = cell_groups(cells, lat, lon, parents)
        sums = pool.submit(capacity_sums, lat, lon, plants, (50.0,), by_fuel=False, weighted=False, groups=coarse)
        cap = pool.submit(lambda: capacity_nearby(located.result(), plants, (50.0,), by_fuel=False, weighted=False,
                                                  groups=coarse, sums=sums.result()))
        station = weather_links(base, ref, groups=near).drop(base.columns)
        feat = pl.concat([located.result(), station, cap.result()], how="horizontal")
    return per_key(feat, ["country", "us_state", "grid_zone"], lambda places: carbon_and_price(places, ref))


def measure_baseline(db: str, region: str, res: int, repeat: int = 3) -> dict:
    import geopandas  # noqa: F401  (both stacks imported before any timing)
    import pandas  # noqa: F401
    import pyproj  # noqa: F401
    import shapely  # noqa: F401

    from gridscout.features.assemble import cell_features
    from gridscout.geo import hexgrid
    from gridscout.geo.regions import region_geometry
    from gridscout.warehouse.readers.reference import read_reference

    ref = read_reference(db)
    cells, lat, lon = hexgrid.polyfill(region_geometry(region, ref.boundaries), res)
    t = {}

    def timed(name: str, fn):
        """``fn()`` once cold, then ``repeat`` times warm: ``<name>_cold_s``, ``<name>_warm_s`` (the
        fastest warm run, as timeit reports) and ``<name>_warm_median_s``; returns the last result."""
        t0 = time.perf_counter()
        out = fn()
        t[f"{name}_cold_s"] = time.perf_counter() - t0
        warm = []
        for _ in range(repeat):
            del out
            t0 = time.perf_counter()
            out = fn()
            warm.append(time.perf_counter() - t0)
        t[f"{name}_warm_s"], t[f"{name}_warm_median_s"] = min(warm), float(np.median(warm))
        return out

    six = ["country", "us_state", "grid_zone", "station_wmo", "capacity_within_50km_mw", "carbon_g_per_kwh"]
    ours = timed("gridscout", lambda: cell_features(cells, lat, lon, ref)).select(six)  # the rest freed
    same = timed("same", lambda: same_features(cells, lat, lon, ref))  # indexes cached by cell_features reused
    rss_ours = peak_rss_mb()
    base = timed("geopandas", lambda: baseline_features(lat, lon, ref))
    return {"kind": "baseline", "region": region, "res": res, "cells": len(cells), "repeat": repeat, **t,
            "ratio_cold": t["geopandas_cold_s"] / t["gridscout_cold_s"],
            "ratio_warm": t["geopandas_warm_s"] / t["gridscout_warm_s"],
            "ratio_same_warm": t["geopandas_warm_s"] / t["same_warm_s"],
            "peak_rss_gridscout_mb": rss_ours, "peak_rss_mb": peak_rss_mb(), "agreement": agreement(base, ours),
            "same_equals_cell_features": all(same[c].equals(ours[c]) for c in six)}


def measure_dask(db: str, region: str, res: int, profile: str, partitions_resolution: int) -> dict:
    from flows.screen import screen_flow

    out = Path(tempfile.mkdtemp(prefix="bench_dask_"))
    t0 = time.perf_counter()
    s = screen_flow(region=region, resolution=res, profile=profile, out=str(out), db=db,
                    partitions_resolution=partitions_resolution, use_dask=True)
    wall = time.perf_counter() - t0
    stats = s["partition_stats"]
    return {"kind": "dask", "cells": s["cells"], "zones": s["zones"], "parents": s["partitions_nonempty"],
            "wall_s": wall, "tasks_wall_s": s["wall_s"], "task_s_sum": sum(r["seconds"] for r in stats),
            "worker_peak_rss_mb": max((r["worker_peak_rss_mb"] for r in stats), default=0),
            "driver_peak_rss_mb": peak_rss_mb(), "out": str(out)}


def fastest(runs: list[dict]) -> dict:
    """The fastest of several runs of one measurement (each in its own process, as timeit reports the
    fastest: on a shared machine the slower runs measure the neighbours), with every run's wall seconds
    and the median beside it (``walls_s``, ``median_wall_s``)."""
    walls = sorted(r["wall_s"] for r in runs)
    best = min(runs, key=lambda r: r["wall_s"])
    return {**best, "walls_s": walls, "median_wall_s": float(np.median(walls))}


def spread(r: dict) -> str:
    """`` (fastest of N, median M s)`` when a measurement ran more than once."""
    n = len(r.get("walls_s", ()))
    return f" (fastest of {n}, median {r['median_wall_s']:.1f} s)" if n > 1 else ""


def child(argv: list[str]) -> dict:
    """Run one measurement in a fresh process; its JSON is the last stdout line."""
    res = subprocess.run([sys.executable, __file__, "--child", json.dumps(argv)], capture_output=True, text=True,
                         cwd=REPO)
    if res.returncode:
        raise SystemExit(f"measurement {argv} failed:\n{res.stderr[-3000:]}")
    return json.loads(res.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", type=Path)
    ap.add_argument("--region", default="CONUS")
    ap.add_argument("--res", type=int, default=7)
    ap.add_argument("--profile", default="balanced")
    ap.add_argument("--geoparquet", action="store_true")
    ap.add_argument("--stream", default="", help="comma-separated resolutions for streamed runs, e.g. 6,7,8")
    ap.add_argument("--baseline", action="store_true")
    ap.add_argument("--repeat", type=int, default=3, help="warm runs per side of the baseline comparison "
                    "(the fastest is reported, as timeit does; the median is printed beside it)")
    ap.add_argument("--runs", type=int, default=1, help="runs of each end-to-end and streamed measurement, each "
                    "in a fresh process (the fastest is reported, the median beside it; default 1)")
    ap.add_argument("--dask", type=int, metavar="PARENT_RES", help="also run flows/screen.py on a local Dask "
                    "cluster (2 workers) with parents at this resolution")
    ap.add_argument("--no-end-to-end", dest="end_to_end", action="store_false")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        kind, *args = json.loads(a.child)
        fn = {"end_to_end": measure_end_to_end, "stream": measure_stream, "baseline": measure_baseline,
              "dask": measure_dask}[kind]
        print(json.dumps(fn(*args), default=str))
        return

    db = str(a.db or build_warehouse())
    speed = machine_speed()
    print(f"warehouse={db} cores={os.cpu_count()} load_avg_1min={os.getloadavg()[0]:.2f} machine: "
          f"python loop {speed['python_loop_s']:.2f} s, numpy sort {speed['numpy_sort_s']:.2f} s "
          "(one core, fixed work: compare figures across machines by these)", flush=True)
    if a.end_to_end:
        r = fastest([child(["end_to_end", db, a.region, a.res, a.profile, a.geoparquet]) for _ in range(a.runs)])
        print(f"(a) screen_region {a.region} r{a.res}: cells={r['cells']:,} zones={r['zones']} "
              f"wall={r['wall_s']:.1f} s{spread(r)} cpu={r['cpu_s']:.1f} s peak_rss={r['peak_rss_mb']:.0f} MB  "
              f"load={os.getloadavg()[0]:.1f}")
        print(f"    stages: {r['stages_s']}", flush=True)
    for res in [int(x) for x in a.stream.split(",") if x]:
        r = fastest([child(["stream", db, a.region, res, a.profile]) for _ in range(a.runs)])
        print(f"(b) streamed {a.region} r{res}: cells={r['cells']:,} parents={r['parents']} (r{r['parent_res']}) "
              f"zones={r['zones']} wall={r['wall_s']:.1f} s{spread(r)} = {r['s_per_m_cells']:.1f} s per M cells "
              f"cpu={r['cpu_s']:.1f} s ({r['cpu_s'] / max(r['cells'], 1) * 1e6:.1f} CPU-s per M cells) "
              f"peak_rss={r['peak_rss_mb']:.0f} MB parquet={r['parquet_mb']:.0f} MB  load={os.getloadavg()[0]:.1f}")
        print(f"    stages: {r['stages_s']}", flush=True)
    if a.dask is not None:
        r = child(["dask", db, a.region, a.res, a.profile, a.dask])
        print(f"(d) Dask flow {a.region} r{a.res}, r{a.dask} parents: cells={r['cells']:,} parents={r['parents']} "
              f"zones={r['zones']} wall={r['wall_s']:.1f} s (tasks {r['tasks_wall_s']:.1f} s, sum of task seconds "
              f"{r['task_s_sum']:.1f}) worker_peak_rss={r['worker_peak_rss_mb']:.0f} MB "
              f"driver_peak_rss={r['driver_peak_rss_mb']:.0f} MB  load={os.getloadavg()[0]:.1f}", flush=True)
    if a.baseline:
        r = child(["baseline", db, a.region, a.res, a.repeat])
        print(f"(c) features only, same {r['cells']:,} cells ({a.region} r{a.res}):")
        print(f"    (warm: fastest of {r['repeat']} runs after the cold one, median in brackets)")
        print(f"    gridscout cell_features (all features): cold {r['gridscout_cold_s']:.1f} s, warm "
              f"{r['gridscout_warm_s']:.1f} s ({r['gridscout_warm_median_s']:.1f}), "
              f"peak_rss {r['peak_rss_gridscout_mb']:.0f} MB")
        print(f"    geopandas baseline (6 features):        cold {r['geopandas_cold_s']:.1f} s, warm "
              f"{r['geopandas_warm_s']:.1f} s ({r['geopandas_warm_median_s']:.1f}), peak_rss {r['peak_rss_mb']:.0f} MB "
              "(process, both)")
        print(f"    gridscout, the same 6 features only:    cold {r['same_cold_s']:.2f} s, warm {r['same_warm_s']:.2f} s "
              f"({r['same_warm_median_s']:.2f}) (equal to cell_features' columns: {r['same_equals_cell_features']})")
        print(f"    ratio geopandas/gridscout: all features cold {r['ratio_cold']:.1f}x, warm {r['ratio_warm']:.1f}x; "
              f"same 6 features warm {r['ratio_same_warm']:.1f}x (medians "
              f"{r['geopandas_warm_median_s'] / r['same_warm_median_s']:.1f}x)  load={os.getloadavg()[0]:.1f}")
        print("    agreement: " + ", ".join(f"{k} {v:.4f}" for k, v in r["agreement"].items()), flush=True)


if __name__ == "__main__":
    main()
