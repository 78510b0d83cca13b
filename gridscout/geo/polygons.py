"""Point-in-polygon joins with a shapely STRtree (bulk, vectorised query)."""

from __future__ import annotations

import numpy as np
import shapely
from shapely import STRtree


class PolygonIndex:
    """Polygons (from WKB) with keys; ``lookup`` returns the key of the polygon holding each point."""

    def __init__(self, keys, wkb):
        keys = list(keys)
        geoms = shapely.from_wkb(list(wkb))
        ok = ~shapely.is_missing(geoms)
        self.keys = np.array(keys, dtype=object)[ok]
        self.geoms = geoms[ok]
        self.tree = STRtree(self.geoms)
        self.area = shapely.area(self.geoms)

    def lookup(self, lat_deg, lon_deg, *, nearest_within_deg: float | None = None) -> np.ndarray:
        """Key of the containing polygon per point (the smallest when polygons overlap), else None.

        With ``nearest_within_deg``, a point in no polygon takes the nearest polygon within that many
        degrees (coastal points falling just outside generalised coastlines).
        """
        pts = shapely.points(np.asarray(lon_deg, dtype=float), np.asarray(lat_deg, dtype=float))
        out = np.full(len(pts), None, dtype=object)
        if len(pts) == 0 or len(self.geoms) == 0:
            return out
        qi, ti = self.tree.query(pts, predicate="within")
        if len(qi):
            order = np.lexsort((self.area[ti], qi))  # per point, smallest polygon first
            qi, ti = qi[order], ti[order]
            first = np.unique(qi, return_index=True)[1]
            out[qi[first]] = self.keys[ti[first]]
        if nearest_within_deg:
            miss = np.flatnonzero(out == None)  # noqa: E711 - elementwise on an object array
            if len(miss):
                (qi2, ti2), dist = self.tree.query_nearest(pts[miss], max_distance=nearest_within_deg,
                                                           return_distance=True)
                _, first = np.unique(qi2, return_index=True)
                out[miss[qi2[first]]] = self.keys[ti2[first]]
        return out


def fix_antimeridian(geom):
    """Repair polygon parts that wrap the globe the wrong way (an artifact of converting rings that
    cross ±180° longitude): a part spanning more than 180° of longitude is unwrapped to 0..360°,
    cut at 180° and the eastern piece shifted back by −360°. Other parts are returned unchanged."""
    from shapely.geometry import MultiPolygon, Polygon, box

    if geom is None or geom.is_empty:
        return geom
    parts = list(geom.geoms) if hasattr(geom, "geoms") else [geom]
    out = []
    for part in parts:
        if not isinstance(part, Polygon):
            if hasattr(part, "geoms"):
                out.extend(p for p in part.geoms if isinstance(p, Polygon))
            continue
        minx, _, maxx, _ = part.bounds
        if maxx - minx <= 180:
            out.append(part)
            continue
        def unwrap(xy):
            return np.column_stack((np.where(xy[:, 0] < 0, xy[:, 0] + 360, xy[:, 0]), xy[:, 1]))

        shifted = shapely.make_valid(shapely.transform(part, unwrap))
        west = shifted.intersection(box(-180, -90, 180, 90))
        east = shapely.transform(shifted.intersection(box(180, -90, 540, 90)), lambda xy: xy - np.array([360.0, 0.0]))
        for piece in (west, east):
            if piece.is_empty:
                continue
            out.extend(p for p in (piece.geoms if hasattr(piece, "geoms") else [piece]) if isinstance(p, Polygon))
    return MultiPolygon(out) if out else geom
