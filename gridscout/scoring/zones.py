"""Candidate zones from a scored surface: compact, connected groups (H3 adjacency) of the best cells,
between a minimum and a maximum area, ranked one way (mean score) and named uniquely after the nearest
real town.

Steps (:func:`cluster_zones`):

1. **Select** the eligible (not excluded, scored) cells at or above the threshold: the profile's
   ``[zones] top_fraction`` of eligible cells by score unless a threshold is given.
2. **Group** them into connected components (H3 edge adjacency, ``scipy.sparse.csgraph``).
3. **Split** a component larger than ``max_area_km2`` along the H3 grid itself: its cells are grouped
   by their parent at the finest resolution whose average cell is no larger than ``max_area_km2``
   (res 5, 253 km², for the default 500 km²; H3's published average areas), and each parent's cells
   re-grouped into connected parts. Zones stay compact, so a zone's mean and range describe one place
   (the 8,686 km² "zone" of a whole Piedmont cannot be visited); the cut is the same whatever the
   region or partition, and costs one pass over the cells.
4. **Size floor**: a split-off part smaller than ``min_area_km2`` rejoins the adjacent part it shares
   most edges with; a component that is smaller than ``min_area_km2`` on its own is not a zone — a
   2-cell sliver along a state line is noise of the surface, not a site to visit.
5. **Rank** by mean score (ties: larger area, then best cell id): ``zone_id`` is that rank, the one
   order of the zones Parquet, the CLI table and the report.
6. **Name**: "<state or country>: near <town>, <town's state or country>" after the town nearest the
   zone's best cell; a name that would repeat gets the bearing and distance of the zone from the town
   ("… (14 km NE)"), then "#<rank>" if still equal — a suffix only where needed.
"""

from __future__ import annotations

import numpy as np
import polars as pl
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from gridscout.geo import hexgrid
from gridscout.geo.nearest import SphereIndex, haversine_km, take

#: Default share of the best eligible cells that may form candidate zones (top decile).
ZONE_TOP_FRACTION = 0.10
#: Default zone size bounds [km²] (profile ``[zones]``; :class:`gridscout.scoring.profiles.Zones`)
ZONE_MIN_AREA_KM2, ZONE_MAX_AREA_KM2 = 50.0, 500.0
#: columns :func:`cluster_zones` reads from a surface (read only these for zones)
ZONE_COLUMNS = ("h3", "h3_int", "latitude", "longitude", "score", "excluded", "grid_zone", "country", "us_state")
#: per-zone estimates: mean, min and max over the zone's cells (``<column>_mean`` / ``_min`` / ``_max``)
ZONE_STAT_COLUMNS = ("pue_annual", "wue_onsite_l_per_kwh", "carbon_g_per_kwh", "price_usd_per_mwh",
                     "substation_distance_km", "substation_230kv_distance_km", "substation_345kv_distance_km",
                     "capacity_weighted_mw", "firm_capacity_weighted_mw", "ba_headroom_mw_0p5pct",
                     "queue_median_years", "water_stress_score", "free_cooling_hours")
ZONE_SCHEMA = {"zone_id": pl.Int32, "zone_name": pl.Utf8, "n_cells": pl.Int64, "area_km2": pl.Float64,
               "mean_score": pl.Float64, "min_score": pl.Float64, "best_score": pl.Float64, "best_h3": pl.Utf8,
               "best_latitude": pl.Float64, "best_longitude": pl.Float64, "centroid_latitude": pl.Float64,
               "centroid_longitude": pl.Float64, "grid_zone": pl.Utf8, "country": pl.Utf8, "us_state": pl.Utf8,
               "nearest_place": pl.Utf8, "nearest_place_km": pl.Float64, "threshold": pl.Float64}


def zone_score_columns(columns) -> list[str]:
    """The surface's per-criterion sub-scores and contributions (``score_<criterion>``, ``contrib_…``), whose
    zone means a zone card shows."""
    return [c for c in columns if (c.startswith("score_") and c != "score_rests_on_unknown") or c.startswith("contrib_")]


def _components(n: int, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    return connected_components(coo_matrix((np.ones(len(i)), (i, j)), shape=(n, n)), directed=False)[1]


def _split_resolution(cell_res: int, max_area_km2: float) -> int | None:
    """Finest H3 resolution coarser than ``cell_res`` whose average cell area [km²] is ≤ ``max_area_km2``."""
    for r in range(cell_res - 1, -1, -1):
        if hexgrid.h3n.average_hexagon_area(r, "km^2") > max_area_km2:
            return r + 1 if r + 1 < cell_res else None
    return 0


def _absorb_small(label: np.ndarray, comp: np.ndarray, area: np.ndarray, i: np.ndarray, j: np.ndarray,
                  min_area: float) -> np.ndarray:
    """Merge each part under ``min_area`` into the adjacent part of the same component it shares most edges
    with, repeated until no small part has such a neighbour."""
    label = label.copy()
    for _ in range(50):
        part_area = np.bincount(label, weights=area)
        small = part_area[label[i]] < min_area
        cross = small & (label[i] != label[j]) & (comp[i] == comp[j])
        if not cross.any():
            break
        pairs = pl.DataFrame({"a": label[i[cross]], "b": label[j[cross]]}).group_by("a", "b").len()
        best = pairs.sort(["a", "len", "b"], descending=[False, True, False]).unique("a", keep="first")
        mapping = dict(zip(best["a"].to_list(), best["b"].to_list()))
        # merge one way only per round (a small part absorbed into b is not also absorbing b)
        mapping = {a: b for a, b in mapping.items() if mapping.get(b) != a or a > b}
        lut = np.arange(label.max() + 1)
        lut[np.fromiter(mapping.keys(), dtype=np.int64)] = np.fromiter(mapping.values(), dtype=np.int64)
        label = lut[label]
    return label


def zone_threshold(scores: pl.Series, top_fraction: float = ZONE_TOP_FRACTION) -> float | None:
    """The score a cell needs to be in a zone: the ``1 − top_fraction`` quantile (lower) of the eligible
    (not excluded, known) cells' scores; None when there are none."""
    q = scores.quantile(1.0 - top_fraction, interpolation="lower") if scores.len() else None
    return None if q is None else float(q)


def cluster_zones(surface: pl.DataFrame, *, threshold: float | None = None,
                  top_fraction: float = ZONE_TOP_FRACTION, min_area_km2: float = ZONE_MIN_AREA_KM2,
                  max_area_km2: float = ZONE_MAX_AREA_KM2, places: pl.DataFrame | None = None) -> pl.DataFrame:
    """Candidate zones of a scored surface (see the module docstring for the steps), one row per zone,
    ranked by mean score (``zone_id`` = rank). Columns: :data:`ZONE_SCHEMA` (areas in km², scores 0–100,
    ``min_score`` the zone's worst cell: its range is ``min_score``..``best_score``), then for each of
    :data:`ZONE_STAT_COLUMNS` the surface has, ``<column>_mean``, ``_min`` and ``_max`` over the zone's cells
    (nulls ignored; all null where no cell knows it).

    With ``places`` (``name``, ``latitude``, ``longitude``, ``population``, ``country_alpha2``, ``admin1``:
    towns, e.g. ``Reference.places``), each zone is named after the town nearest its best cell within
    :data:`PLACE_MAX_KM` (``nearest_place``, ``nearest_place_km``); otherwise by grid zone and state/country."""
    eligible = ~pl.col("excluded") & pl.col("score").is_not_null()
    scores = surface.lazy().filter(eligible).select("score").collect().to_series()
    if scores.len() == 0:
        return pl.DataFrame(schema=ZONE_SCHEMA)
    if threshold is None:
        threshold = zone_threshold(scores, top_fraction)
    del scores
    stats = [c for c in (*ZONE_STAT_COLUMNS, *zone_score_columns(surface.columns)) if c in surface.columns]
    # only the columns zones read are filtered (a surface has ~140): 1 s less at CONUS r7
    sel = (surface.lazy().filter(eligible & (pl.col("score") >= threshold))
           .select("h3", "h3_int", "latitude", "longitude", "score", "grid_zone", "country", "us_state", *stats)
           .collect().sort("h3_int"))
    cells = sel["h3_int"].to_numpy().astype(np.uint64)
    i, j = hexgrid.neighbour_pairs(cells)
    comp = _components(len(cells), i, j)
    area = hexgrid.cell_areas_km2(cells)
    label = comp.astype(np.int64)
    big = np.bincount(comp, weights=area)[comp] > max_area_km2
    split_res = _split_resolution(hexgrid.resolution_of(cells), max_area_km2) if big.any() else None
    if split_res is not None:
        tile = np.where(big, hexgrid.cell_parents(cells, split_res).astype(np.int64), -1)
        keep = tile[i] == tile[j]  # edges inside one tile of a big component, and all edges of small ones
        label = _components(len(cells), i[keep], j[keep]).astype(np.int64)
    label = _absorb_small(label, comp, area, i, j, min_area_km2)
    z = sel.drop("h3_int").with_columns(pl.Series("_label", label), pl.Series("_area", area))
    mode = lambda c: pl.col(c).drop_nulls().mode().sort().first()  # noqa: E731
    best = lambda c: pl.col(c).sort_by("score", "h3", descending=[True, False]).first()  # noqa: E731
    zones = z.group_by("_label").agg(
        pl.len().alias("n_cells"), pl.col("_area").sum().alias("area_km2"), pl.col("score").mean().alias("mean_score"),
        pl.col("score").min().alias("min_score"), pl.col("score").max().alias("best_score"),
        best("h3").alias("best_h3"), best("latitude").alias("best_latitude"), best("longitude").alias("best_longitude"),
        pl.col("latitude").mean().alias("centroid_latitude"), pl.col("longitude").mean().alias("centroid_longitude"),
        mode("grid_zone").alias("grid_zone"), mode("country").alias("country"), mode("us_state").alias("us_state"),
        *[getattr(pl.col(c).cast(pl.Float64), f)().alias(f"{c}_{f}") for c in stats for f in ("mean", "min", "max")],
    ).filter(pl.col("area_km2") >= min_area_km2 * (1 - 1e-9))
    zones = zones.sort(["mean_score", "area_km2", "best_h3"], descending=[True, True, False])
    zones = zones.with_row_index("zone_id", offset=1).with_columns(pl.col("zone_id").cast(pl.Int32))
    zones = _nearest_places(zones, places)
    extra = [f"{c}_{f}" for c in stats for f in ("mean", "min", "max")]
    return _unique_names(zones).with_columns(pl.lit(threshold).alias("threshold")).select(*ZONE_SCHEMA, *extra)


_COMPASS = ("N", "NE", "E", "SE", "S", "SW", "W", "NW")


def _bearing(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Initial great-circle bearing [deg] from point 1 to point 2."""
    p1, p2, dl = np.radians(lat1), np.radians(lat2), np.radians(lon2 - lon1)
    b = np.degrees(np.arctan2(np.sin(dl) * np.cos(p2), np.cos(p1) * np.sin(p2) - np.sin(p1) * np.cos(p2) * np.cos(dl)))
    return (b + 360.0) % 360.0


def _unique_names(zones: pl.DataFrame) -> pl.DataFrame:
    """``zone_name``: "<where>: near <town>, <region>" (or "<grid zone> <where>" without a town), then a
    bearing/distance suffix only for names that repeat, then "#<rank>" only if still repeated."""
    where = pl.coalesce(pl.col("us_state"), pl.col("country"), pl.lit("??"))
    base = zones.with_columns(
        pl.when(pl.col("nearest_place").is_not_null())
        .then(pl.format("{}: near {}, {}", where, pl.col("nearest_place"), pl.col("_place_region").fill_null("?")))
        .otherwise(pl.format("{} {}", pl.col("grid_zone").fill_null("no grid zone"), where)).alias("zone_name"))
    if base.height == 0:
        return base.drop("_place_region", "_place_lat", "_place_lon")
    has = base["_place_lat"].is_not_null().to_numpy()
    plat, plon = base["_place_lat"].fill_null(0.0).to_numpy(), base["_place_lon"].fill_null(0.0).to_numpy()
    clat, clon = base["best_latitude"].to_numpy(), base["best_longitude"].to_numpy()  # as nearest_place_km
    km = haversine_km(plat, plon, clat, clon)
    point = np.array(_COMPASS)[((_bearing(plat, plon, clat, clon) + 22.5) // 45).astype(int) % 8]
    suffix = [f" ({k:.0f} km {p})" if h else f" ({la:.2f}, {lo:.2f})"
              for k, p, h, la, lo in zip(km, point, has, clat, clon)]
    name = base["zone_name"]
    dup = name.is_duplicated()
    name = pl.Series("zone_name", [n + sfx if d else n for n, sfx, d in zip(name, suffix, dup)])
    dup = name.is_duplicated()
    name = pl.Series("zone_name", [f"{n} #{r}" if d else n for n, d, r in zip(name, dup, base["zone_id"])])
    return base.with_columns(name).drop("_place_region", "_place_lat", "_place_lon")


#: a zone is named after a town only within this great-circle distance of its best cell [km]
PLACE_MAX_KM = 75.0


def _nearest_places(zones: pl.DataFrame, places: pl.DataFrame | None) -> pl.DataFrame:
    """Add ``nearest_place`` and ``nearest_place_km`` (null when no town is within PLACE_MAX_KM)."""
    if places is None or places.height == 0 or zones.height == 0:
        return zones.with_columns(pl.lit(None, pl.Utf8).alias("nearest_place"),
                                  pl.lit(None, pl.Float64).alias("nearest_place_km"),
                                  pl.lit(None, pl.Utf8).alias("_place_region"),
                                  pl.lit(None, pl.Float64).alias("_place_lat"), pl.lit(None, pl.Float64).alias("_place_lon"))
    i, km = SphereIndex(places["latitude"].to_numpy(), places["longitude"].to_numpy()).nearest(
        zones["best_latitude"].to_numpy(), zones["best_longitude"].to_numpy(), PLACE_MAX_KM)
    # the town's own state (US) or country: a zone near a border may be named after a town across it
    region = pl.when(pl.col("country_alpha2") == "US").then(pl.col("admin1")).otherwise(pl.col("country_alpha2"))
    picked = take(places.select(pl.col("name").cast(pl.Utf8).alias("nearest_place"),
                                region.cast(pl.Utf8).alias("_place_region"),
                                pl.col("latitude").cast(pl.Float64).alias("_place_lat"),
                                pl.col("longitude").cast(pl.Float64).alias("_place_lon")), i)
    return pl.concat([zones, picked, pl.DataFrame({"nearest_place_km": km}).fill_nan(None)], how="horizontal")
