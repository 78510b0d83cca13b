"""Measure what one screening partition costs: cells/s, bytes/cell on disk, peak RSS.

Each partition (one H3 parent cell) is screened in a fresh process exactly as a Dask worker would
(``gridscout.jobs.screen.screen_region(..., partition=[parent], geoparquet=False)``), so the peak
RSS it reports is that partition's own (plus the interpreter and libraries, measured separately as
``baseline``). The figures feed docs/scaling.md.

    uv run python benchmarks/bench_partitions.py --region US-VA --resolution 8 --parent-res 3 --n 4
    # warehouse: --db FILE, or --build-db to ingest the first slice from $GRIDSCOUT_RAW_DIR into a temp file

Writes benchmarks/out/partitions-<region>-r<res>.json and prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from gridscout.peak_memory import peak_rss_mb

REPO = Path(__file__).resolve().parents[1]
FIRST_SLICE = ("boundaries", "carbon_yearly", "eia_prices", "electricitymaps_zones", "gppd", "weather_stations",
               "weather_hourly")


def one(region: str, resolution: int, parent: str, db: str, out: str) -> dict:
    """Screen one partition in this process; return its figures."""
    import gridscout.jobs.screen as scr
    from gridscout.warehouse.readers.reference import read_reference
    from gridscout.scoring.profiles import load_profile

    baseline = peak_rss_mb()
    t0 = time.perf_counter()
    ref = read_reference(db)
    prof = load_profile("balanced")
    t_ref = time.perf_counter() - t0
    res = scr.screen_region(region, resolution, prof, ref, Path(out), partition=[parent], geoparquet=False)
    total = time.perf_counter() - t0
    size = res.paths["surface"].stat().st_size
    return {"parent": parent, "cells": res.n_cells, "seconds": total, "reference_s": t_ref,
            "stage_s": {k: round(v, 3) for k, v in res.timings_s.items()},
            "cells_per_s": res.n_cells / (total - t_ref) if res.n_cells else None,
            "parquet_bytes": size, "bytes_per_cell": size / res.n_cells if res.n_cells else None,
            "baseline_rss_mb": baseline, "peak_rss_mb": peak_rss_mb(), "columns": res.surface.width}


def full_parents(region: str, resolution: int, parent_res: int, db: str) -> list[str]:
    """Parents at ``parent_res`` lying wholly inside the region (so each partition is a full one)."""
    import h3

    from gridscout.warehouse.readers.reference import read_reference
    from gridscout.geo import hexgrid
    from gridscout.geo.regions import region_geometry

    geom = region_geometry(region, read_reference(db).boundaries)
    return sorted(h3.h3shape_to_cells_experimental(hexgrid.to_h3shape(geom), parent_res, "full"))


def build_db(path: Path) -> None:
    from gridscout.jobs.ingest import ingest_source

    for sid in FIRST_SLICE:
        ingest_source(sid, db=path)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--region", default="US-VA")
    ap.add_argument("--resolution", type=int, default=8)
    ap.add_argument("--parent-res", type=int, default=3)
    ap.add_argument("--n", type=int, default=4, help="partitions to measure")
    ap.add_argument("--db", default=os.environ.get("GRIDSCOUT_DB"))
    ap.add_argument("--build-db", action="store_true")
    ap.add_argument("--one", nargs=4, metavar=("REGION", "RES", "PARENT", "OUT"), help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.one:
        print(json.dumps(one(a.one[0], int(a.one[1]), a.one[2], a.db, a.one[3])))
        return 0
    tmp = Path(tempfile.mkdtemp(prefix="bench_partitions_"))
    db = a.db
    if a.build_db or not db:
        db = str(tmp / "bench.duckdb")
        build_db(Path(db))
    parents = full_parents(a.region, a.resolution, a.parent_res, db)[: a.n]
    if not parents:
        print(f"no parent at r{a.parent_res} lies wholly inside {a.region}: use a lower --parent-res", file=sys.stderr)
        return 1
    rows = []
    for p in parents:
        r = subprocess.run([sys.executable, __file__, "--db", db, "--one", a.region, str(a.resolution), p,
                            str(tmp / p)], capture_output=True, text=True, cwd=REPO, check=True)
        rows.append(json.loads(r.stdout.strip().splitlines()[-1]))
        print(f"{p}: {rows[-1]['cells']} cells in {rows[-1]['seconds']:.2f} s, "
              f"peak RSS {rows[-1]['peak_rss_mb']:.0f} MB", file=sys.stderr)
    med = lambda k: statistics.median(r[k] for r in rows)  # noqa: E731
    summary = {"region": a.region, "resolution": a.resolution, "parent_res": a.parent_res, "cpu": os.cpu_count(),
               "partitions": rows, "median": {k: med(k) for k in ("cells", "seconds", "cells_per_s", "bytes_per_cell",
                                                                   "baseline_rss_mb", "peak_rss_mb", "reference_s")}}
    out = REPO / "benchmarks" / "out" / f"partitions-{a.region}-r{a.resolution}-p{a.parent_res}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(summary, indent=1))
    print("| parent | cells | s | cells/s (excl. reference read) | bytes/cell | baseline RSS MB | peak RSS MB |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['parent']} | {r['cells']:,} | {r['seconds']:.2f} | {r['cells_per_s']:,.0f} | "
              f"{r['bytes_per_cell']:.0f} | {r['baseline_rss_mb']:.0f} | {r['peak_rss_mb']:.0f} |")
    m = summary["median"]
    print(f"| median | {m['cells']:,.0f} | {m['seconds']:.2f} | {m['cells_per_s']:,.0f} | {m['bytes_per_cell']:.0f} | "
          f"{m['baseline_rss_mb']:.0f} | {m['peak_rss_mb']:.0f} |")
    print(f"\n{out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
