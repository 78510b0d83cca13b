"""Features of locations (candidate sites or screening cells) from the reference data.

Everything is vectorised over all locations at once (KD-tree on unit vectors, STRtree
point-in-polygon). A feature with no covering data is null (UNKNOWN), never 0. Each feature's
origin is stated in :data:`FEATURE_SOURCES`.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from gridscout.features.reference import Reference
from gridscout.features.wholesale import country_wholesale, load_fx
from gridscout.geo.nearest import PointGroups, SphereIndex, take, unit_vectors
from gridscout.geo.polygons import PolygonIndex
from gridscout.sources.common import FIRM_FUELS, VARIABLE_FUELS

#: An hourly weather file stands for a site within this great-circle distance [km].
HOURLY_WEATHER_MAX_KM = 50.0
#: A weather-station index entry stands for a site within this distance [km].
STATION_MAX_KM = 100.0
#: Radius for nearby generation capacity [km].
CAPACITY_RADIUS_KM = 50.0
#: Points outside every polygon snap to the nearest one within this many degrees (coastlines are
#: generalised at 1:50m, so a coastal city can fall a few km offshore).
COAST_SNAP_DEG = 0.15

FEATURE_SOURCES = {
    "country": "boundaries (Natural Earth 1:50m)",
    "us_state": "boundaries (US Census 2017)",
    "grid_zone": "electricitymaps_zones",
    "carbon_g_per_kwh": "carbon_yearly (Electricity Maps, lifecycle)",
    "price_usd_per_mwh": "eia_prices (EIA industrial retail, US states only)",
    "wholesale_price_usd_per_mwh": "ember_prices (Ember day-ahead, Europe; × ECB USD/EUR; not scored)",
    "capacity_within_50km_mw": "gppd (WRI Global Power Plant Database)",
    "cooling_design_db_c": "weather_stations (ASHRAE 1 % cooling design dry-bulb via climate.onebuilding.org)",
    "weather_station_key": "weather_hourly (nearest hourly weather file within 50 km)",
}


def locate(sites: pl.DataFrame, ref: Reference, *, groups=None) -> pl.DataFrame:
    """Add ``country`` (ISO alpha-3), ``us_state``, ``grid_zone``, ``zone_name`` and ``on_land`` (in a
    country, or within :data:`COAST_SNAP_DEG` of one).

    ``groups`` (optional integer label per location, e.g. coarse H3 parents of screening cells)
    lets whole groups be located at once; the result is the same (see PolygonIndex.lookup)."""
    lat, lon = sites["latitude"].to_numpy(), sites["longitude"].to_numpy()
    grp = None if groups is None else np.asarray(groups)
    n = sites.height
    b = ref.boundaries
    country = state = zone = pl.Series([None] * n, dtype=pl.Utf8)
    on_land = pl.Series(np.zeros(n, dtype=bool))
    if b.height:
        cb = b.filter(pl.col("layer") == "country")
        cidx = PolygonIndex(cb["code"], cb["geometry_wkb"])
        ci = cidx.lookup_index(lat, lon, groups=grp)
        on_land = pl.Series(ci >= 0)
        miss = np.flatnonzero(ci < 0)
        if len(miss):
            ci[miss] = cidx.snap_index(lat[miss], lon[miss], COAST_SNAP_DEG)
        country = _keys(ci, cidx)
        usa_code = np.flatnonzero(cidx.keys == "USA")
        usa = np.flatnonzero(np.isin(ci, usa_code)) if len(usa_code) else np.zeros(0, dtype=np.int64)
        si = np.full(n, -1, dtype=np.int64)
        sb = b.filter(pl.col("layer") == "us_state")
        sidx = PolygonIndex(sb["code"], sb["geometry_wkb"])
        if len(usa):
            si[usa] = sidx.lookup_index(lat[usa], lon[usa], nearest_within_deg=COAST_SNAP_DEG,
                                        groups=None if grp is None else grp[usa])
        state = _keys(si, sidx)
    if ref.zones.height:
        z = ref.zones.filter(pl.col("geometry_wkb").is_not_null())
        zidx = PolygonIndex(z["zone_key"], z["geometry_wkb"])
        zone = _keys(zidx.lookup_index(lat, lon, nearest_within_deg=COAST_SNAP_DEG, groups=grp), zidx)
    out = sites.with_columns(
        country.alias("country"), state.alias("us_state"), zone.alias("grid_zone"),
        (on_land | country.is_not_null()).alias("on_land"),
    )
    if ref.zones.height:
        out = out.join(ref.zones.select(pl.col("zone_key").alias("grid_zone"), "zone_name"), on="grid_zone",
                       how="left", maintain_order="left")
    else:
        out = out.with_columns(pl.lit(None, pl.Utf8).alias("zone_name"))
    return out


def _keys(index: np.ndarray, pidx: PolygonIndex) -> pl.Series:
    """Utf8 series of ``pidx`` polygon keys for polygon indices (null where the index is −1)."""
    return take(pl.Series(pidx.keys.tolist(), dtype=pl.Utf8), index)


def carbon_and_price(sites: pl.DataFrame, ref: Reference) -> pl.DataFrame:
    """Join the zone's latest annual carbon intensity, the US state's latest industrial price (the
    scored ``price_usd_per_mwh``) and, for information only, the country's wholesale price."""
    out = sites.join(ref.zone_carbon.rename({"zone_key": "grid_zone"}), on="grid_zone", how="left", maintain_order="left") \
        if ref.zone_carbon.height else sites.with_columns(
            pl.lit(None, pl.Float64).alias("carbon_g_per_kwh"), pl.lit(None, pl.Int32).alias("carbon_year"),
            pl.lit(None, pl.Utf8).alias("carbon_basis"), pl.lit(None, pl.Float64).alias("renewable_pct"),
            pl.lit(None, pl.Float64).alias("carbon_free_pct"), pl.lit(None, pl.Utf8).alias("carbon_source"),
            pl.lit(None, pl.Utf8).alias("carbon_vintage"))
    if ref.us_state_prices.height:
        out = out.join(ref.us_state_prices, on="us_state", how="left", maintain_order="left")
    else:
        out = out.with_columns(pl.lit(None, pl.Int32).alias("price_year"), pl.lit(None, pl.Float64).alias("price_usd_per_mwh"),
                               pl.lit(None, pl.Utf8).alias("price_source"))
    # shown beside the scored price, never in it (wholesale ≠ retail; see features.wholesale)
    return out.join(country_wholesale(ref.wholesale_monthly, load_fx()), on="country", how="left",
                    maintain_order="left")


def nearby_capacity(sites: pl.DataFrame, ref: Reference, radius_km: float = CAPACITY_RADIUS_KM, *,
                    groups=None) -> pl.DataFrame:
    """Generation capacity within ``radius_km`` [MW]: total, firm and variable (GPPD covers the world).

    ``groups`` (optional :class:`PointGroups` of these locations, e.g. screening cells grouped by
    H3 parent) selects the grouped exact sum (:meth:`SphereIndex.sum_within_grouped`); same result."""
    p = ref.plants
    r = int(radius_km)
    if p.height == 0:
        return sites.with_columns([pl.lit(None, pl.Float64).alias(c) for c in (
            f"capacity_within_{r}km_mw", f"firm_capacity_within_{r}km_mw", f"variable_capacity_within_{r}km_mw")])
    idx = SphereIndex(p["latitude"].to_numpy(), p["longitude"].to_numpy())
    cap = p["capacity_mw"].to_numpy()
    fuel = p["fuel"].to_numpy()
    w = np.column_stack([cap, np.where(np.isin(fuel, FIRM_FUELS), cap, 0.0), np.where(np.isin(fuel, VARIABLE_FUELS), cap, 0.0)])
    lat, lon = sites["latitude"].to_numpy(), sites["longitude"].to_numpy()
    s = idx.sum_within(lat, lon, radius_km, w) if groups is None else \
        idx.sum_within_grouped(groups, radius_km, w)
    return sites.with_columns(
        pl.Series(f"capacity_within_{r}km_mw", s[:, 0]),
        pl.Series(f"firm_capacity_within_{r}km_mw", s[:, 1]),
        pl.Series(f"variable_capacity_within_{r}km_mw", s[:, 2]),
    )


def weather_links(sites: pl.DataFrame, ref: Reference, *, groups=None) -> pl.DataFrame:
    """Nearest hourly weather file (within 50 km) and nearest station-index entry (within 100 km).

    ``groups`` (optional :class:`PointGroups` of these locations) selects the grouped nearest search
    (:meth:`SphereIndex.nearest_grouped`); same result."""
    q = unit_vectors(sites["latitude"].to_numpy(), sites["longitude"].to_numpy()) if groups is None else groups.q

    def nearest(idx: SphereIndex, max_km: float):
        return idx.nearest_vectors(q, max_km) if groups is None else idx.nearest_grouped(groups, max_km)

    wf = ref.weather_files
    if wf.height:
        i, km = nearest(SphereIndex(wf["latitude"].to_numpy(), wf["longitude"].to_numpy()), HOURLY_WEATHER_MAX_KM)
        keys = take(wf["station_key"].cast(pl.Utf8), i)
    else:
        keys, km = pl.Series([None] * len(q), dtype=pl.Utf8), np.full(len(q), np.nan)
    out = sites.with_columns(
        keys.alias("weather_station_key"),
        pl.Series("weather_distance_km", km).fill_nan(None),
    )
    st = ref.stations
    cols = ["wmo", "city", "ashrae_climate_zone", "heating_design_db_c", "cooling_design_db_c", "hdd18", "cdd10"]
    if st.height:
        i, km = nearest(SphereIndex(st["latitude"].to_numpy(), st["longitude"].to_numpy()), STATION_MAX_KM)
        picked = take(st.select(cols), i)
        out = pl.concat([out, picked.rename({"wmo": "station_wmo", "city": "station_name"}),
                         pl.DataFrame({"station_distance_km": km}).fill_nan(None)], how="horizontal")
    else:
        out = out.with_columns([pl.lit(None).alias(c) for c in ("station_wmo", "station_name", "ashrae_climate_zone",
                                "heating_design_db_c", "cooling_design_db_c", "hdd18", "cdd10", "station_distance_km")])
    return out


def zone_capacity_wide(ref: Reference) -> pl.DataFrame:
    """Installed capacity by mode per zone, wide: ``grid_zone, zone_cap_mw_<mode>``."""
    if ref.zone_capacity.height == 0:
        return pl.DataFrame({"grid_zone": []}, schema={"grid_zone": pl.Utf8})
    return (ref.zone_capacity.with_columns(("zone_cap_mw_" + pl.col("mode").str.replace_all(" ", "_")).alias("mode"))
            .pivot(on="mode", index="zone_key", values="capacity_mw", aggregate_function="sum")
            .rename({"zone_key": "grid_zone"}))


def site_features(sites: pl.DataFrame, ref: Reference) -> pl.DataFrame:
    """All first-slice features for the given locations (``site_id, latitude, longitude`` at least)."""
    out = locate(sites, ref)
    out = carbon_and_price(out, ref)
    out = nearby_capacity(out, ref)
    out = weather_links(out, ref)
    return out.join(zone_capacity_wide(ref), on="grid_zone", how="left", maintain_order="left")
