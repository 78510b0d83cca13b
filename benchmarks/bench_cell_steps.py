"""Seconds of the per-cell climate link, transmission access and queue steps of ``cell_features``
(issue 15) on a region's H3 cells, each called as ``cell_features`` calls it (grouped by H3 parent).

    uv run python benchmarks/bench_cell_steps.py --db <warehouse> --res 7 [--region CONUS] [--reps 2] [--levels-up 2]

The cells are polyfilled and located once (``locate``, as ``cell_features`` does); then each step
runs ``--reps`` times in this process (the first call is cold: fresh memory, numba's cached loops
loaded). Prints one line per step with every call's seconds and the 1-minute load average. Run it
from another checkout (e.g. ``git archive <commit> gridscout benchmarks data``) to compare commits;
a step whose signature lacks ``groups`` there is called without it.
"""

from __future__ import annotations

import argparse
import inspect
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", type=Path, required=True)
    ap.add_argument("--region", default="CONUS")
    ap.add_argument("--res", type=int, default=7)
    ap.add_argument("--reps", type=int, default=2)
    ap.add_argument("--levels-up", type=int, default=2, help="H3 levels between the cells and the groups of the nearest searches")
    args = ap.parse_args()

    import polars as pl

    from gridscout.features.location import locate
    from gridscout.features.power import grid_access
    from gridscout.features.queues import queue_features
    from gridscout.features.weather_link import weather_links
    from gridscout.geo import hexgrid
    from gridscout.geo.nearest import PointGroups
    from gridscout.jobs.screen import region_geometry
    from gridscout.warehouse.readers.reference import read_reference

    ref = read_reference(args.db)
    cells, lat, lon = hexgrid.polyfill(region_geometry(args.region, ref.boundaries), args.res)
    base = pl.DataFrame({"h3_int": pl.Series(cells, dtype=pl.UInt64), "latitude": lat, "longitude": lon})
    feat = locate(base, ref, groups=hexgrid.cell_parents(cells, max(0, args.res - 2)))
    # the nearest searches grouped by H3 parents --levels-up levels above the cells (cell_features: 2)
    near = PointGroups.build(lat, lon, hexgrid.cell_parents(cells, max(0, args.res - args.levels_up)))
    coarse = PointGroups.build(lat, lon, hexgrid.cell_parents(cells, max(0, args.res - 3)))
    params = inspect.signature(queue_features).parameters
    q_groups = {"groups": coarse} if "groups" in params else {}
    if "lookup_groups" in params:
        q_groups["lookup_groups"] = (hexgrid.cell_parents(cells, max(0, args.res - 2)),
                                     hexgrid.cell_parents(cells, max(0, args.res - 1)))
    steps = {"weather_links": lambda: weather_links(base, ref, groups=near),
             "grid_access": lambda: grid_access(feat, ref, groups=near),
             "queue_features": lambda: queue_features(feat, ref.queue, ref.reeds_areas, ref.us_counties, **q_groups)}
    print(f"{args.region} r{args.res}: {len(cells):,} cells")
    for name, step in steps.items():
        seconds = []
        for _ in range(args.reps):
            t0 = time.perf_counter()
            step()
            seconds.append(time.perf_counter() - t0)
        print(f"{name}: {' '.join(f'{s:.2f}' for s in seconds)} s  (load {os.getloadavg()[0]:.2f})", flush=True)


if __name__ == "__main__":
    main()
