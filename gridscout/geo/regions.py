"""Screening regions: a region spec → a lon/lat (Multi)Polygon, and the H3 parents that cover it.

Regions: ISO 3166 alpha-3 country (``DEU``), US state (``US-VA``), ``CONUS`` (the 48 contiguous
states and DC: :data:`CONUS_STATES`), bounding box (``bbox:minlon,minlat,maxlon,maxlat``), or a union
of these joined by ``+`` (``US-VA+US-MD``).
"""

from __future__ import annotations

import numpy as np
import polars as pl
import shapely

from gridscout.errors import GridscoutError
from gridscout.geo import hexgrid
from gridscout.geo.polygons import fix_antimeridian


class RegionError(GridscoutError):
    """A screening region cannot be resolved to a polygon."""


#: USPS codes of the conterminous United States (region ``CONUS``): the 48 contiguous states and the
#: District of Columbia — not Alaska, Hawaii or the territories (PR, VI, GU, AS, MP), which the Census
#: state layer also holds
CONUS_STATES = ("AL", "AR", "AZ", "CA", "CO", "CT", "DC", "DE", "FL", "GA", "IA", "ID", "IL", "IN", "KS", "KY",
                "LA", "MA", "MD", "ME", "MI", "MN", "MO", "MS", "MT", "NC", "ND", "NE", "NH", "NJ", "NM", "NV",
                "NY", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VA", "VT", "WA", "WI", "WV",
                "WY")


def region_geometry(region: str, boundaries: pl.DataFrame):
    """Shapely (Multi)Polygon in lon/lat for a region spec (see module docstring)."""
    parts = [p.strip() for p in region.split("+") if p.strip()]
    parts = [q for p in parts for q in ([f"US-{c}" for c in CONUS_STATES] if p.upper() == "CONUS" else [p])]
    if not parts:
        raise RegionError(f"empty region {region!r}; use e.g. DEU, US-VA or bbox:5.8,50.7,7.2,51.6")
    geoms = []
    b = boundaries
    for p in parts:
        if p.lower().startswith("bbox:"):
            try:
                x0, y0, x1, y1 = (float(v) for v in p[5:].split(","))
            except ValueError as exc:
                raise RegionError(f"bad bbox {p!r}; use bbox:minlon,minlat,maxlon,maxlat") from exc
            if not (-180 <= x0 < x1 <= 180 and -90 <= y0 < y1 <= 90):
                raise RegionError(f"bad bbox {p!r}: need -180 ≤ minlon < maxlon ≤ 180 and -90 ≤ minlat < maxlat ≤ 90")
            geoms.append(shapely.box(x0, y0, x1, y1))
            continue
        if p.upper().startswith("US-") and len(p) == 5:
            layer, code = "us_state", p[3:].upper()
        elif len(p) == 3 and p.isalpha():
            layer, code = "country", p.upper()
        else:
            raise RegionError(f"unknown region {p!r}; use an ISO alpha-3 country (DEU), a US state (US-VA), "
                              "CONUS or bbox:minlon,minlat,maxlon,maxlat")
        rows = b.filter((pl.col("layer") == layer) & (pl.col("code") == code)) if b.height else b
        if rows.height == 0:
            if b.height and b.filter(pl.col("layer") == layer).height:
                raise RegionError(f"unknown region {p!r}: no {layer.replace('_', ' ')} has the code {code!r} "
                                  f"(use an ISO 3166 alpha-3 country such as DEU, or US-<state> such as US-VA)")
            raise RegionError(f"region {p!r}: no {layer} boundaries in the warehouse "
                              "(run `gridscout ingest boundaries`)")
        geoms.extend(fix_antimeridian(g) for g in shapely.from_wkb(rows["geometry_wkb"].to_list()))
    g = shapely.union_all(shapely.make_valid(np.array(geoms, dtype=object)))
    polys = [x for x in getattr(g, "geoms", [g]) if x.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(polys)


def region_parents(geom, partitions_resolution: int) -> list[str]:
    """H3 cells at ``partitions_resolution`` that may hold cells of the region ``geom`` (a superset:
    the cover in ``overlap`` mode plus one ring, since fine cells are not exactly nested in their
    ancestors). Partitions that turn out empty write no file."""
    import h3

    cover = set(h3.h3shape_to_cells_experimental(hexgrid.to_h3shape(geom), partitions_resolution, "overlap"))
    if not cover:
        p = geom.representative_point()
        cover = {h3.latlng_to_cell(p.y, p.x, partitions_resolution)}
    return sorted({n for c in cover for n in h3.grid_disk(c, 1)})
