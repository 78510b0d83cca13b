"""Where a location is: country (ISO alpha-3), US state, grid zone, and whether it is on land.

Vectorised over all locations at once (STRtree point-in-polygon, prepared polygons). The one
implementation for candidate sites and screening cells. ``on_land`` is what the ``on_land`` gate
(:mod:`gridscout.scoring.gates`, always applied) reads to exclude a point "in the open sea".
"""

from __future__ import annotations

import numpy as np
import polars as pl

from gridscout.geo.nearest import take
from gridscout.geo.polygons import PolygonIndex
from gridscout.reference import Reference

#: Points outside every polygon snap to the nearest one within this many degrees (coastlines are
#: generalised at 1:50m, so a coastal city can fall a few km offshore).
COAST_SNAP_DEG = 0.15


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


def _keys(index: np.ndarray, pidx: PolygonIndex) -> pl.Series:
    """Utf8 series of ``pidx`` polygon keys for polygon indices (null where the index is −1)."""
    return take(pl.Series(pidx.keys.tolist(), dtype=pl.Utf8), index)
