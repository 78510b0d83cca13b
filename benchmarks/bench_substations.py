"""Benchmark the substation / HV-line features on screening-sized inputs (run on demand, never in tests).

    GRIDSCOUT_RAW_DIR=../shared/data uv run python benchmarks/bench_substations.py [--cells 1500000] [--res 7]

Loads both GridKit extracts into a temporary warehouse (not timed), reads them with the grid reader,
builds the spatial indexes once (timed) and computes every column of
:func:`gridscout.features.substations.substation_features` for the centres of the first ``--cells``
H3 cells (sorted) of a box over the contiguous US (timed). Prints wall times and peak RSS.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import h3
import numpy as np
import polars as pl

from gridscout.peak_memory import peak_rss_mb

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cells", type=int, default=1_500_000)
    ap.add_argument("--res", type=int, default=7)
    args = ap.parse_args()

    from gridscout.features.substations import GridIndex, substation_features
    from gridscout.geo.nearest import PointGroups
    from gridscout.jobs.ingest import ingest_source
    from gridscout.warehouse.readers.grid import read_grid

    raw = Path(os.environ.get("GRIDSCOUT_RAW_DIR", REPO.parent / "shared" / "data"))
    db = Path(tempfile.mkdtemp(prefix="bench_grid_")) / "grid.duckdb"
    for sid in ("entsoe_gridkit", "gridkit_north_america"):
        ingest_source(sid, db=db, raw=raw)
    grid = read_grid(db)

    box = h3.LatLngPoly([(25, -125), (25, -66), (49, -66), (49, -125)])
    cells = sorted(h3.polygon_to_cells(box, args.res))[: args.cells]
    ll = np.array([h3.cell_to_latlng(c) for c in cells])
    points = pl.DataFrame({"latitude": ll[:, 0], "longitude": ll[:, 1]})

    groups = PointGroups.build(ll[:, 0], ll[:, 1], np.array([h3.str_to_int(h3.cell_to_parent(c, args.res - 1))
                                                             for c in cells]))
    t0 = time.perf_counter()
    index = GridIndex.build(grid.buses, grid.lines)
    t1 = time.perf_counter()
    out = substation_features(points, grid=index)
    t2 = time.perf_counter()
    grouped = substation_features(points, grid=index, groups=groups)
    t3 = time.perf_counter()
    assert grouped.equals(out)
    covered = out["substation_distance_km"].is_not_null().sum()
    print(f"buses {grid.buses.height:,}, lines {grid.lines.height:,}, line pieces {len(index.piece_a):,}")
    print(f"index build {t1 - t0:.2f} s; features for {points.height:,} res-{args.res} cells: {t2 - t1:.2f} s, "
          f"grouped by res-{args.res - 1} parent {t3 - t2:.2f} s (identical; {covered:,} covered); "
          f"peak RSS {peak_rss_mb():.0f} MB; "
          f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
