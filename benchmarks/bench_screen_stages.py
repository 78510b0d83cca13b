"""Seconds per stage of one in-memory region screening, wall and process CPU, with the load average.

Run on demand (never in tests), on a COPY of a warehouse holding every screening source
(``bench_screen.py:SOURCES``):

    uv run python benchmarks/bench_screen_stages.py --db /tmp/<me>/w.duckdb --res 7      # CONUS r7
    uv run python benchmarks/bench_screen_stages.py --db ... --region US-VA --res 8 --out /tmp/<me>/va

Stages: ``read_reference``, ``hexgrid.polyfill``, features + cooling + curtailment + score
(:func:`gridscout.jobs.screen.score_cells`; ``locate`` inside it is timed on its own thread, where it runs
beside the weather links), zones (:func:`gridscout.jobs.screen.zones_of`), ``surface.parquet``, the hexagon
build (:func:`gridscout.geo.hexgrid.cell_polygons`) and ``surface.geoparquet``. CPU seconds (user + system
of the process) are printed beside wall seconds because the machine may be shared: on a loaded machine
wall time is inflated, CPU time much less. ``--out`` keeps the surface and zones Parquet files, to compare
two versions' outputs.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from gridscout.peak_memory import peak_rss_mb

sys.path.insert(0, str(Path(__file__).resolve().parent))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", type=Path, required=True)
    ap.add_argument("--region", default="CONUS")
    ap.add_argument("--res", type=int, default=7)
    ap.add_argument("--profile", default="balanced")
    ap.add_argument("--out", type=Path, help="folder for surface.parquet, surface.geoparquet, zones.parquet")
    args = ap.parse_args()

    import gridscout.features.assemble as assemble
    from gridscout.geo import hexgrid
    from gridscout.geo.regions import region_geometry
    from gridscout.jobs.screen import score_cells, zones_of
    from gridscout.report.outputs import write_geoparquet
    from gridscout.scoring.profiles import load_profile
    from gridscout.warehouse.readers.reference import read_reference

    out_dir = args.out or Path(tempfile.mkdtemp(prefix="bench_stages_"))
    out_dir.mkdir(parents=True, exist_ok=True)
    rows: dict[str, tuple[float, float]] = {}

    def cpu() -> float:
        t = os.times()
        return t.user + t.system

    def stage(name, f, *a, **k):
        t, c = time.perf_counter(), cpu()
        r = f(*a, **k)
        rows[name] = (time.perf_counter() - t, cpu() - c)
        return r

    locate = assemble.locate

    def timed_locate(*a, **k):  # runs on a worker thread: its own thread CPU time
        t, c = time.perf_counter(), time.thread_time()
        r = locate(*a, **k)
        rows["  of which locate (thread)"] = (time.perf_counter() - t, time.thread_time() - c)
        return r

    assemble.locate = timed_locate
    ref = stage("read_reference", read_reference, args.db)
    region = args.region
    cells, lat, lon = stage("polyfill", hexgrid.polyfill, region_geometry(region, ref.boundaries), args.res)
    profile = load_profile(args.profile)
    surface = stage("features + score", score_cells, cells, lat, lon, profile, ref, {})
    rows["  of which locate (thread)"] = rows.pop("  of which locate (thread)")
    zones = stage("zones", zones_of, surface, profile, ref.places)
    stage("surface.parquet", surface.write_parquet, out_dir / "surface.parquet")
    stage("cell_polygons", hexgrid.cell_polygons, surface["h3_int"].to_numpy())
    stage("surface.geoparquet", write_geoparquet, surface, out_dir / "surface.geoparquet")
    zones.write_parquet(out_dir / "zones.parquet")
    for name, (wall, c) in rows.items():
        print(f"{name:28s} wall {wall:7.2f} s   cpu {c:7.2f} s")
    sizes = {p.name: round(p.stat().st_size / 1e6, 1) for p in sorted(out_dir.glob("*.*parquet"))}
    print(f"{args.region} r{args.res}: {len(cells):,} cells, {zones.height} zones, files MB {sizes}, "
          f"peak RSS {peak_rss_mb():,.0f} MB, "
          f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
