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
