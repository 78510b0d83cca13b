"""Streamed screening (one process, one H3 parent at a time) writes the hive-partitioned surface that
DuckDB, Polars and Dask read with one glob, and equals the single-process run (real Luxembourg, r8)."""

from __future__ import annotations

import json
from pathlib import Path

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
REPO = Path(__file__).resolve().parents[2]


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


def test_a_failed_background_write_stops_the_run_and_keeps_the_written_parts_whole(ref, tmp_path, monkeypatch):
    """Parts are written on a background thread: its error reaches the caller, and every part already
    written is a complete Parquet file (no temporary left under the dataset glob)."""
    import gridscout.jobs.screen as screen

    real, calls = screen.write_part, []

    def flaky(surface, out, parent):
        calls.append(parent)
        if len(calls) == 2:
            raise OSError("disk full (test)")
        return real(surface, out, parent)

    monkeypatch.setattr(screen, "write_part", flaky)
    with pytest.raises(OSError, match="disk full"):
        screen_streamed(REGION, 7, load_profile("balanced"), ref, tmp_path, partitions_resolution=4)
    parts = sorted((tmp_path / "surface").glob("*/*.parquet"))
    assert len(calls) == 2 and len(parts) == 1 and pl.read_parquet(parts[0]).height > 0
    assert not list((tmp_path / "surface").glob("*/.part-*"))


def test_cli_stream_writes_the_dataset_zones_and_a_report_with_the_surface_map(warehouse, tmp_path):
    """``gridscout screen --stream``: the run folder holds the hive-partitioned surface (no single
    surface.parquet), zones ranked as in the in-memory run, run.json saying it streamed, and a report
    whose map draws the surface read from the dataset."""
    from typer.testing import CliRunner

    from gridscout import cli
    from gridscout.jobs.screen import run_screen

    res = CliRunner().invoke(cli.app, ["screen", "--region", REGION, "--resolution", "7", "--stream",
                                       "--partitions-resolution", "4", "--out", str(tmp_path / "s"),
                                       "--db", str(warehouse)])
    assert res.exit_code == 0, res.output
    run_dir = next(p.parent for p in (tmp_path / "s").rglob("run.json"))
    assert not (run_dir / "surface.parquet").exists()
    assert len(list(run_dir.glob("surface/parent=*/part.parquet"))) >= 2
    run = json.loads((run_dir / "run.json").read_text())
    assert run["streamed"] is True and run["partitions_resolution"] == 4 and run["cells"] > 500
    single = run_screen(REGION, 7, "balanced", tmp_path / "m", db=warehouse, render=False)
    assert_frame_equal(pl.read_parquet(run_dir / "zones.parquet"), pl.read_parquet(single / "zones.parquet"))
    html = (run_dir / "report.html").read_text(encoding="utf-8")
    assert html.count('class="hex"') == run["cells"]  # every cell drawn (below the map's cap)


def test_map_coarsens_a_large_surface_to_parent_means():
    """Above MAX_HEX cells the map draws H3 parents at the finest resolution that fits, each with the
    mean score of its cells (real cells: the r7 children of one r4 cell over Luxembourg)."""
    import h3

    from gridscout.report.maps import coarsen_surface

    parent = h3.latlng_to_cell(49.61, 6.13, 4)
    kids = np.array([h3.str_to_int(c) for c in h3.cell_to_children(parent, 7)], dtype=np.uint64)  # 343
    df = pl.DataFrame({"h3_int": kids, "score": np.arange(kids.size, dtype=float)})
    small = coarsen_surface(df, max_cells=400)
    assert small.height == kids.size  # fits: unchanged
    c = coarsen_surface(df, max_cells=10)
    assert c.height == 7 and c["n_cells"].sum() == kids.size  # r5: seven parents of 49 cells
    assert {int(x) >> 52 & 0xF for x in c["h3_int"]} == {5}
    assert c["score"].mean() == pytest.approx(df["score"].mean())


def test_small_parents_are_scored_together_and_large_ones_alone():
    """parent_groups: a parent of ≥ ``small`` cells is its own group as it comes; smaller ones wait and
    go together once they reach ``small`` cells (and at the end), each parent once, in parent order."""
    from gridscout.jobs.screen import parent_groups

    parents = [(i, np.zeros(n)) for i, n in enumerate([5, 30, 3, 4, 2, 50, 1])]
    assert [[p[0] for p in g] for g in parent_groups(iter(parents), 10)] == [[1], [0, 2, 3], [5], [4, 6]]


def test_a_grouped_call_writes_each_parent_its_own_cells(ref, tmp_path, monkeypatch):
    """Luxembourg's r4 parents are all small: one scoring call for all of them, and each file still
    holds exactly its parent's cells (a mismatch of rows and cells is an error, never a shifted file)."""
    import gridscout.jobs.screen as screen

    calls, real = [], screen.score_cells
    monkeypatch.setattr(screen, "score_cells", lambda c, *a, **k: calls.append(len(c)) or real(c, *a, **k))
    s = screen_streamed(REGION, 7, load_profile("balanced"), ref, tmp_path, partitions_resolution=4)
    parts = sorted((tmp_path / "surface").glob("parent=*/part.parquet"))
    assert len(parts) == s["partitions_nonempty"] >= 2 and calls == [s["cells"]]
    for part in parts:
        cells = pl.read_parquet(part, columns=["h3_int"])["h3_int"].to_numpy()
        assert set(hexgrid.cells_to_str(hexgrid.cell_parents(cells, 4))) == {part.parent.name.removeprefix("parent=")}
    with pytest.raises(GridscoutError, match="rows for"):
        screen.write_parts(pl.read_parquet(parts[0]), tmp_path / "x", ["a", "b"], [1, 1])


def test_unknown_medians_are_the_regions_whichever_cells_are_scored_together(ref, tmp_path, monkeypatch):
    """Ontario has no retail price in the sources (UNKNOWN, scored ``uncertain`` by the balanced
    profile): its cells take the median price sub-score of a sample of the whole region, so a streamed
    run cut into many small scoring calls (some all Canadian) equals the in-memory run, and the run
    summaries say which medians and sample were used. Scored alone, those cells got the penalty."""
    import gridscout.jobs.screen as screen

    region = "bbox:-83.5,41.5,-78.5,44.5"  # Lake Erie: Ontario, Michigan, Ohio, Pennsylvania, New York
    p = load_profile("balanced")
    monkeypatch.setattr(screen, "SCORE_BATCH_CELLS", 400)
    calls, real = [], screen.score_cells
    monkeypatch.setattr(screen, "score_cells", lambda c, *a, **k: calls.append(len(c)) or real(c, *a, **k))
    s = screen_streamed(region, 6, p, ref, tmp_path / "stream", partitions_resolution=3)
    single = screen_region(region, 6, p, ref, tmp_path / "single", geoparquet=False)
    assert len(calls) >= 5
    assert_frame_equal(read_surface(tmp_path / "stream"), single.surface.sort("h3_int"), check_column_order=False)
    med = s["unknown_medians"]
    assert med == single.unknown_medians and med["sample_cells"] > 50 and med["sample_resolution"] == 4
    canada = single.surface.filter(pl.col("country") == "CAN")
    assert canada.height > 1000 and canada["price_usd_per_mwh"].null_count() == canada.height
    price_median = med["medians"]["price_usd_per_mwh"]
    us_scores = single.surface.filter(pl.col("price_usd_per_mwh").is_not_null())["score_price"]
    assert us_scores.min() < price_median < us_scores.max()
    assert np.allclose(canada["score_price"].to_numpy(), price_median, atol=1e-6)
    alone = real(canada["h3_int"].to_numpy(), canada["latitude"].to_numpy(), canada["longitude"].to_numpy(), p, ref)
    assert (alone["score_price"] == p.unknown.penalty_score).all()  # what per-call medians gave


@pytest.mark.parametrize("region, res, want_res", [("LUX", 8, 6), ("US-VA", 7, 5), ("LUX", 5, 4), ("US-VA", 10, 7)])
def test_median_sample_from_the_cover_is_the_resolution_search(ref, region, res, want_res):
    """The median sample filled from the run's coarse cover (two or three levels up) is the sample a
    polyfill at every resolution from 0 finds: the finest resolution up to ``res`` − 2 holding at most
    MEDIAN_SAMPLE_CELLS cells (Virginia r10: its ~150 k r8 cells exceed it, r7 is taken, 3 levels up),
    or, for a region too small for that (Luxembourg r5: no r3 centre inside), the coarsest that holds a cell."""
    import gridscout.jobs.screen as screen
    from gridscout.geo.regions import region_geometry

    geom = region_geometry(region, ref.boundaries)
    r, cells, lat, lon = screen.median_sample(geom, res)
    best = (0, np.zeros(0, dtype=np.uint64))
    for rr in range(res + 1):  # the search median_sample defines, polyfill by polyfill
        if len(best[1]) and rr > res - 2:
            break
        c = hexgrid.polyfill(geom, rr)[0]
        if len(best[1]) and len(c) > screen.MEDIAN_SAMPLE_CELLS:
            break
        best = (rr, c)
    assert r == best[0] == want_res and np.array_equal(cells, best[1]) and len(cells)
    assert np.allclose(hexgrid.cell_centers(cells)[0], lat) and np.allclose(hexgrid.cell_centers(cells)[1], lon)


def test_streamed_run_writes_the_same_geoparquet_part_by_part(warehouse, tmp_path):
    """run_screen(stream=True, geoparquet=True) writes surface.geoparquet from the parts one at a time:
    the same rows, columns, hexagons and bbox as the in-memory run's (real LUX r7 cells, r4 parents),
    readable by geopandas as EPSG:4326 polygons."""
    import geopandas as gpd
    import pyarrow.parquet as pq

    from gridscout.jobs.screen import run_screen

    streamed = run_screen(REGION, 7, "balanced", tmp_path / "s", db=warehouse, render=False, stream=True,
                          partitions_resolution=4, geoparquet=True)
    memory = run_screen(REGION, 7, "balanced", tmp_path / "m", db=warehouse, render=False, stream=False)
    assert len(list(streamed.glob("surface/parent=*/part.parquet"))) >= 2
    run = json.loads((streamed / "run.json").read_text())
    assert run["streamed"] and run["timings_s"]["geoparquet"] >= 0
    a, b = (gpd.read_parquet(d / "surface.geoparquet") for d in (streamed, memory))
    assert a.crs.to_epsg() == 4326 and set(a.geom_type) == {"Polygon"} and len(a) == run["cells"] > 500
    assert sorted(a.columns) == sorted(b.columns)
    a, b = (x.sort_values("h3_int").reset_index(drop=True) for x in (a, b))
    assert a.geometry.to_wkb().tolist() == b.geometry.to_wkb().tolist()
    keep = [c for c in a.columns if c != "geometry"]
    assert_frame_equal(pl.from_pandas(a[keep].astype({c: str for c in keep if str(a[c].dtype) == "category"})),
                       pl.from_pandas(b[keep].astype({c: str for c in keep if str(b[c].dtype) == "category"})))
    geo = [json.loads(pq.read_metadata(d / "surface.geoparquet").metadata[b"geo"]) for d in (streamed, memory)]
    assert geo[0] == geo[1] and len(geo[0]["columns"]["geometry"]["bbox"]) == 4


def test_read_ahead_keeps_order_runs_one_item_ahead_and_raises_where_the_item_fails():
    import threading

    from gridscout.read_ahead import read_ahead

    made, threads = [], set()

    def items():
        for i in range(5):
            threads.add(threading.get_ident())
            made.append(i)
            if i == 3:
                raise ValueError("item 3 is malformed")
            yield i

    got = []
    with pytest.raises(ValueError, match="item 3"):
        for x in read_ahead(items()):
            got.append(x)
            assert len(made) <= x + 2  # the item in hand and at most one more
    assert got == [0, 1, 2] and threading.get_ident() not in threads
    assert list(read_ahead(iter(()))) == [] and list(read_ahead(range(4))) == [0, 1, 2, 3]


@pytest.mark.parametrize("region,res", [("US-VA", 5), ("DEU", 5)])
def test_medians_from_place_features_equal_the_whole_cell_frame(ref, region, res):
    """region_medians takes a profile's UNKNOWN medians over the sample's place features when its median
    factors are all there (every shipped profile): the same medians as over the whole cell frame."""
    from gridscout.features.assemble import cell_place_features
    from gridscout.geo.regions import region_geometry
    from gridscout.jobs.screen import cell_frame, median_frame
    from gridscout.scoring.normalise import median_factors, unknown_medians

    cells, lat, lon = hexgrid.polyfill(region_geometry(region, ref.boundaries), res)
    assert len(cells) > 100
    profiles = sorted(p.stem for p in (REPO / "data" / "profiles").glob("*.toml"))
    assert len(profiles) >= 5
    for name in profiles:
        p = load_profile(name)
        whole = cell_frame(cells, lat, lon, p, ref)
        places = cell_place_features(cells, lat, lon, ref, carbon_year=p.carbon_year)
        assert median_frame(cells, lat, lon, p, ref).columns == places.columns  # the cheap route is taken
        for c in places.columns:  # and what it gives is the cell frame's, column by column
            if c in whole.columns and whole[c].dtype.is_numeric():
                assert places[c].to_list() == whole[c].to_list(), (name, c)
        got, want = unknown_medians(places, p), unknown_medians(whole, p)
        assert median_factors(p) and got.keys() == want.keys()
        assert all(got[k] == want[k] or (np.isnan(got[k]) and np.isnan(want[k])) for k in want), (name, got, want)
