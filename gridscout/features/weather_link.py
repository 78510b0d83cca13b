"""Which weather stands for a location: the nearest hourly weather file and the nearest station of
the station index, and the tier the cooling model will use.

An hourly weather year stands for a location only when its station lies within
:data:`HOURLY_WEATHER_MAX_KM` **and** within :data:`HOURLY_WEATHER_MAX_DZ_M` of the location's
elevation: a station 500 m up a mountain (or down in a valley) has another climate (the standard
atmosphere cools 6.5 K per km, ICAO Doc 7488; 300 m ≈ 2 K). The location's elevation
(``site_elevation_m``, with ``site_elevation_source``) is the candidate's own ``elevation_m``
when it carries one, else the elevation of the nearest station-index entry within
:data:`STATION_MAX_KM` (``weather_stations``: ISD/ASHRAE station elevations, a proxy for the
terrain, not a DEM: no open DEM is in the raw data). A file for the point itself (within
:data:`SAME_POINT_KM`, e.g. a PVGIS TMY fetched for the site) always stands for it; with no
elevation known, no other file does."""

from __future__ import annotations

import numpy as np
import polars as pl

from gridscout.geo.nearest import SphereIndex, chord_from_km, km_from_chord, take, unit_vectors
from gridscout.reference import Reference

#: An hourly weather file stands for a site within this great-circle distance [km].
HOURLY_WEATHER_MAX_KM = 50.0
#: ... and only within this difference of elevation from the site [m].
HOURLY_WEATHER_MAX_DZ_M = 300.0
#: A weather-station index entry stands for a site within this distance [km].
STATION_MAX_KM = 100.0
#: A weather file this close was made for the point itself [km].
SAME_POINT_KM = 1.0
#: Hourly files tried per location, nearest first, until one passes the elevation test.
HOURLY_CANDIDATES = 8


def weather_links(sites: pl.DataFrame, ref: Reference, *, groups=None) -> pl.DataFrame:
    """Nearest station-index entry (within 100 km), the location's elevation, and the nearest hourly
    weather file within 50 km whose station is within 300 m of that elevation.

    Adds ``weather_station_key``, ``weather_distance_km``, ``weather_elevation_m`` (the file's),
    ``site_elevation_m``, ``site_elevation_source``, ``station_elevation_m`` (the index entry's, for the
    climate model), ``weather_file_skipped`` (the nearest file in
    range that failed the elevation test, with why) and the station-index columns.

    ``groups`` (optional :class:`PointGroups` of these locations) selects the grouped nearest search
    (:meth:`SphereIndex.nearest_grouped`); same result."""
    q = unit_vectors(sites["latitude"].to_numpy(), sites["longitude"].to_numpy()) if groups is None else groups.q

    def nearest(idx: SphereIndex, max_km: float):
        return idx.nearest_vectors(q, max_km) if groups is None else idx.nearest_grouped(groups, max_km)

    st = ref.stations
    cols = ["wmo", "city", "ashrae_climate_zone", "heating_design_db_c", "cooling_design_db_c", "hdd18", "cdd10"]
    if st.height:
        i, km = nearest(SphereIndex(st["latitude"].to_numpy(), st["longitude"].to_numpy()), STATION_MAX_KM)
        picked = take(st.select(*cols, "elevation_m"), i)
        station = pl.concat([picked.rename({"wmo": "station_wmo", "city": "station_name",
                                            "elevation_m": "station_elevation_m"}),
                             pl.DataFrame({"station_distance_km": km}).fill_nan(None)], how="horizontal")
    else:
        station = pl.DataFrame({c: pl.Series([None] * len(q), dtype=t) for c, t in (
            ("station_wmo", pl.Utf8), ("station_name", pl.Utf8), ("ashrae_climate_zone", pl.Utf8),
            ("heating_design_db_c", pl.Float64), ("cooling_design_db_c", pl.Float64), ("hdd18", pl.Float64),
            ("cdd10", pl.Float64), ("station_elevation_m", pl.Float64), ("station_distance_km", pl.Float64))})
    own = sites["elevation_m"].cast(pl.Float64) if "elevation_m" in sites.columns \
        else pl.Series([None] * len(q), dtype=pl.Float64)
    elev = own.fill_null(station["station_elevation_m"].cast(pl.Float64))
    elev_src = pl.select(pl.when(own.is_not_null()).then(pl.lit("candidate elevation_m"))
                         .when(elev.is_not_null()).then(pl.lit("weather_stations WMO ") + station["station_wmo"])
                         .otherwise(None).alias("site_elevation_source")).to_series()
    hourly = _hourly_file(q, elev.to_numpy(), ref.weather_files, nearest)
    out = sites.with_columns(*hourly, elev.alias("site_elevation_m"), elev_src)
    return pl.concat([out, station.with_columns(pl.col("station_elevation_m").cast(pl.Float64))], how="horizontal")


def _hourly_file(q: np.ndarray, site_elev: np.ndarray, wf: pl.DataFrame, nearest) -> list[pl.Series]:
    """The nearest hourly file within range and elevation per location (see module docstring)."""
    n = len(q)
    key = np.full(n, -1, dtype=np.int64)
    km = np.full(n, np.nan)
    skipped = [None] * n
    if wf.height:
        idx = SphereIndex(wf["latitude"].to_numpy(), wf["longitude"].to_numpy())
        f_elev = wf["elevation_m"].cast(pl.Float64).fill_null(np.nan).to_numpy()
        i0, km0 = nearest(idx, HOURLY_WEATHER_MAX_KM)  # the grouped search settles most points at once

        def passes(i, d, rows):
            dz = np.abs(f_elev[i] - site_elev[rows])
            return (dz <= HOURLY_WEATHER_MAX_DZ_M) | (d <= SAME_POINT_KM)

        hit = np.flatnonzero(i0 >= 0)
        ok = passes(i0[hit], km0[hit], hit)
        key[hit[ok]], km[hit[ok]] = i0[hit[ok]], km0[hit[ok]]
        retry = hit[~ok]
        for r, i_near, d_near in zip(retry, i0[retry], km0[retry]):
            dz = f_elev[i_near] - site_elev[r]
            why = (f"{dz:+.0f} m from the site's elevation" if np.isfinite(dz) else
                   "site elevation unknown" if not np.isfinite(site_elev[r]) else "file elevation unknown")
            skipped[r] = f"{wf['station_key'][int(i_near)]} at {d_near:.0f} km: {why}"
        if len(retry):  # farther files in range, nearest first
            k = min(HOURLY_CANDIDATES, idx.n)
            d, ii = idx.tree.query(q[retry], k=k, distance_upper_bound=chord_from_km(HOURLY_WEATHER_MAX_KM))
            d, ii = d.reshape(len(retry), k), ii.reshape(len(retry), k)
            for col in range(1, k):
                open_ = key[retry] < 0
                cand = np.isfinite(d[:, col]) & open_
                if not cand.any():
                    continue
                rows, ic = retry[cand], ii[cand, col]
                dk = km_from_chord(d[cand, col])
                good = passes(ic, dk, rows)
                key[rows[good]], km[rows[good]] = ic[good], dk[good]
        keys = take(wf["station_key"].cast(pl.Utf8), key)
        file_elev = np.where(key >= 0, f_elev[np.maximum(key, 0)], np.nan)
    else:
        keys, file_elev = pl.Series([None] * n, dtype=pl.Utf8), np.full(n, np.nan)
    return [keys.alias("weather_station_key"), pl.Series("weather_distance_km", km).fill_nan(None),
            pl.Series("weather_elevation_m", file_elev).fill_nan(None),
            pl.Series("weather_file_skipped", skipped, dtype=pl.Utf8)]


def weather_choice(feats: pl.DataFrame) -> pl.DataFrame:
    """Pick the hourly file when one is linked, else the station-index entry (key ``wmo:<id>``):
    ``weather_source`` (``hourly_file`` / ``station_index`` / null), ``weather_station_key`` and
    ``weather_distance_km`` of the chosen one."""
    return feats.with_columns(
        pl.when(pl.col("weather_station_key").is_not_null()).then(pl.lit("hourly_file"))
        .when(pl.col("station_wmo").is_not_null()).then(pl.lit("station_index")).otherwise(None).alias("weather_source"),
        pl.coalesce(pl.col("weather_station_key"), pl.lit("wmo:") + pl.col("station_wmo")).alias("weather_station_key"),
        pl.coalesce(pl.col("weather_distance_km"), pl.col("station_distance_km")).alias("weather_distance_km"),
    )
