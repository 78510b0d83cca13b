"""Region screening on real boundaries: polyfill, features, surface files, zones, partitions."""

from __future__ import annotations

import json

import geopandas as gpd
import h3
import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from gridscout.errors import ProfileError

from gridscout.geo import hexgrid
from gridscout.scoring import load_profile
from gridscout.scoring.profiles import PROFILES_DIR, parse_profile
from gridscout.geo.regions import RegionError, region_geometry
from gridscout.jobs.screen import screen_region
from gridscout.scoring.zones import cluster_zones


@pytest.mark.parametrize("region,res", [("LUX", 8), ("US-VA", 6), ("NLD", 6), ("bbox:5.8,50.7,7.2,51.6", 6)])
def test_polyfill_equals_h3(ref, region, res):
    g = region_geometry(region, ref.boundaries)
    cells, lat, lon = hexgrid.polyfill(g, res)
    expected = np.sort(np.array([h3.str_to_int(c) for c in h3.h3shape_to_cells(hexgrid.to_h3shape(g), res)],
                                dtype=np.uint64))
    assert np.array_equal(cells, expected)
    i = len(cells) // 2
    assert (lat[i], lon[i]) == pytest.approx(h3.cell_to_latlng(h3.int_to_str(int(cells[i]))))


def test_conus_is_the_48_contiguous_states_and_dc(ref):
    """``CONUS`` is the union of the 48 contiguous states and DC from the Census layer: not Alaska,
    Hawaii or the territories the layer also holds; it combines with others like any region."""
    from gridscout.geo.regions import CONUS_STATES

    layer = set(ref.boundaries.filter(pl.col("layer") == "us_state")["code"].to_list())
    assert len(CONUS_STATES) == 49 and set(CONUS_STATES) <= layer
    assert layer - set(CONUS_STATES) >= {"AK", "HI", "PR"}
    g = region_geometry("CONUS", ref.boundaries)
    minx, miny, maxx, maxy = g.bounds
    # Cape Alava (WA), Key West (FL), West Quoddy Head (ME), Northwest Angle (MN)
    assert -125.0 < minx < -124.0 and 24.0 < miny < 25.0 and -67.5 < maxx < -66.5 and 49.0 < maxy < 49.6
    same = region_geometry("+".join(f"US-{c}" for c in CONUS_STATES), ref.boundaries)
    assert g.equals(same) and region_geometry("conus+US-HI", ref.boundaries).area > g.area


def test_large_regions_stream_by_default(ref, monkeypatch):
    """run_screen(stream=None) streams a region that may hold more than STREAM_ABOVE_CELLS cells: the
    bound is never below the cells polyfill finds (LUX r7/r8, CONUS r6) and within 1.5× for a large region, CONUS r7 (1.47 M cells)
    streams, CONUS r6 (210 k) and a state do not; the threshold is the config's."""
    from gridscout import config
    from gridscout.jobs.screen import stream_by_default

    conus, lux = region_geometry("CONUS", ref.boundaries), region_geometry("LUX", ref.boundaries)
    for g, res in ((lux, 7), (lux, 8), (conus, 6)):
        n = len(hexgrid.polyfill(g, res)[0])
        at_most = hexgrid.cover_cells_at_most(*hexgrid.coarse_cover(g, res), res)
        assert n <= at_most
        assert at_most <= 1.5 * n or n < 10_000  # loose only where it cannot matter (CONUS r6: 1.40 n)
    assert stream_by_default(conus, 7)[0] and "streamed" in stream_by_default(conus, 7)[1]
    assert not stream_by_default(conus, 6)[0]
    assert not stream_by_default(region_geometry("US-VA", ref.boundaries), 7)[0]
    monkeypatch.setattr(config, "STREAM_ABOVE_CELLS", 1_000)
    assert stream_by_default(lux, 7) == (True, stream_by_default(lux, 7)[1])
    assert "> 1,000: streamed" in stream_by_default(lux, 7)[1]


def test_vectorised_h3_helpers():
    cells = hexgrid.h3n.cell_to_children(h3.str_to_int("832a80fffffffff"), 6).astype(np.uint64)
    assert hexgrid.cells_to_str(cells).to_list() == [h3.int_to_str(int(c)) for c in cells]
    for r in (0, 3, 5, 6):
        assert hexgrid.cell_parents(cells, r).tolist() == [h3.str_to_int(h3.cell_to_parent(h3.int_to_str(int(c)), r))
                                                           for c in cells]


def test_prepared_lookup_equals_plain_within_query(ref, market_features):
    """PolygonIndex.lookup (prepared polygons) against the plain STRtree 'within' query."""
    import numpy as np
    import shapely

    from gridscout.geo.polygons import PolygonIndex

    g = region_geometry("US-VA+US-MD+bbox:5.8,50.7,7.2,51.6", ref.boundaries)
    cells, lat, lon = hexgrid.polyfill(g, 5)
    lat = np.r_[lat, market_features["latitude"].to_numpy()]
    lon = np.r_[lon, market_features["longitude"].to_numpy()]
    z = ref.zones.filter(pl.col("geometry_wkb").is_not_null())
    idx = PolygonIndex(z["zone_key"], z["geometry_wkb"])
    fast = idx.lookup(lat, lon)
    qi, ti = shapely.STRtree(idx.geoms).query(shapely.points(lon, lat), predicate="within")
    order = np.lexsort((idx.area[ti], qi))
    qi, ti = qi[order], ti[order]
    first = np.unique(qi, return_index=True)[1]
    plain = np.full(len(lat), None, dtype=object)
    plain[qi[first]] = idx.keys[ti[first]]
    assert (fast == plain).all() and (fast != None).sum() > 100  # noqa: E711


@pytest.mark.parametrize("region,res", [("US-VA+US-MD", 7), ("NLD+BEL", 6)])
def test_grouped_sphere_queries_equal_plain(ref, region, res):
    """The grouped (triangle-inequality) capacity sum and nearest search give exactly the per-point
    answers on real cells, real GPPD plants and the real station index."""
    from gridscout.geo.nearest import PointGroups, SphereIndex, haversine_km

    cells, lat, lon = hexgrid.polyfill(region_geometry(region, ref.boundaries), res)
    pg = PointGroups.build(lat, lon, hexgrid.cell_parents(cells, res - 1))
    assert pg is not None and len(pg.starts) < len(cells)
    p = ref.plants
    idx = SphereIndex(p["latitude"].to_numpy(), p["longitude"].to_numpy())
    w = np.column_stack([p["capacity_mw"].to_numpy(), np.arange(p.height, dtype=float)])
    plain, grouped = idx.sum_within(lat, lon, 50.0, w), idx.sum_within_grouped(pg, 50.0, w)
    assert np.allclose(grouped, plain, rtol=1e-12, atol=1e-6) and plain[:, 0].max() > 1000
    # coarse groups (the parent three levels up, as cell_features uses for the capacity sums), one thread
    # or two: the same sums
    coarse = PointGroups.build(lat, lon, hexgrid.cell_parents(cells, res - 3))
    for workers in (1, 2):
        assert np.allclose(idx.sum_within_grouped(coarse, 50.0, w, workers=workers), plain, rtol=1e-12, atol=1e-6)
    # brute force for a sample of cells: haversine to every plant
    for i in np.linspace(0, len(cells) - 1, 7).astype(int):
        d = haversine_km(lat[i], lon[i], p["latitude"].to_numpy(), p["longitude"].to_numpy())
        assert grouped[i, 0] == pytest.approx(p["capacity_mw"].to_numpy()[d <= 50.0].sum(), rel=1e-9, abs=1e-6)
    st = ref.stations
    sidx = SphereIndex(st["latitude"].to_numpy(), st["longitude"].to_numpy())
    for max_km in (100.0, 15.0, None):
        (i1, k1), (i2, k2) = sidx.nearest(lat, lon, max_km), sidx.nearest_grouped(pg, max_km)
        assert np.array_equal(i1, i2) and np.allclose(k1, k2, equal_nan=True, atol=1e-9)
    assert (i1 >= 0).all()
    assert PointGroups.build(lat, lon, hexgrid.cell_parents(cells, res - 1)[::-1]) is None  # not in group order


def test_region_errors(ref):
    for bad in ("Germany", "US-ZZ", "XXX", "bbox:1,2,3", "bbox:10,0,5,1", ""):
        with pytest.raises(RegionError):
            region_geometry(bad, ref.boundaries)


@pytest.fixture(scope="module")
def va(ref, tmp_path_factory):
    return screen_region("US-VA", 7, load_profile("balanced"), ref, tmp_path_factory.mktemp("va"))


def test_screen_us_va(va):
    s = va.surface
    assert 20_000 < va.n_cells < 23_000  # VA ≈ 110,800 km² / 5.16 km² per res-7 cell
    assert s["h3"].n_unique() == s.height and s["h3_int"].dtype == pl.UInt64
    assert s["h3"].str.len_chars().eq(15).all()
    assert (s.drop_nulls("us_state")["us_state"] == "VA").mean() > 0.99
    assert s["score"].null_count() == 0 and 0 <= s["score"].min() and s["score"].max() <= 100
    for c in ("carbon_g_per_kwh", "capacity_within_50km_mw", "cooling_design_db_c", "score_power", "gate_status",
              "excluded", "exclusion_reason"):
        assert c in s.columns
    assert "rank" not in s.columns  # population-dependent columns are not part of a surface
    on_disk = pl.read_parquet(va.paths["surface"])
    assert_frame_equal(on_disk, s)


def test_geoparquet_round_trip(va):
    gdf = gpd.read_parquet(va.paths["geoparquet"])
    assert gdf.crs.to_epsg() == 4326
    assert len(gdf) == va.n_cells and gdf.geometry.is_valid.all()
    assert (gdf.geometry.geom_type == "Polygon").all()
    row = gdf.iloc[100]
    assert row.geometry.contains(gpd.points_from_xy([row["longitude"]], [row["latitude"]])[0])
    ring = np.array(row.geometry.exterior.coords)[:-1]
    assert ring[:, ::-1] == pytest.approx(np.array(h3.cell_to_boundary(row["h3"])))


def test_zones(va):
    z = va.zones
    zs = load_profile("balanced").zones
    assert z.height >= 1
    assert (z["best_score"] >= z["mean_score"] - 1e-9).all() and (z["mean_score"] >= z["min_score"] - 1e-9).all()
    assert (z["min_score"] >= z["threshold"] - 1e-9).all()
    # one ranking: zone_id is the rank by mean score
    assert z["zone_id"].to_list() == list(range(1, z.height + 1))
    assert z["mean_score"].is_sorted(descending=True)
    assert z["zone_name"].str.contains(r"^(.* VA|VA: near .*)").all()
    # no slivers, no giant zones (a rejoined sliver may take a part past the cap by less than the floor)
    assert (z["area_km2"] >= zs.min_area_km2 - 1e-6).all()
    assert (z["area_km2"] <= zs.max_area_km2 + zs.min_area_km2).all()
    assert z["area_km2"].sum() == pytest.approx(z["n_cells"].sum() * 5.16, rel=0.1)
    # zone cells are a subset of the top decile of eligible cells (slivers below the floor dropped)
    elig = va.surface.filter(~pl.col("excluded"))
    sel = set(elig.filter(pl.col("score") >= z["threshold"][0])["h3"])
    assert z["n_cells"].sum() <= len(sel)
    # each zone is connected: a multi-cell zone's best cell has a selected neighbour
    for best, n in zip(z["best_h3"], z["n_cells"]):
        if n > 1:
            assert any(nb in sel for nb in h3.grid_ring(best, 1))
    assert pl.read_parquet(va.paths["zones"]).height == z.height
    # per-zone estimates: mean within its range
    for c in ("pue_annual", "carbon_g_per_kwh", "substation_230kv_distance_km", "capacity_weighted_mw"):
        known = z.filter(pl.col(f"{c}_mean").is_not_null())
        assert known.height, c
        assert ((known[f"{c}_min"] <= known[f"{c}_mean"] + 1e-9) & (known[f"{c}_mean"] <= known[f"{c}_max"] + 1e-9)).all()


def test_zone_names_are_unique(va):
    assert not va.zones["zone_name"].is_duplicated().any()


def test_zones_rank_the_same_in_parquet_cli_and_report(va, capsys):
    """The zones Parquet, the CLI's top table and the report's scores table give the same order."""
    from gridscout.cli import print_top
    from gridscout.jobs.screen import zones_as_sites

    z = pl.read_parquet(va.paths["zones"])
    as_sites = zones_as_sites(z)
    assert as_sites["rank"].to_list() == z["zone_id"].to_list()
    assert as_sites["site_name"].to_list() == z["zone_name"].to_list()
    assert as_sites["pue_annual"].to_list() == z["pue_annual_mean"].to_list()
    print_top(va.paths["zones"], "zones", n=5)
    out = capsys.readouterr().out
    positions = [out.find(name) for name in z["zone_name"].head(5)]
    assert all(p >= 0 for p in positions) and positions == sorted(positions)


def test_large_groups_split_and_slivers_dropped():
    """A 2-cell sliver is not a zone; a group of ~1,200 km² is cut into compact parts ≤ the cap."""
    big = h3.grid_disk(h3.latlng_to_cell(38.0, -78.5, 7), 8)  # 217 cells ≈ 1,120 km²
    sliver = list(h3.grid_disk(h3.latlng_to_cell(36.6, -80.0, 7), 1))[:2]
    cells = sorted(set(big) | set(sliver), key=h3.str_to_int)
    ll = [h3.cell_to_latlng(c) for c in cells]
    surface = pl.DataFrame({"h3": cells, "h3_int": pl.Series([h3.str_to_int(c) for c in cells], dtype=pl.UInt64),
                            "latitude": [a for a, _ in ll], "longitude": [b for _, b in ll],
                            "score": [80.0] * len(cells), "excluded": [False] * len(cells),
                            "grid_zone": ["US-MIDA-PJM"] * len(cells), "country": ["USA"] * len(cells),
                            "us_state": ["VA"] * len(cells)})
    z = cluster_zones(surface, threshold=0.0, min_area_km2=50.0, max_area_km2=500.0)
    assert set(z["n_cells"].to_list()).isdisjoint({2}) and z["n_cells"].sum() == len(big)
    assert z.height >= 3 and (z["area_km2"] <= 550.0).all() and (z["area_km2"] >= 50.0).all()
    assert not z["zone_name"].is_duplicated().any()


def test_zones_named_after_the_nearest_town(va, ref):
    """Each zone is named after the real town (GeoNames, ≥ 10,000 people) nearest its best cell."""
    from gridscout.geo.nearest import haversine_km

    z = va.zones
    assert ref.places.height > 10_000 and (ref.places["population"] >= 10_000).all()
    named = z.filter(pl.col("nearest_place").is_not_null())
    assert named.height >= 0.8 * z.height and (named["nearest_place_km"] <= 75).all()
    for row in named.head(5).iter_rows(named=True):
        d = haversine_km(row["best_latitude"], row["best_longitude"], ref.places["latitude"].to_numpy(),
                         ref.places["longitude"].to_numpy())
        assert ref.places["name"][int(d.argmin())] == row["nearest_place"]
        assert row["nearest_place_km"] == pytest.approx(float(d.min()), abs=1e-6)
        j = int(d.argmin())
        state = ref.places["admin1"][j] if ref.places["country_alpha2"][j] == "US" else ref.places["country_alpha2"][j]
        assert row["zone_name"].startswith(f"VA: near {row['nearest_place']}, {state}")
    assert cluster_zones(va.surface)["nearest_place"].null_count() == z.height  # no places given: no names


def test_cluster_zones_threshold(va):
    z = cluster_zones(va.surface, threshold=float(va.surface["score"].max()) - 5, min_area_km2=20.0)
    assert (z["n_cells"] >= 4).all() and (z["min_score"] >= float(va.surface["score"].max()) - 5 - 1e-9).all()


def test_screen_whole_country(ref, tmp_path):
    r = screen_region("DEU", 6, load_profile("low-carbon"), ref, tmp_path, geoparquet=False)
    assert 9_000 < r.n_cells < 13_000  # Germany ≈ 357,000 km² / 36.1 km² per res-6 cell
    assert (r.surface["country"] == "DEU").mean() > 0.98
    assert r.surface.filter(pl.col("grid_zone") == "DE")["carbon_g_per_kwh"].n_unique() == 1
    assert "gate_max_carbon_g_per_kwh" in r.surface.columns
    assert r.zones.height >= 1 and (r.zones["country"] == "DEU").all()
    assert "geoparquet" not in r.paths


def test_partitioned_equals_single(ref, tmp_path):
    p = load_profile("balanced")
    single = screen_region("NLD", 7, p, ref, tmp_path / "all", geoparquet=False).surface
    parents = sorted({h3.cell_to_parent(c, 3) for c in single["h3"]})
    assert len(parents) > 3
    # mixed-resolution partition list (one res-2 parent + res-3 parents) still unions exactly
    parts = [screen_region("NLD", 7, p, ref, tmp_path / f"p{i}", partition=[pc], geoparquet=False)
             for i, pc in enumerate(parents)]
    assert all(r.zones is None for r in parts)
    union = pl.concat([r.surface for r in parts]).sort("h3_int")
    assert_frame_equal(union, single, check_exact=False, rel_tol=1e-9)
    z1 = cluster_zones(single)
    z2 = cluster_zones(union)
    assert_frame_equal(z1, z2, check_exact=False, rel_tol=1e-9)


def test_partition_at_coarser_resolution(ref, tmp_path):
    p = load_profile("balanced")
    single = screen_region("LUX", 8, p, ref, tmp_path / "all", geoparquet=False).surface
    parents = sorted({h3.cell_to_parent(c, 2) for c in single["h3"]} | {h3.cell_to_parent(c, 6) for c in single["h3"][:1]})
    fine = parents[-1] if h3.get_resolution(parents[-1]) == 6 else None
    coarse = [c for c in parents if h3.get_resolution(c) == 2]
    u = screen_region("LUX", 8, p, ref, tmp_path / "p", partition=coarse, geoparquet=False).surface
    assert_frame_equal(u, single, check_exact=False, rel_tol=1e-9)
    if fine:
        sub = screen_region("LUX", 8, p, ref, tmp_path / "f", partition=[fine], geoparquet=False).surface
        assert 0 < sub.height <= 7 ** 2 and set(sub["h3"]) <= set(single["h3"])


def test_screen_needs_pointwise_profile(ref, tmp_path):
    import tomllib

    doc = tomllib.loads((PROFILES_DIR / "balanced.toml").read_text())
    doc["criteria"]["carbon"]["sub"][0] = {"column": "carbon_g_per_kwh", "direction": "lower", "weight": 1,
                                          "normalisation": "rank"}
    with pytest.raises(ProfileError, match=r"criteria.carbon.sub\[0\].*pointwise"):
        screen_region("LUX", 6, parse_profile(doc, "t.toml"), ref, tmp_path)


def test_cli_prints_the_top_zones_and_sites(va, tmp_path):
    """The CLI's summary table: best zones (or sites) first, names printed literally (no rich markup)."""
    from gridscout import cli

    with cli.out_console.capture() as cap:
        cli.print_top(va.paths["zones"], "zones", n=3)
    text = cap.get()
    assert "top 3 zones" in text and va.zones["zone_name"][0][:20] in text
    sites = pl.DataFrame({"site_id": ["a", "b"], "site_name": ["[bold]Evil[/bold]", "Plain"], "rank": [1, 2],
                          "score": [80.0, None], "excluded": [False, False], "pue_annual": [1.2, None]})
    sites.write_parquet(tmp_path / "scores.parquet")
    with cli.out_console.capture() as cap:
        cli.print_top(tmp_path / "scores.parquet", "sites")
    text = cap.get()
    assert "[bold]Evil[/bold]" in text and "UNKNOWN" in text  # a null score is UNKNOWN, not 0


def test_screening_report_is_about_zones_with_numbers(warehouse, tmp_path, monkeypatch):
    """Issue 15: the screening report's title and cards speak of zones; each zone card shows its area,
    cells, score range and the mean and range of its estimates (no 'not in run'); ranks as zones.parquet."""
    import re

    from gridscout.jobs.screen import run_screen

    run_dir = run_screen("US-DE", 7, "balanced", tmp_path / "de", db=warehouse)
    run = json.loads((run_dir / "run.json").read_text())
    assert run["streamed"] is False and run["stream_reason"].endswith("in memory")  # a small region, by default
    assert (run_dir / "surface.parquet").is_file() and (run_dir / "surface.geoparquet").is_file()
    html = (run_dir / "report.html").read_text(encoding="utf-8")
    assert "candidate zones for AI data centers: US-DE at H3 resolution 7" in html
    assert "not in run" not in html and "no p_top5 column" not in html
    z = pl.read_parquet(run_dir / "zones.parquet")
    assert z.height >= 1
    cards = re.findall(r'<details class="card"[^>]*>\s*<summary>#(\d+) · ([^<]+?) <span', html)
    assert [int(r) for r, _ in cards] == z["zone_id"].to_list()
    assert [n.strip() for _, n in cards] == z["zone_name"].to_list()
    facts = re.findall(r'<table class="zone-facts">(.*?)</table>', html, flags=re.S)
    assert len(facts) == z.height
    first = re.sub(r"<[^>]+>", " ", facts[0])
    assert f"{z['area_km2'][0]:,.0f} km²" in first and "PUE (annual)" in first and "Grid carbon" in first

    # a large run's report holds the best MAX_ZONE_CARDS zones and says where the others are
    from gridscout.report import render

    assert z.height >= 2
    monkeypatch.setattr(render, "MAX_ZONE_CARDS", 1)
    render.render_report(run_dir)
    html = (run_dir / "report.html").read_text(encoding="utf-8")
    cards = re.findall(r'<details class="card"[^>]*>\s*<summary>#(\d+) · ([^<]+?) <span', html)
    assert cards == [("1", z["zone_name"][0])]
    assert f"best 1 of {z.height} zones; every zone is in zones.parquet" in html
    assert f"{z.height} candidate zones (best 1 shown)" in html


def test_batched_scoring_equals_one_call(ref, monkeypatch):
    """score_cells runs features in batches of SCORE_BATCH_CELLS cells cut at coarse H3 parents; the
    surface equals the one-call surface (real LUX res-8 cells, batches of ~1,000)."""
    from gridscout.jobs import screen as screen_job

    cells, lat, lon = hexgrid.polyfill(region_geometry("LUX", ref.boundaries), 8)
    p = load_profile("balanced")
    one = screen_job.score_cells(cells, lat, lon, p, ref)
    spans = screen_job.cell_batches(cells, 1_000)
    parents = hexgrid.cell_parents(cells, 5)
    assert len(spans) >= 3 and spans[0][0] == 0 and spans[-1][1] == len(cells)
    assert all(a[1] == b[0] and parents[b[0]] != parents[b[0] - 1] for a, b in zip(spans, spans[1:]))
    monkeypatch.setattr(screen_job, "SCORE_BATCH_CELLS", 1_000)
    monkeypatch.setattr(screen_job.cell_batches, "__defaults__", (1_000,))
    calls = []
    features = screen_job.cell_features
    monkeypatch.setattr(screen_job, "cell_features", lambda c, *a, **k: calls.append(len(c)) or features(c, *a, **k))
    batched = screen_job.score_cells(cells, lat, lon, p, ref)
    assert calls == [hi - lo for lo, hi in spans]
    assert_frame_equal(batched, one, check_exact=False, rel_tol=1e-12)


def test_joined_labels_equal_a_rowwise_concat(va):
    """The engine's UNKNOWN labels (one text per distinct mask combination, gathered) equal the
    row-wise concat_str they replace, on the VA surface's own null masks (plus an all-false mask)."""
    from gridscout.scoring.engine import joined_labels

    s = va.surface
    cols = ["price_usd_per_mwh", "water_stress_score", "substation_distance_km", "queue_median_years",
            "ba_headroom_mw_0p5pct", "carbon_g_per_kwh"]
    flagged = [(s[c].is_null().to_numpy(), c) for c in cols] + [(np.zeros(s.height, dtype=bool), "never")]
    assert any(m.any() for m, _ in flagged)
    rowwise = s.select(pl.concat_str([pl.when(pl.Series(m)).then(pl.lit(lab)) for m, lab in flagged],
                                     separator=", ", ignore_nulls=True).fill_null(""))[:, 0]
    assert joined_labels("x", flagged, ", ").to_list() == rowwise.to_list()
    # more than 63 labels: the byte-key path instead of one integer per row
    many = flagged * 11
    rowwise = s.select(pl.concat_str([pl.when(pl.Series(m)).then(pl.lit(lab)) for m, lab in many],
                                     separator=";", ignore_nulls=True).fill_null(""))[:, 0]
    assert len(many) > 63 and joined_labels("x", many, ";").to_list() == rowwise.to_list()
    assert joined_labels("x", [], ",").len() == 0
