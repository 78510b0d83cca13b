"""Streamed screening (one process, one H3 parent at a time) writes the hive-partitioned surface that
DuckDB, Polars and Dask read with one glob, and equals the single-process run (real Luxembourg, r8)."""

from __future__ import annotations

import json

import duckdb
import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from gridscout.errors import GridscoutError
from gridscout.geo import hexgrid
from gridscout.jobs.screen import read_surface, screen_region, screen_streamed
from gridscout.scoring import load_profile

REGION, RES, PARENT_RES = "LUX", 8, 4


@pytest.fixture(scope="module")
def runs(ref, tmp_path_factory):
    p = load_profile("balanced")
    out = tmp_path_factory.mktemp("stream")
    summary = screen_streamed(REGION, RES, p, ref, out, partitions_resolution=PARENT_RES)
    single = screen_region(REGION, RES, p, ref, tmp_path_factory.mktemp("single"), geoparquet=False)
    return out, summary, single


def test_streamed_equals_single_process(runs):
    out, summary, single = runs
    parts = sorted((out / "surface").glob("parent=*/part.parquet"))
    # Luxembourg (2,586 km²) at r8: about 4,000 cells (r8 cells there are smaller than the 0.737 km² mean)
    assert 3_000 < single.n_cells < 4_500 and len(parts) == summary["partitions_nonempty"] >= 2
    assert summary["cells"] == single.n_cells
    assert_frame_equal(read_surface(out), single.surface.sort("h3_int"), check_column_order=False)
    assert_frame_equal(pl.read_parquet(out / "zones.parquet"), single.zones)
    for part in parts:  # every file holds exactly the cells of its parent, and no parent column
        f = pl.read_parquet(part, columns=["h3_int"])
        parent = part.parent.name.removeprefix("parent=")
        assert hexgrid.cells_to_str(hexgrid.cell_parents(f["h3_int"].to_numpy(), PARENT_RES)).unique().to_list() \
            == [parent]
        assert "parent" not in pl.read_parquet_schema(part)


def test_one_glob_for_duckdb_polars_and_dask(runs):
    import dask.dataframe as dd

    out, _, single = runs
    glob = str(out / "surface" / "*" / "*.parquet")
    n, best = single.n_cells, single.surface["score"].max()
    want = dict(zip(single.surface["h3"], hexgrid.cells_to_str(hexgrid.cell_parents(single.surface["h3_int"]
                                                                                      .to_numpy(), PARENT_RES))))

    con = duckdb.connect()
    rows = con.sql(f"select h3, parent, score from read_parquet('{glob}', hive_partitioning = true)").fetchall()
    assert len(rows) == n and max(r[2] for r in rows if r[2] is not None) == best
    assert all(want[h] == parent for h, parent, _ in rows)

    lf = pl.scan_parquet(glob, hive_partitioning=True).select("h3", "parent", "score").collect()
    assert lf.height == n and lf["score"].max() == best
    assert all(want[h] == parent for h, parent in lf.select("h3", "parent").iter_rows())

    ddf = dd.read_parquet(glob, columns=["h3", "score"])
    assert len(ddf) == n and ddf["score"].max().compute() == best


def test_stream_refuses_bad_partition_resolution(ref, tmp_path):
    with pytest.raises(GridscoutError, match="partitions_resolution"):
        screen_streamed(REGION, 6, load_profile("balanced"), ref, tmp_path, partitions_resolution=7)


def test_stream_summary_is_serialisable_and_stale_parts_are_removed(ref, tmp_path):
    stale = tmp_path / "surface" / "parent=85000000fffffff" / "part.parquet"
    stale.parent.mkdir(parents=True)
    pl.DataFrame({"h3_int": np.array([1], dtype=np.uint64)}).write_parquet(stale)
    s = screen_streamed(REGION, 6, load_profile("balanced"), ref, tmp_path, partitions_resolution=3)
    assert not stale.exists() and s["cells"] > 50 and json.loads(json.dumps(s))["partitions_resolution"] == 3
