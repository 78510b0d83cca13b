"""Which weather stands for a location: the nearest hourly weather file and the nearest station of
the station index, and the tier the cooling model will use.

An hourly weather year stands for a location only when its station lies within
:data:`HOURLY_WEATHER_MAX_KM` **and** within :data:`HOURLY_WEATHER_MAX_DZ_M` of the location's
elevation: a station 500 m up a mountain (or down in a valley) has another climate (the standard
atmosphere cools 6.5 K per km, ICAO Doc 7488; 300 m ≈ 2 K). The location's elevation
(``site_elevation_m``, with ``site_elevation_source``) is the candidate's own ``elevation_m``
when it carries one, else the elevation of a station-index entry within :data:`AT_STATION_KM` (the
location is at that station: an airport, an observatory), else the inverse-distance-weighted **median**
elevation of the :data:`TERRAIN_NEIGHBOURS` nearest station-index entries within :data:`STATION_MAX_KM` (``weather_stations``: ISD/ASHRAE station
elevations, a proxy for the terrain, not a DEM: no open DEM is in the raw data; the median keeps one
summit observatory among valley stations from making the lowland "high"). A file for the point itself
(within :data:`SAME_POINT_KM`, e.g. a PVGIS TMY fetched for the site) always stands for it; with no
elevation known, no other file does.

A **summit station** (an entry more than :data:`SUMMIT_PROMINENCE_M` above the median of its
neighbours within :data:`SUMMIT_NEIGHBOUR_KM`: a mountain observatory measuring free-atmosphere air)
stands only for points within :data:`AT_STATION_KM` of it: it neither sets a terrain estimate nor
stands for the valleys around it.

The station-index entry (design conditions, degree days: the climate model's inputs) follows the
same rule: of the :data:`STATION_CANDIDATES` nearest entries within :data:`STATION_MAX_KM`, the
nearest one within :data:`HOURLY_WEATHER_MAX_DZ_M` of the location's elevation; where none is, the
one closest in elevation (``station_dz_m`` says how far). So a lowland cell never takes a
mountain-summit station (Zugspitze 2,960 m, Feldberg 1,496 m, Brocken 1,153 m) when a station nearer
its own elevation is within the search radius — issue 15: ~1,070 German lowland cells used to be
"very cold" that way."""

from __future__ import annotations

import numba
import numpy as np
import polars as pl

from gridscout.geo.nearest import (EARTH_RADIUS_KM, PointGroups, SphereIndex, chord_from_km, group_candidates,
                                    group_points, in_spans, km_from_chord, knn_query, member_knn, take,
                                    unit_vectors)
from gridscout.geo.polygons import cached_index
from gridscout.kernel_types import B1, F1, F1_R, F2, F8, I1, I2, I8
from gridscout.models.climate_model import with_optional_stats
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
#: Station-index entries considered per location (nearest first) for the elevation-aware choice.
STATION_CANDIDATES = 8
#: Nearest station-index entries whose median elevation stands for the terrain where none is given.
TERRAIN_NEIGHBOURS = 5
#: A location this close to a station-index entry is at that station and takes its elevation [km].
AT_STATION_KM = 2.0
#: A station-index entry this much higher than the median of its neighbours within
#: :data:`SUMMIT_NEIGHBOUR_KM` is a summit / mountain observatory [m] (free-atmosphere air: Zugspitze,
#: Feldberg, Brocken, Mount Wilson, passes and ski areas …; 313 of the 17,292 entries, ~1.8 %).
SUMMIT_PROMINENCE_M = 500.0
SUMMIT_NEIGHBOUR_KM = 50.0


def weather_links(sites: pl.DataFrame, ref: Reference, *, groups=None) -> pl.DataFrame:
    """The location's elevation, its station-index entry (nearest within 100 km and 300 m of that
    elevation, else closest in elevation) and the nearest hourly weather file within 50 km whose
    station is within 300 m of that elevation.

    Adds ``weather_station_key``, ``weather_distance_km``, ``weather_elevation_m`` (the file's),
    ``site_elevation_m``, ``site_elevation_source``, ``station_elevation_m`` (the index entry's, for the
    climate model), ``station_dz_m`` (entry minus location elevation), ``weather_file_skipped`` (the nearest file in
    range that failed the elevation test, with why) and the station-index columns.

    ``groups`` (optional :class:`PointGroups` of these locations) selects the grouped nearest search
    (:meth:`gridscout.geo.nearest.SphereIndex.nearest_grouped`); same result."""
    q = unit_vectors(sites["latitude"].to_numpy(), sites["longitude"].to_numpy()) if groups is None else groups.q

    def nearest(idx: SphereIndex, max_km: float):
        return idx.nearest_vectors(q, max_km) if groups is None else idx.nearest_grouped(groups, max_km)

    st = ref.stations
    if "koppen_zone" not in st.columns:  # a station index built without Köppen zones (not read from a warehouse)
        st = cached_index(ref.stations, "stations_koppen", lambda: with_optional_stats(ref.stations))
    cols = ["wmo", "city", "ashrae_climate_zone", "heating_design_db_c", "cooling_design_db_c", "hdd18", "cdd10",
            "koppen_zone"]
    own = sites["elevation_m"].cast(pl.Float64) if "elevation_m" in sites.columns \
        else pl.Series([None] * len(q), dtype=pl.Float64)
    if st.height:
        i, km, terrain = _station_choice(q, st, own.fill_null(np.nan).to_numpy(), groups)
        picked = take(st.select(*cols, "elevation_m"), i)
        station = pl.concat([picked.rename({"wmo": "station_wmo", "city": "station_name",
                                            "elevation_m": "station_elevation_m"}),
                             pl.DataFrame({"station_distance_km": km}).fill_nan(None)], how="horizontal")
    else:
        terrain = np.full(len(q), np.nan)
        station = pl.DataFrame({c: pl.Series([None] * len(q), dtype=t) for c, t in (
            ("station_wmo", pl.Utf8), ("station_name", pl.Utf8), ("ashrae_climate_zone", pl.Utf8),
            ("heating_design_db_c", pl.Float64), ("cooling_design_db_c", pl.Float64), ("hdd18", pl.Float64),
            ("cdd10", pl.Float64), ("koppen_zone", pl.Utf8), ("station_elevation_m", pl.Float64),
            ("station_distance_km", pl.Float64))})
    elev = own.fill_null(pl.Series(terrain).fill_nan(None))
    at_station = (station["station_distance_km"] <= AT_STATION_KM).fill_null(False)
    # the "at a station" label built once per station-index entry and gathered, not concatenated per row
    at_label = take("weather_stations WMO " + st["wmo"].cast(pl.Utf8), np.where(at_station.to_numpy(), i, -1)) \
        if st.height else pl.repeat(None, len(q), dtype=pl.Utf8, eager=True)
    elev_src = pl.select(pl.when(own.is_not_null()).then(pl.lit("candidate elevation_m"))
                         .when(elev.is_not_null() & at_station).then(at_label)
                         .when(elev.is_not_null())
                         .then(pl.lit(f"weather_stations: distance-weighted median of the {TERRAIN_NEIGHBOURS} nearest entries"))
                         .otherwise(None).alias("site_elevation_source")).to_series()
    station = station.with_columns(pl.col("station_elevation_m").cast(pl.Float64)).with_columns(
        (pl.col("station_elevation_m") - elev).alias("station_dz_m"))
    hourly = _hourly_file(q, elev.to_numpy(), ref.weather_files, nearest)
    out = sites.with_columns(*hourly, elev.alias("site_elevation_m"), elev_src)
    return pl.concat([out, station], how="horizontal")


def summit_stations(idx: SphereIndex, elev_m: np.ndarray) -> np.ndarray:
    """Boolean per station-index entry: a summit station (see :data:`SUMMIT_PROMINENCE_M`); needs at
    least two neighbours within :data:`SUMMIT_NEIGHBOUR_KM` (a plateau city with no near neighbour,
    e.g. Addis Ababa, is never called a summit)."""
    if idx.n < 3:
        return np.zeros(idx.n, dtype=bool)
    k = min(6, idx.n)
    d, ii = idx.tree.query(idx.tree.data, k=k, distance_upper_bound=chord_from_km(SUMMIT_NEIGHBOUR_KM), workers=-1)
    nb_ok = np.isfinite(d[:, 1:])
    nb = np.where(nb_ok, elev_m[np.where(nb_ok, ii[:, 1:], 0)], np.nan)
    enough = np.isfinite(nb).sum(axis=1) >= 2
    med = np.full(idx.n, np.nan)
    med[enough] = np.nanmedian(nb[enough], axis=1)
    return enough & np.isfinite(elev_m) & (elev_m - med > SUMMIT_PROMINENCE_M)


def _station_choice(q: np.ndarray, st: pl.DataFrame, own_elev: np.ndarray,
                    groups: PointGroups | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per location (unit vectors ``q``, or the members of ``groups``): the chosen station-index row
    (−1: none within range), its distance [km] and the terrain elevation estimate [m] (median of
    the nearest entries; NaN if none). See the module docstring for the rule.

    The :data:`STATION_CANDIDATES` nearest entries within :data:`STATION_MAX_KM` are those of
    :func:`gridscout.geo.nearest.knn_grouped` (one KD-tree query per group of locations; a site is its
    own group; the same entries as a query per location); entries at equal distance
    (co-located duplicates: 40 entries of the index share coordinates, e.g. Big Bear AP 720164 and
    720165) are taken in :func:`_preference` order. The choice among them is a compiled loop per
    location (:func:`_choose_row`), run on each location's entries as they are found
    (:func:`_choose_members`: no locations × entries arrays)."""
    n = len(q)
    if n == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(0)
    perm, idx, st_elev, summit = cached_index(st, "station_choice", lambda: _station_table(st))
    k = min(STATION_CANDIDATES, idx.n)
    own = np.ascontiguousarray(own_elev, dtype=np.float64)
    rule = (summit, st_elev, chord_from_km(AT_STATION_KM), HOURLY_WEATHER_MAX_DZ_M)
    pg = groups if groups is not None else PointGroups(q, np.arange(n, dtype=np.int64))
    ub = chord_from_km(STATION_MAX_KM)
    chosen, chord, terrain = np.empty(n, dtype=np.int64), np.empty(n), np.empty(n)
    cand, found, settled = group_candidates(idx, pg, k, STATION_MAX_KM)

    def span(lo: int, hi: int) -> None:
        _choose_members(lo, hi, pg.qc[0], pg.qc[1], pg.qc[2], pg.starts, pg.sizes, settled, cand, found,
                        idx.columns[0], idx.columns[1], idx.columns[2], ub * ub, k, own, *rule, chosen, chord, terrain)

    in_spans(span, pg.sizes, 2 if n >= 1_000 else 1)  # two spans of equal members (the loop releases the GIL)
    rest = np.flatnonzero(~settled[pg.inv])
    if len(rest):  # members of unsettled groups: their own KD-tree query (equal distances: lower row first)
        d, ii = knn_query(idx, pg.q[rest], k, ub)
        chosen[rest], chord[rest], terrain[rest] = _choose(d, ii, own[rest], *rule)
    ok = chosen >= 0
    km = np.where(ok, km_from_chord(np.where(ok, chord, 0.0)), np.nan)
    return np.where(ok, perm[np.where(ok, chosen, 0)], -1), km, terrain


def _station_table(st: pl.DataFrame) -> tuple[np.ndarray, SphereIndex, np.ndarray, np.ndarray]:
    """What the choice needs of a station index, built once per index: the preference order
    (:func:`_preference`), the point index, elevations [m] and summit flags, rows in preference order."""
    perm = _preference(st)
    st = st[perm]
    idx = SphereIndex(st["latitude"].to_numpy(), st["longitude"].to_numpy())
    st_elev = st["elevation_m"].cast(pl.Float64).fill_null(np.nan).to_numpy()
    return perm, idx, st_elev, summit_stations(idx, st_elev)


def _preference(st: pl.DataFrame) -> np.ndarray:
    """Row order in which station-index entries at equal distance are taken: the most recent TMYx
    period first (the last year of ``file_period``, e.g. ``TMYx.2011-2025``; none given: last), then
    the index order. Of Big Bear AP's two entries this takes WMO 720165 (2011–2025: HDD18 3,631,
    CDD10 835, a 2,060 m mountain town's climate) over 720164 (2009–2023: HDD18 1,883, CDD10 1,918)."""
    if "file_period" not in st.columns:
        return np.arange(st.height)
    end = st["file_period"].cast(pl.Utf8).str.extract(r"(\d{4})\D*$").cast(pl.Int64).fill_null(0).to_numpy()
    return np.argsort(-end, kind="stable")


@numba.njit(cache=True, nogil=True)
def _choose_row(d, ii, nb, summit, st_elev, own, at_chord, max_dz, valid, elev, v, w):
    """One location: ``d``/``ii`` its ``nb`` nearest entries (chords, rows; nearest first), ``own``
    its own elevation (NaN: unknown); ``valid``, ``elev``, ``v``, ``w`` scratch. Returns (chosen row or
    −1, its chord, terrain elevation).

    Valid candidates: in range and not a summit station (unless within ``at_chord``). Terrain: the
    median of the first :data:`TERRAIN_NEIGHBOURS` valid entries' elevations weighted by
    1 / max(km, 0.5) (sorted by elevation, stable; the first whose cumulative weight reaches half the
    total; NaN where no weight), or the elevation of a valid entry within ``at_chord``. Choice: the
    nearest valid entry within ``max_dz`` of the location's elevation (its own, else the terrain),
    else the one closest in elevation (first of equals), else — elevation unknown — the nearest if
    it is valid."""
    for c in range(nb):
        ok = not (summit[ii[c]] and not d[c] <= at_chord)
        valid[c] = ok
        elev[c] = st_elev[ii[c]] if ok else np.nan
    nt = min(nb, TERRAIN_NEIGHBOURS)
    total = 0.0
    for c in range(nt):
        wc = 0.0
        if valid[c] and np.isfinite(elev[c]):
            km = 2.0 * EARTH_RADIUS_KM * np.arcsin(min(max(d[c] / 2.0, 0.0), 1.0))
            wc = 1.0 / max(km, 0.5)
        total += wc
        key = elev[c] if wc > 0 else np.inf
        pos = c  # stable insertion by elevation
        while pos > 0 and v[pos - 1] > key:
            v[pos] = v[pos - 1]
            w[pos] = w[pos - 1]
            pos -= 1
        v[pos] = key
        w[pos] = wc
    terrain = np.nan
    if total > 0:
        cum = 0.0
        for c in range(nt):
            cum += w[c]
            if cum >= total / 2.0:
                terrain = v[c]
                break
    if nb > 0 and valid[0] and np.isfinite(elev[0]) and d[0] <= at_chord:
        terrain = elev[0]
    site = own if np.isfinite(own) else terrain
    col = -1
    for c in range(nb):
        if valid[c] and abs(elev[c] - site) <= max_dz:
            col = c
            break
    if col < 0:
        col = 0
        if np.isfinite(site):  # none within the band: the one closest in elevation
            best = np.inf
            for c in range(nb):
                dz = abs(elev[c] - site)
                if np.isfinite(dz) and dz < best:
                    best, col = dz, c
    if nb > 0 and valid[col]:
        return ii[col], d[col], terrain
    return -1, np.nan, terrain


@numba.njit(cache=True, nogil=True)
def _choose(d, ii, own, summit, st_elev, at_chord, max_dz):
    """:func:`_choose_row` for each row of a KD-tree answer (``inf``-padded chords ``d``, rows ``ii``)."""
    n, k = d.shape
    out_i, out_d, terrain = np.full(n, -1, dtype=np.int64), np.full(n, np.nan), np.full(n, np.nan)
    valid, elev, v, w = np.empty(k, dtype=np.bool_), np.empty(k), np.empty(k), np.empty(k)
    for r in range(n):
        nb = 0
        while nb < k and np.isfinite(d[r, nb]):
            nb += 1
        out_i[r], out_d[r], terrain[r] = _choose_row(d[r], ii[r], nb, summit, st_elev, own[r], at_chord, max_dz,
                                                     valid, elev, v, w)
    return out_i, out_d, terrain


@numba.njit(cache=True, nogil=True)
def _choose_members(lo, hi, q0, q1, q2, starts, sizes, settled, cand, found, p0, p1, p2, ub2, k, own, summit,
                    st_elev, at_chord, max_dz, out_i, out_d, terrain):
    """:func:`_choose_row` for every member of the settled groups ``lo``…``hi`` − 1 of a
    :func:`~gridscout.geo.nearest.group_candidates` answer, on its ``k`` nearest entries
    (:func:`~gridscout.geo.nearest.member_knn`, as :func:`~gridscout.geo.nearest.knn_grouped` finds
    them) held in scratch; members of unsettled groups are left untouched."""
    bd2, bi, d = np.empty(k), np.empty(k, dtype=np.int64), np.empty(k)
    valid, elev, v, w = np.empty(k, dtype=np.bool_), np.empty(k), np.empty(k), np.empty(k)
    kq = cand.shape[1]
    cx, cy, cz, cj = np.empty(kq), np.empty(kq), np.empty(kq), np.empty(kq, dtype=np.int64)
    for g in range(lo, hi):
        if settled[g]:
            n = group_points(g, cand, found, p0, p1, p2, cx, cy, cz, cj)
            for m in range(starts[g], starts[g] + sizes[g]):
                nb = member_knn(q0[m], q1[m], q2[m], cx, cy, cz, cj, n, ub2, bd2, bi)
                for t in range(nb):
                    d[t] = np.sqrt(bd2[t])
                out_i[m], out_d[m], terrain[m] = _choose_row(d, bi, nb, summit, st_elev, own[m], at_chord, max_dz,
                                                             valid, elev, v, w)


def _hourly_file(q: np.ndarray, site_elev: np.ndarray, wf: pl.DataFrame, nearest) -> list[pl.Series]:
    """The nearest hourly file within range and elevation per location (see module docstring)."""
    n = len(q)
    key = np.full(n, -1, dtype=np.int64)
    km = np.full(n, np.nan)
    skipped: dict[int, str] = {}  # row → why its nearest file in range was skipped
    if wf.height:
        idx = cached_index(wf, "weather_file_points", lambda: SphereIndex(wf["latitude"].to_numpy(),
                                                                          wf["longitude"].to_numpy()))
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
            skipped[int(r)] = f"{wf['station_key'][int(i_near)]} at {d_near:.0f} km: {why}"
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
            _text_at(n, skipped).alias("weather_file_skipped")]


def _text_at(n: int, text: dict[int, str]) -> pl.Series:
    """A text series of ``n`` nulls with ``text`` at its rows (no Python list per location)."""
    out = pl.repeat(None, n, dtype=pl.Utf8, eager=True)
    return out.scatter(list(text), list(text.values())) if text else out


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


#: the signatures screening calls the kernels with (:mod:`gridscout.kernels` loads them ahead)
KERNEL_SIGNATURES = [
    (_choose_members, (I8, I8, F1, F1, F1, I1, I1, B1, I2, I1, F1, F1, F1, F8, I8, F1_R, B1, F1_R, F8, F8, I1, F1, F1)),
    (_choose, (F2, I2, F1, B1, F1_R, F8, F8)),  # members of groups the grouped query does not settle
]
