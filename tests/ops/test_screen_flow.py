"""Screening in partitions on a local Dask cluster equals the single-process surface (real region)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

REPO = Path(__file__).resolve().parents[2]
REGION, RES, PARENT_RES = "US-VA", 7, 3

RUN = r"""
import json, sys
from flows.screen import screen_flow
if __name__ == "__main__":  # Dask starts worker processes with spawn
    s = screen_flow(region=sys.argv[1], resolution=int(sys.argv[2]), profile="balanced", out=sys.argv[3],
                    db=sys.argv[4], partitions_resolution=int(sys.argv[5]), use_dask=sys.argv[6] == "1",
                    geoparquet=sys.argv[6] == "1")
    print(json.dumps(s, default=str))
"""


def _run(env, out: Path, db: Path, use_dask: bool) -> dict:
    script = out.parent / "run_screen.py"
    script.write_text(RUN)
    res = subprocess.run([sys.executable, str(script), REGION, str(RES), str(out), str(db), str(PARENT_RES),
                          "1" if use_dask else "0"], cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr[-4000:]
    return json.loads(res.stdout.strip().splitlines()[-1])


@pytest.mark.slow  # 256 s here: a Prefect server, two flow runs in subprocesses (one on Dask), one screen
@pytest.mark.prefect_server
def test_partitioned_surface_on_dask_equals_single_process(client_env, first_slice_db, tmp_path):
    from gridscout.jobs.screen import read_surface
    from gridscout.warehouse.readers.reference import read_reference
    from gridscout.scoring.profiles import load_profile
    from gridscout.jobs.screen import screen_region

    out = tmp_path / "screen"
    summary = _run(client_env, out, first_slice_db, use_dask=True)
    assert summary["dask"] and summary["partitions_nonempty"] > 1
    parts = sorted((out / "surface").glob("parent=*/part.parquet"))
    assert len(parts) == summary["partitions_nonempty"]
    assert {p.parent.name.removeprefix("parent=") for p in parts} == {
        s["parent"] for s in summary["partition_stats"] if s["cells"]}
    run = json.loads((out / "run.json").read_text())
    assert run["kind"] == "screen" and run["cells"] == summary["cells"] and run["dask"]
    assert {s["source_id"] for s in run["sources"]} >= {"boundaries", "gppd"}

    single = screen_region(REGION, RES, load_profile("balanced"), read_reference(first_slice_db), tmp_path / "single",
                           geoparquet=False)
    surface = read_surface(out)
    assert surface.height == single.n_cells == summary["cells"] > 10_000
    assert_frame_equal(surface, single.surface.sort("h3_int"), check_column_order=False)
    assert_frame_equal(pl.read_parquet(out / "zones.parquet"), single.zones)
    # every task scored with the same region medians as the single process, recorded once in run.json
    assert run["unknown_medians"] == single.unknown_medians and run["unknown_medians"]["sample_cells"] > 0
    # the Dask run's hexagons, written from its parts one at a time: the cells of the dataset, as polygons
    import geopandas as gpd

    gdf = gpd.read_parquet(out / "surface.geoparquet", columns=["h3_int", "score", "geometry"])
    assert len(gdf) == summary["cells"] and gdf.crs.to_epsg() == 4326 and set(gdf.geom_type) == {"Polygon"}
    assert sorted(gdf["h3_int"].tolist()) == surface["h3_int"].cast(pl.Int64).sort().to_list()
    assert run["timings_s"]["geoparquet"] > 0
    assert all("unknown_medians" not in s for s in run["partition_stats"])

    # a re-run with nothing changed is served from Prefect's cache: no partition file is rewritten
    mtimes = {str(p): p.stat().st_mtime_ns for p in parts}
    again = _run(client_env, out, first_slice_db, use_dask=False)
    assert again["cells"] == summary["cells"] and again["fingerprint"] == summary["fingerprint"]
    assert {str(p): p.stat().st_mtime_ns for p in (out / "surface").glob("parent=*/part.parquet")} == mtimes


def test_partition_cache_key_covers_every_input_that_changes_the_output(tmp_path):
    from flows.screen import partition_cache_key

    base = {"region": "US-VA", "resolution": 7, "profile": "balanced", "parent": "832a8bfffffffff",
            "out": str(tmp_path / "a"), "db": str(tmp_path / "w.duckdb"), "fingerprint": "f1"}
    key = partition_cache_key(None, base)
    assert key == partition_cache_key(None, dict(base))
    for k, v in {"region": "US-MD", "resolution": 8, "parent": "832a8afffffffff", "out": str(tmp_path / "b"),
                 "db": str(tmp_path / "other.duckdb"), "fingerprint": "f2"}.items():
        assert partition_cache_key(None, {**base, k: v}) != key, k
