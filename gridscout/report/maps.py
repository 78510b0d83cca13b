"""The site map as inline SVG: boundaries from ``boundaries.parquet``, sites coloured by score.

Equirectangular projection centred on the sites' bounding box, with x scaled by cos(mid-latitude)
so shapes are not stretched. No tiles, no web fonts, no scripts: the SVG is plain markup.
"""

from __future__ import annotations

import math
from html import escape

import numpy as np
import polars as pl
import shapely

from gridscout.report.colors import UNKNOWN_FILL, gradient_stops, score_color
from gridscout.report.fields import fmt_number, is_missing

WIDTH = 960
MAX_HEX = 20_000


class Projection:
    """lon/lat [deg] -> SVG pixels for a bounding box."""

    def __init__(self, west: float, south: float, east: float, north: float, width: int = WIDTH):
        self.west, self.south, self.east, self.north = west, south, east, north
        self.kx = math.cos(math.radians(max(min((south + north) / 2, 70.0), -70.0)))
        self.scale = width / ((east - west) * self.kx)
        self.width = width
        self.height = max(int(round((north - south) * self.scale)), 120)

    def xy(self, lon, lat):
        x = (np.asarray(lon, dtype=float) - self.west) * self.kx * self.scale
        y = (self.north - np.asarray(lat, dtype=float)) * self.scale
        return x, y


def extent(lon: np.ndarray, lat: np.ndarray, pad_frac: float = 0.08,
           min_span: tuple[float, float] = (24.0, 14.0)) -> tuple[float, float, float, float]:
    """A padded bounding box (west, south, east, north) around the points [deg]."""
    lon = lon[np.isfinite(lon)]
    lat = lat[np.isfinite(lat)]
    if lon.size == 0 or lat.size == 0:
        return -180.0, -60.0, 180.0, 85.0
    w, e, s, n = float(lon.min()), float(lon.max()), float(lat.min()), float(lat.max())
    cx, cy = (w + e) / 2, (s + n) / 2
    half_x = max((e - w) * (1 + 2 * pad_frac), min_span[0]) / 2
    half_y = max((n - s) * (1 + 2 * pad_frac), min_span[1]) / 2
    w, e = max(cx - half_x, -180.0), min(cx + half_x, 180.0)
    s, n = max(cy - half_y, -85.0), min(cy + half_y, 85.0)
    return w, s, e, n


def _ring_d(coords: np.ndarray, proj: Projection) -> str:
    x, y = proj.xy(coords[:, 0], coords[:, 1])
    pts = " ".join(f"{a:.1f},{b:.1f}" for a, b in zip(x, y))
    return f"M{pts}Z"


def geometry_path(geom, proj: Projection) -> str:
    """SVG path data for a (Multi)Polygon in lon/lat."""
    parts = []
    for poly in getattr(geom, "geoms", [geom]):
        if poly.is_empty or poly.geom_type != "Polygon":
            continue
        parts.append(_ring_d(np.asarray(poly.exterior.coords), proj))
        parts.extend(_ring_d(np.asarray(r.coords), proj) for r in poly.interiors)
    return "".join(parts)


def _boundary_paths(boundaries: pl.DataFrame | None, proj: Projection) -> list[str]:
    if boundaries is None or boundaries.height == 0 or "geometry_wkb" not in boundaries.columns:
        return []
    out = []
    tol = (proj.east - proj.west) / 800.0
    geoms = shapely.from_wkb(boundaries["geometry_wkb"].to_list(), on_invalid="ignore")
    layers = boundaries["layer"].to_list() if "layer" in boundaries.columns else ["country"] * boundaries.height
    names = boundaries["name"].to_list() if "name" in boundaries.columns else [None] * boundaries.height
    # Dissolve each country's parts before drawing: the boundary files cut rings at the antimeridian
    # into parts that share long straight edges (one crossed Siberia at 65°N) with gaps of a few hundredths
    # of a degree; snapping to 0.05° (well under a pixel at any map scale drawn here) closes them.
    # Only countries reaching ±180° are cut that way (Russia, Fiji, ...): the others are left as they are.
    geoms = [shapely.union_all(shapely.get_parts(g), grid_size=0.05)
             if g is not None and not g.is_empty and hasattr(g, "geoms") and (g.bounds[0] <= -179.99 or g.bounds[2] >= 179.99)
             else g for g in geoms]
    clipped = shapely.clip_by_rect(geoms, proj.west, proj.south, proj.east, proj.north)
    clipped = shapely.simplify(clipped, tol, preserve_topology=False)
    order = sorted(range(len(layers)), key=lambda i: 0 if layers[i] == "country" else 1)
    for i in order:
        g = clipped[i]
        if g is None or g.is_empty:
            continue
        d = geometry_path(g, proj)
        if not d:
            continue
        cls = "b-state" if layers[i] == "us_state" else "b-country"
        title = f"<title>{escape(str(names[i]))}</title>" if names[i] else ""
        out.append(f'<path class="{cls}" d="{d}">{title}</path>')
    return out


def coarsen_surface(surface: pl.DataFrame, max_cells: int = MAX_HEX) -> pl.DataFrame:
    """A screening surface with more than ``max_cells`` cells as the mean ``score`` of its H3 parents at
    the finest resolution that gives at most ``max_cells`` of them (``h3_int`` of the parent, cell
    count ``n_cells``, mean ``latitude``/``longitude``), so a map of any region stays a few MB of SVG
    and every mark is a real hexagon. Smaller surfaces are returned as they are."""
    from gridscout.geo.hexgrid import cell_parents, str_to_cells

    if surface.height <= max_cells or not ({"h3_int", "h3"} & set(surface.columns)):
        return surface
    cells = (surface["h3_int"].cast(pl.UInt64).to_numpy() if "h3_int" in surface.columns
             else str_to_cells(surface["h3"].to_list()))
    res = int((int(cells[0]) >> 52) & 0xF)
    for r in range(res - 1, -1, -1):
        parents = cell_parents(cells, r)
        if np.unique(parents).size <= max_cells:
            break
    geo = [pl.col(c).mean() for c in ("latitude", "longitude") if c in surface.columns]
    return (surface.select("score", *[c for c in ("latitude", "longitude") if c in surface.columns])
            .with_columns(pl.Series("h3_int", parents))
            .group_by("h3_int").agg(pl.col("score").mean(), pl.len().alias("n_cells"), *geo).sort("h3_int"))


def _surface_marks(surface: pl.DataFrame | None, proj: Projection) -> list[str]:
    if surface is None or surface.height == 0 or "score" not in surface.columns:
        return []
    surface = coarsen_surface(surface)
    if "h3" not in surface.columns and "h3_int" in surface.columns:
        surface = surface.with_columns(pl.col("h3_int").cast(pl.UInt64).alias("h3"))
    marks = []
    scores = surface["score"].to_list()
    if "h3" in surface.columns and surface.height <= MAX_HEX:
        import h3

        for cell, sc in zip(surface["h3"].to_list(), scores):
            if cell is None:
                continue
            cell = cell if isinstance(cell, str) else h3.int_to_str(int(cell))
            ring = np.asarray([(lon, lat) for lat, lon in h3.cell_to_boundary(cell)])
            marks.append(f'<path class="hex" d="{_ring_d(ring, proj)}" fill="{score_color(sc)}"/>')
        return marks
    if {"latitude", "longitude"} <= set(surface.columns):
        x, y = proj.xy(surface["longitude"].to_numpy(), surface["latitude"].to_numpy())
        for a, b, sc in zip(x, y, scores):
            if np.isfinite(a) and np.isfinite(b):
                marks.append(f'<rect class="cell" x="{a - 1.5:.1f}" y="{b - 1.5:.1f}" width="3" height="3" '
                             f'fill="{score_color(sc)}"/>')
    return marks


def _site_marks(sites: pl.DataFrame, proj: Projection, card_ids: list[str]) -> list[str]:
    cols = sites.columns
    lat = sites["latitude"].cast(pl.Float64).to_numpy()
    lon = sites["longitude"].cast(pl.Float64).to_numpy()
    x, y = proj.xy(lon, lat)
    n = sites.height
    names = sites["site_name"].to_list() if "site_name" in cols else sites["site_id"].to_list()
    scores = sites["score"].to_list() if "score" in cols else [None] * n
    ranks = sites["rank"].to_list() if "rank" in cols else [None] * n
    excluded = sites["excluded"].to_list() if "excluded" in cols else [None] * n
    reasons = sites["exclusion_reason"].to_list() if "exclusion_reason" in cols else [None] * n
    marks_in, marks_out = [], []
    for i in range(n):
        if not (np.isfinite(x[i]) and np.isfinite(y[i])):
            continue
        label = f"{names[i]}: "
        if excluded[i]:
            label += "excluded" + (f" ({reasons[i]})" if not is_missing(reasons[i]) and reasons[i] else "")
        else:
            label += f"score {fmt_number(scores[i], 1)}, rank {fmt_number(ranks[i])}"
        title = f"<title>{escape(label)}</title>"
        href = f'href="#{card_ids[i]}"'
        if excluded[i]:
            s = 4.5
            d = (f"M{x[i] - s:.1f},{y[i] - s:.1f}L{x[i] + s:.1f},{y[i] + s:.1f}"
                 f"M{x[i] - s:.1f},{y[i] + s:.1f}L{x[i] + s:.1f},{y[i] - s:.1f}")
            marks_out.append(f'<a {href}><path class="site site-excluded" d="{d}">{title}</path></a>')
        else:
            marks_in.append(f'<a {href}><circle class="site" cx="{x[i]:.1f}" cy="{y[i]:.1f}" r="6" '
                            f'fill="{score_color(scores[i])}">{title}</circle></a>')
    return marks_out + marks_in  # scored sites on top


def site_map_svg(sites: pl.DataFrame, boundaries: pl.DataFrame | None = None,
                 surface: pl.DataFrame | None = None, card_ids: list[str] | None = None) -> str:
    """The map as an inline ``<svg>`` string (sites need ``latitude``/``longitude``)."""
    card_ids = card_ids or [f"site-{i}" for i in range(sites.height)]
    lon = sites["longitude"].cast(pl.Float64).to_numpy() if sites.height else np.array([])
    lat = sites["latitude"].cast(pl.Float64).to_numpy() if sites.height else np.array([])
    if surface is not None and surface.height and {"latitude", "longitude"} <= set(surface.columns):
        lon = np.concatenate([lon, surface["longitude"].cast(pl.Float64).to_numpy()])
        lat = np.concatenate([lat, surface["latitude"].cast(pl.Float64).to_numpy()])
    proj = Projection(*extent(lon, lat))
    legend_h = 34
    h = proj.height + legend_h
    stops = "".join(f'<stop offset="{o:.2f}" stop-color="{c}"/>' for o, c in gradient_stops())
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="map" viewBox="0 0 {proj.width} {h}" '
        f'width="100%" role="img" aria-label="Map of candidate sites coloured by score">',
        f'<defs><linearGradient id="gs-map-grad">{stops}</linearGradient>'
        f'<clipPath id="gs-map-clip"><rect width="{proj.width}" height="{proj.height}"/></clipPath></defs>',
        f'<rect class="sea" width="{proj.width}" height="{proj.height}"/>',
        '<g clip-path="url(#gs-map-clip)">',
        '<g class="boundaries">', *_boundary_paths(boundaries, proj), "</g>",
        '<g class="surface">', *_surface_marks(surface, proj), "</g>",
        '<g class="sites">', *_site_marks(sites, proj, card_ids), "</g>",
        "</g>",
        f'<g class="legend" transform="translate(10,{proj.height + 8})">',
        '<rect width="200" height="10" fill="url(#gs-map-grad)"/>',
        '<text x="0" y="22">0</text><text x="200" y="22" text-anchor="end">100 score</text>',
        f'<circle cx="230" cy="5" r="5" fill="{UNKNOWN_FILL}" stroke="#333"/><text x="240" y="9">UNKNOWN score</text>',
        '<path d="M350,1L358,9M350,9L358,1" class="site-excluded"/><text x="364" y="9">excluded</text>',
        "</g></svg>",
    ]
    return "".join(parts)
