"""One implementation per concept: a candidate site and a screening cell at the same point get the
same location, grid-zone, power and weather-link features (tests on the real first-slice warehouse)."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
import shapely

from gridscout.features.assemble import cell_features, site_features
from gridscout.geo import hexgrid


@pytest.fixture(scope="module")
def ref(first_slice_db):
    from gridscout.warehouse.readers.reference import read_reference

    return read_reference(first_slice_db)


@pytest.mark.parametrize("bbox", [(7.6, 49.6, 9.2, 50.6),      # Rhine-Main: dense plants, DE/FR zones near
                                  (-78.2, 38.6, -76.9, 39.4)])  # northern Virginia: US state + PJM zone
def test_site_and_cell_at_the_same_point_agree(ref, bbox):
    cells, lat, lon = hexgrid.polyfill(shapely.box(*bbox), 6)
    cells_f = cell_features(cells, lat, lon, ref)
    pick = np.linspace(0, cells_f.height - 1, 25).astype(int)
    sample = cells_f[pick]
    sites = sample.select(pl.col("h3").alias("site_id"), "latitude", "longitude")
    sites_f = site_features(sites, ref)
    shared = [c for c in cells_f.columns if c in sites_f.columns and c not in ("latitude", "longitude")]
    for must in ("country", "us_state", "grid_zone", "on_land", "carbon_g_per_kwh", "price_usd_per_mwh",
                 "capacity_within_50km_mw", "firm_capacity_within_50km_mw", "variable_capacity_within_50km_mw",
                 "capacity__source", "weather_station_key", "station_wmo", "station_distance_km",
                 "queue_iso", "queue_active_mw_county", "queue_median_years"):
        assert must in shared, must
    a = sample.select(["h3"] + shared).sort("h3")
    b = sites_f.rename({"site_id": "h3"}).select(["h3"] + shared).sort("h3")
    for col in b.columns:
        x, y = a[col], b[col]
        if x.dtype.is_float():
            assert np.allclose(x.fill_null(np.nan).to_numpy(), y.fill_null(np.nan).to_numpy(), equal_nan=True,
                               rtol=1e-9, atol=1e-9), col
        else:
            assert x.to_list() == y.to_list(), col
    assert sites_f["capacity_within_50km_mw"].drop_nulls().max() > 100  # not vacuous: real plants counted


def test_capacity_is_unknown_not_zero_where_no_plant_source_covers_the_country(ref):
    """Both paths: a covered country's empty circle is 0 MW; a point in no country is UNKNOWN."""
    pts = pl.DataFrame({"site_id": ["sea"], "latitude": [35.0], "longitude": [-40.0]})
    s = site_features(pts, ref).row(0, named=True)
    assert s["capacity_within_50km_mw"] is None and s["on_land"] is False
    c = cell_features(np.array([hexgrid.str_to_cells(["862a1072fffffff"])[0]], dtype=np.uint64),
                      np.array([35.0]), np.array([-40.0]), ref).row(0, named=True)
    assert c["capacity_within_50km_mw"] is None


def test_place_features_once_per_key_equal_per_row(ref):
    """per_key (what the country, state and zone bring, computed once per distinct combination and
    gathered) gives every row what the function gives it row by row, null keys included."""
    from gridscout.features.assemble import per_key
    from gridscout.features.grid_zone import carbon_and_price
    from gridscout.features.location import locate
    from gridscout.features.offsite_water import offsite_water

    cells, lat, lon = hexgrid.polyfill(shapely.box(5.5, 47.0, 9.5, 50.5), 5)  # DE, FR, CH, LU + no-zone cells
    feat = locate(pl.DataFrame({"latitude": lat, "longitude": lon}), ref)
    feat = pl.concat([feat, pl.DataFrame({"country": [None], "us_state": [None], "grid_zone": [None],
                                          "latitude": [0.0], "longitude": [-30.0], "on_land": [False],
                                          "zone_name": [None]}, schema=feat.schema)])
    fn = lambda f: offsite_water(carbon_and_price(f, ref), ref)  # noqa: E731
    keys = ["country", "us_state", "grid_zone"]
    got, want = per_key(feat, keys, fn), fn(feat)
    assert feat.select(keys).unique().height < feat.height / 10  # few places among many rows
    assert got.columns == want.columns and got.height == feat.height
    for c in want.columns:
        x, y = got[c], want[c]
        if y.dtype.is_float():
            assert np.allclose(x.fill_null(np.nan).to_numpy(), y.fill_null(np.nan).to_numpy(), equal_nan=True), c
        else:
            assert x.to_list() == y.to_list(), c
    assert got["carbon_g_per_kwh"].drop_nulls().len() > 0 and got["carbon_g_per_kwh"][-1] is None
