"""Grouped queries (one KD-tree / polygon query per H3 parent, issue 15) answer exactly what the
per-point queries answer, on the real station index and the real Census county polygons.

Southern California around Big Bear Lake: the ASHRAE/ISD index lists Big Bear AP twice at the same
coordinates (WMO 720164 and 720165, 2,060 m; different design values), so equal distances must break
the same way on both paths (the more recent TMYx period: 720165). Somerset County MD is a GeometryCollection
(a MultiPolygon and a LineString) in the us-atlas counties file."""

from __future__ import annotations

import h3
import numpy as np
import polars as pl
import pytest

from gridscout.features.weather_link import STATION_CANDIDATES, STATION_MAX_KM, weather_links
from gridscout.geo.nearest import knn_grouped
from gridscout.geo.nearest import PointGroups, SphereIndex, chord_from_km
from gridscout.geo.polygons import PolygonIndex
from gridscout.reference import Reference
from gridscout.sources import us_counties, weather_stations

BIG_BEAR = (34.2647, -116.8457)


@pytest.fixture(scope="module")
def stations(raw_dir):
    st_dir = raw_dir / "weather_stations"
    return weather_stations.parse({p.name: p for p in st_dir.iterdir()}).tables["weather_stations"]


def _cells(lat: float, lon: float, res: int, k: int):
    cells = sorted(h3.grid_disk(h3.latlng_to_cell(lat, lon, res), k), key=h3.str_to_int)
    ll = np.array([h3.cell_to_latlng(c) for c in cells])
    parents = np.array([h3.str_to_int(h3.cell_to_parent(c, res - 1)) for c in cells])
    return ll[:, 0], ll[:, 1], PointGroups.build(ll[:, 0], ll[:, 1], parents)


def test_grouped_k_nearest_equals_the_kd_tree_query(stations):
    lat, lon, pg = _cells(*BIG_BEAR, 6, 40)  # ~4,900 res-6 cells, the mountains to the coast
    idx = SphereIndex(stations["latitude"].to_numpy(), stations["longitude"].to_numpy())
    d, i = knn_grouped(idx, pg, STATION_CANDIDATES, STATION_MAX_KM)
    k = STATION_CANDIDATES
    d0, i0 = idx.tree.query(pg.q, k=k + 1, distance_upper_bound=chord_from_km(STATION_MAX_KM))
    assert np.array_equal(d, d0[:, :k])  # same entries at the same (bit-identical) distances
    tie = np.zeros_like(d0, dtype=bool)  # an entry at the same distance as a neighbour (incl. one past the k-th)
    tie[:, 1:] |= d0[:, 1:] == d0[:, :-1]
    tie[:, :-1] |= d0[:, :-1] == d0[:, 1:]
    tie, i0 = tie[:, :k], i0[:, :k]
    assert np.array_equal(i[~tie], i0[~tie]) and np.isfinite(d).sum() > 5 * len(d)
    same = (d[:, 1:] == d[:, :-1]) & np.isfinite(d[:, 1:])  # equal distances: the lower index first
    assert same.any() and (i[:, 1:][same] > i[:, :-1][same]).all()
    j, km = idx.nearest_grouped(pg, 30.0)
    j0, km0 = idx.nearest_vectors(pg.q, 30.0)
    assert np.array_equal(km, km0, equal_nan=True) and (j == -1).any() and (j[~tie[:, 0]] == j0[~tie[:, 0]]).all()


def test_grouped_weather_links_equal_the_per_point_ones(stations):
    lat, lon, pg = _cells(*BIG_BEAR, 7, 30)  # ~2,800 res-7 cells
    e = pl.DataFrame()
    ref = Reference(zones=e, zone_carbon_yearly=e, zone_capacity=e, us_state_prices=e, plants=e, stations=stations,
                    weather_files=e, boundaries=e, vintages=e)
    sites = pl.DataFrame({"latitude": lat, "longitude": lon})
    plain, grouped = weather_links(sites, ref), weather_links(sites, ref, groups=pg)
    assert plain.equals(grouped)
    at = grouped.filter(pl.col("station_distance_km") < 2.0)
    # of the two co-located Big Bear AP entries the more recent TMYx period (720165, 2011-2025) stands
    assert "720165" in at["station_wmo"].to_list() and "720164" not in grouped["station_wmo"].to_list()
    row = at.filter(pl.col("station_wmo") == "720165").row(0, named=True)
    assert row["station_elevation_m"] == 2060.0 and row["site_elevation_m"] == 2060.0  # at the airport
    assert (row["hdd18"], row["cdd10"]) == (3631.0, 835.0)


def test_grouped_county_lookup_sees_geometry_collection_boundaries(raw_dir):
    c = us_counties.parse({us_counties.COUNTIES: raw_dir / "boundaries" / us_counties.COUNTIES}).tables
    counties = next(iter(c.values()))
    idx = PolygonIndex(counties["state"] + ":" + counties["county"], counties["geometry_wkb"])
    lat, lon, pg = _cells(38.13, -75.84, 7, 12)  # Somerset / Wicomico MD, Accomack VA, Tangier Sound
    plain = idx.lookup_index(lat, lon)
    assert "MD:Somerset" in set(idx.keys_of(plain)) and (plain < 0).any()
    assert np.array_equal(idx.lookup_index(lat, lon, groups=pg.inv), plain)
    # coarse groups first, then finer groups for the unsettled, then points: still the same answer
    cells = sorted(h3.grid_disk(h3.latlng_to_cell(38.13, -75.84, 7), 40), key=h3.str_to_int)
    ll = np.array([h3.cell_to_latlng(c) for c in cells])
    up2, up1 = (np.array([h3.str_to_int(h3.cell_to_parent(c, r)) for c in cells]) for r in (5, 6))
    plain = idx.lookup_index(ll[:, 0], ll[:, 1])
    assert len(set(plain.tolist())) > 5
    assert np.array_equal(idx.lookup_index(ll[:, 0], ll[:, 1], groups=(up2, up1)), plain)
    assert np.array_equal(idx.lookup_index(ll[:, 0], ll[:, 1], groups=up2), plain)


def test_station_choice_per_member_equals_the_choice_over_kd_tree_answers(stations):
    """The choice made on each member's nearest entries as they are found (no locations × entries
    arrays) equals the choice over one plain KD-tree query per location, mountains and coast alike."""
    from gridscout.features.weather_link import (AT_STATION_KM, HOURLY_WEATHER_MAX_DZ_M, _choose, _station_choice,
                                                 _station_table)
    from gridscout.geo.nearest import knn_query

    lat, lon, pg = _cells(*BIG_BEAR, 7, 30)
    own = np.where(np.arange(len(lat)) % 3 == 0, np.nan, 300.0 + 10.0 * np.arange(len(lat)) % 2500)
    perm, idx, st_elev, summit = _station_table(stations)
    d, ii = knn_query(idx, pg.q, STATION_CANDIDATES, chord_from_km(STATION_MAX_KM))
    chosen, chord, terrain = _choose(d, ii, own, summit, st_elev, chord_from_km(AT_STATION_KM), HOURLY_WEATHER_MAX_DZ_M)
    i, km, terrain_g = _station_choice(pg.q, stations, own, pg)
    assert np.array_equal(i, np.where(chosen >= 0, perm[np.maximum(chosen, 0)], -1))
    assert np.array_equal(terrain_g, terrain, equal_nan=True) and np.isfinite(km).sum() > 0.9 * len(km)
    assert len(set(i.tolist())) > 5  # many stations chosen, not one
