"""Where a location is: country (ISO alpha-3), US state, grid zone, and whether it is on land.

Vectorised over all locations at once (STRtree point-in-polygon, prepared polygons). The one
implementation for candidate sites and screening cells. ``on_land`` is what the ``on_land`` gate
(:mod:`gridscout.scoring.gates`, always applied) reads to exclude a point "in the open sea".
"""

from __future__ import annotations

import numpy as np
import polars as pl
import shapely

from gridscout.geo.nearest import take
from gridscout.geo.polygons import PolygonIndex, cached_index
from gridscout.reference import Reference

#: Points outside every polygon snap to the nearest one within this many degrees (coastlines are
#: generalised at 1:50m, so a coastal city can fall a few km offshore).
COAST_SNAP_DEG = 0.15


def locate(sites: pl.DataFrame, ref: Reference, *, groups=None) -> pl.DataFrame:
    """Add ``country`` (ISO alpha-3), ``us_state``, ``grid_zone``, ``zone_name`` and ``on_land`` (in a
    country, or within :data:`COAST_SNAP_DEG` of one). The grid zone respects borders: a point takes a
    zone of its own country where one exists (:func:`own_country_zones`).

    ``groups`` (optional integer label per location, e.g. coarse H3 parents of screening cells, or a
    tuple of such labels from coarse to fine) lets whole groups be located at once; the result is the
    same (see PolygonIndex.lookup)."""
    lat, lon = sites["latitude"].to_numpy(), sites["longitude"].to_numpy()
    levels = groups if isinstance(groups, tuple) else (groups,)
    grp = None if groups is None else tuple(np.asarray(g) for g in levels)
    n = sites.height
    b = ref.boundaries
    country = state = zone = pl.Series([None] * n, dtype=pl.Utf8)
    on_land = pl.Series(np.zeros(n, dtype=bool))
    point_cc = np.full(n, -1, dtype=np.int64)  # the point's country as a code of ``countries`` (−1: none)
    countries: dict[str, int] = {}  # ISO alpha-2 → code, for countries the boundaries know
    if b.height:
        cb = b.filter(pl.col("layer") == "country")
        cidx = cached_index(b, "country", lambda: PolygonIndex(cb["code"], cb["geometry_wkb"]))
        ci = cidx.lookup_index(lat, lon, groups=grp)
        on_land = pl.Series(ci >= 0)
        miss = np.flatnonzero(ci < 0)
        if len(miss):
            ci[miss] = cidx.snap_index(lat[miss], lon[miss], COAST_SNAP_DEG)
        country = _keys(ci, cidx)
        iso_of = dict(zip(cb["code"].to_list(), cb["iso_a2"].to_list()))
        countries = {c: i for i, c in enumerate(sorted({v for v in iso_of.values() if v}))}
        # integer codes, not ISO strings per point: np.isin on 1.47 M object strings took 5 s at CONUS r7
        cc_of_index = np.array([countries.get(iso_of.get(k), -1) for k in cidx.keys] + [-1], dtype=np.int64)
        point_cc = cc_of_index[ci]  # index −1 takes the trailing −1
        usa_code = np.flatnonzero(cidx.keys == "USA")
        usa = np.flatnonzero(np.isin(ci, usa_code)) if len(usa_code) else np.zeros(0, dtype=np.int64)
        si = np.full(n, -1, dtype=np.int64)
        sb = b.filter(pl.col("layer") == "us_state")
        sidx = cached_index(b, "us_state", lambda: PolygonIndex(sb["code"], sb["geometry_wkb"]))
        if len(usa):
            sub = slice(None) if len(usa) == n else usa  # every point in the US (a US screening): views, no copies
            si[sub] = sidx.lookup_index(lat[sub], lon[sub], nearest_within_deg=COAST_SNAP_DEG,
                                        groups=None if grp is None else tuple(g[sub] for g in grp))
        state = _keys(si, sidx)
    if ref.zones.height:
        z = ref.zones.filter(pl.col("geometry_wkb").is_not_null())
        zidx = cached_index(ref.zones, "zones", lambda: PolygonIndex(z["zone_key"], z["geometry_wkb"]))
        zi = zidx.lookup_index(lat, lon, nearest_within_deg=COAST_SNAP_DEG, groups=grp)
        zone_cc = dict(zip(z["zone_key"].to_list(), z["country_key"].to_list()))
        # a zone of a territory the boundaries do not know (e.g. ``GF``) gets its own code past theirs
        extra = sorted({c for c in zone_cc.values() if c and c not in countries})
        codes = countries | {c: len(countries) + i for i, c in enumerate(extra)}
        zone_code = np.array([codes.get(zone_cc.get(k), -1) for k in zidx.keys], dtype=np.int64)
        zi = own_country_zones(zi, zidx, zone_code, point_cc, len(countries), lat, lon)
        zone = _keys(zi, zidx)
        # the zone's name by its index (zone keys are unique), not by a join on the key per point
        name_of = dict(zip(ref.zones["zone_key"].to_list(), ref.zones["zone_name"].to_list()))
        zone_name = take(pl.Series([name_of.get(k) for k in zidx.keys], dtype=pl.Utf8), zi)
    else:
        zone_name = pl.Series([None] * n, dtype=pl.Utf8)
    return sites.with_columns(
        country.alias("country"), state.alias("us_state"), zone.alias("grid_zone"),
        (on_land | country.is_not_null()).alias("on_land"), zone_name.alias("zone_name"),
    )


#: A point whose own country has zones but which fell in (or snapped to) another country's zone takes
#: the nearest zone of its own country within this many degrees (≈ 110 km per degree of latitude).
OWN_ZONE_MAX_DEG = 1.0


def own_country_zones(zi: np.ndarray, zidx: PolygonIndex, zone_country: np.ndarray, point_country: np.ndarray,
                      n_known: int, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Zone index per point, corrected so a point takes a zone of its own country when one exists.

    Electricity Maps zone polygons and Natural Earth country polygons are generalised differently, so
    near a border a point can land in the neighbour's zone (a German cell by the Rhine in France's,
    Singapore's Changi in Peninsular Malaysia's) or in none (Fehmarn). Countries are integer codes
    (−1: none): ``zone_country`` per zone of ``zidx``, ``point_country`` per point; codes below
    ``n_known`` are countries the boundaries know. Where the point's country has zones and the zone
    found belongs to another known country (a zone of a territory the boundaries fold into a country,
    such as French Guiana's ``GF`` inside ``FRA``, has a code ≥ ``n_known`` and is left alone), or no
    zone was found, the point takes the zone of its own country that contains it or whose boundary is
    nearest within :data:`OWN_ZONE_MAX_DEG` (the only zone when the country has one). Otherwise the
    zone found stays. US balancing-area zones are US zones: a US point keeps its balancing area unless
    it fell in a Canadian or Mexican one. Returns indices into ``zidx`` (−1 = no zone)."""
    zi = zi.copy()
    zone_cc = np.append(zone_country, -1)[zi]  # zone index −1 → no country
    with_zones = np.zeros(max(int(zone_country.max(initial=-1)), int(point_country.max(initial=-1)), 0) + 2, bool)
    with_zones[zone_country[zone_country >= 0]] = True
    has_zones = with_zones[point_country]  # code −1 takes the trailing False
    foreign = (zone_cc >= 0) & (zone_cc < n_known) & (zone_cc != point_country)
    fix = np.flatnonzero(has_zones & ((zi < 0) | foreign))
    for cc in np.unique(point_country[fix]):
        pts = fix[point_country[fix] == cc]
        own = np.flatnonzero(zone_country == cc)
        if len(own) == 1:
            zi[pts] = own[0]
            continue
        sub = PolygonIndex([str(i) for i in own], shapely.to_wkb(zidx.geoms[own]))
        got = sub.lookup_index(lat[pts], lon[pts], nearest_within_deg=OWN_ZONE_MAX_DEG)
        zi[pts[got >= 0]] = own[got[got >= 0]]
    return zi


def _keys(index: np.ndarray, pidx: PolygonIndex) -> pl.Series:
    """Utf8 series of ``pidx`` polygon keys for polygon indices (null where the index is −1)."""
    return take(pl.Series(pidx.keys.tolist(), dtype=pl.Utf8), index)


def country_contradictions(located: pl.DataFrame, ref: Reference, row_of: dict[str, int] | None = None) -> list[str]:
    """Warnings for sites whose own ``country`` column (``country_input``, ISO alpha-2 or alpha-3)
    disagrees with where their coordinates lie, saying when swapping latitude and longitude would
    put the site in the stated country. ``row_of``: the file row of each site_id (default: frame order
from row 2)."""
    if "country_input" not in located.columns or not ref.boundaries.height:
        return []
    cb = ref.boundaries.filter(pl.col("layer") == "country")
    iso2 = dict(zip(cb["code"].to_list(), cb["iso_a2"].to_list()))
    rows = located.with_row_index("_row", offset=2).filter(
        pl.col("country_input").is_not_null() & (pl.col("country_input") != "") & pl.col("country").is_not_null())
    bad = rows.filter(~pl.struct("country_input", "country").map_elements(
        lambda r: r["country_input"] in (r["country"], iso2.get(r["country"])), return_dtype=pl.Boolean))
    if not bad.height:
        return []
    swappable = bad.filter(pl.col("latitude").abs() <= 90)
    swapped = locate(swappable.select("site_id", pl.col("longitude").alias("latitude"),
                                      pl.col("latitude").alias("longitude")), ref) if swappable.height else None
    swapped_in = {} if swapped is None else dict(zip(swapped["site_id"].to_list(), swapped["country"].to_list()))
    out = []
    for r in bad.iter_rows(named=True):
        s = swapped_in.get(r["site_id"])
        hint = (f"; with latitude and longitude swapped it would lie in {s}: are they swapped?"
                if s is not None and r["country_input"] in (s, iso2.get(s)) else "")
        row = (row_of or {}).get(r["site_id"], r["_row"])
        out.append(f"row {row} ({r['site_id']}), column 'country': {r['country_input']} but its coordinates "
                   f"({r['latitude']:g}, {r['longitude']:g}) lie in {r['country']}{hint}")
    return out
