"""PolygonIndex point-in-polygon against shapely's own STRtree ``within`` query, on the real US Census
county polygons (3,100+ small polygons: the case the latitude strips of ``_contains`` are for)."""

from __future__ import annotations

import numpy as np
import shapely

from gridscout.geo.polygons import PolygonIndex
from gridscout.sources import us_counties


def test_contains_equals_strtree_within_on_census_counties(raw_dir):
    c = us_counties.parse({us_counties.COUNTIES: raw_dir / "boundaries" / us_counties.COUNTIES}).tables
    counties = next(iter(c.values()))
    idx = PolygonIndex(counties["state"] + ":" + counties["county"], counties["geometry_wkb"])
    rng = np.random.default_rng(15)
    lat, lon = rng.uniform(18.0, 50.0, 60_000), rng.uniform(-160.0, -66.0, 60_000)  # CONUS, Hawaii, sea
    lat[:3], lon[:3] = np.nan, (-100.0, np.nan, np.nan)  # no coordinates: in no polygon
    got = idx._contains(lat, lon)
    pts, polys = shapely.STRtree(idx.geoms).query(shapely.points(lon, lat), predicate="within")
    expected = np.full(len(lat), -1)
    for p, g in zip(pts.tolist(), polys.tolist()):  # the smallest holding polygon, as _contains
        if expected[p] < 0 or idx.area[g] < idx.area[expected[p]]:
            expected[p] = g
    assert np.array_equal(got, expected)
    assert 0.2 < (got >= 0).mean() < 0.7 and len(set(got.tolist())) > 1500 and (got[:3] == -1).all()


def test_boundary_work_near_the_points_gives_the_answers_of_the_whole_boundary(raw_dir):
    """Group settling and coastal snapping index only the county rings near the points (± reach), grown
    as later calls go elsewhere: Virginia's cells, then Oregon's, then both again, answer as a fresh
    index over the whole boundary does, for every point."""
    c = us_counties.parse({us_counties.COUNTIES: raw_dir / "boundaries" / us_counties.COUNTIES}).tables
    counties = next(iter(c.values()))
    keys, wkb = counties["state"] + ":" + counties["county"], counties["geometry_wkb"]
    rng = np.random.default_rng(7)
    va = rng.uniform(36.5, 39.5, 5000), rng.uniform(-83.7, -75.2, 5000)  # with Chesapeake Bay and the coast
    oregon = rng.uniform(42.0, 46.3, 5000), rng.uniform(-124.8, -116.4, 5000)
    groups = lambda lat, lon: (np.round(lat * 4) * 1000 + np.round(lon * 4)).astype(np.int64)  # noqa: E731
    idx = PolygonIndex(keys, wkb)
    sizes = []
    for lat, lon in (va, oregon, va, oregon):
        whole = PolygonIndex(keys, wkb)
        whole.TREE_MARGIN_DEG = 360.0  # every ring
        for kw in ({"nearest_within_deg": 0.1}, {"groups": groups(lat, lon)}):
            assert np.array_equal(idx.lookup_index(lat, lon, **kw), whole.lookup_index(lat, lon, **kw))
        sizes.append(len(idx._tree[2]))
    assert sizes[0] < sizes[1] == sizes[3] < len(whole._tree[2])  # Virginia's neighbourhood, grown once


def test_snap_between_polygons_sharing_the_nearest_vertex_takes_the_nearer():
    """Two squares sharing the edge x = 1 (its vertices belong to both): a point above the edge is
    equally near both vertex sets; the square nearer by exact distance wins, and at equal distance
    the lower index, whichever order they come in."""
    a, b = shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)
    for order in ((a, b), (b, a)):
        idx = PolygonIndex(["first", "second"], shapely.to_wkb(np.array(order)))
        assert idx.snap([1.004], [1.0], 0.1).tolist() == ["first"]  # above the shared corner: equal
        want_a = "first" if order[0] is a else "second"
        assert idx.snap([1.004], [0.9999], 0.1).tolist() == [want_a]  # nearer a by 0.0001°
        assert idx.snap([0.5], [-0.004], 0.1).tolist() == [want_a]  # below a only
