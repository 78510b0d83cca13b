"""Region screening: score every H3 cell of a region and find the best contiguous candidate zones.

Pipeline (:func:`screen_region`): region polygon (``ref.boundaries``) → H3 cells whose centre is
inside it (:func:`gridscout.scoring.hexgrid.polyfill`) → cell centres → the same features as
candidate sites (the functions of :mod:`gridscout.features.sites`: zone, carbon, price, capacity
within 50 km, nearest weather station; ``locate`` with prepared-polygon lookups) → climate-statistics cooling per nearest station
(:func:`gridscout.models.climate_stats.estimate_from_stats`, PUE/WUE/free-cooling hours by ASHRAE
climate zone for the profile's cooling design; when that is unavailable the profile's cooling
fallback, the station's 1 % cooling design dry-bulb, is used) → the same profile scoring
(:func:`gridscout.scoring.engine.score_frame`) → ``surface.parquet``, ``surface.geoparquet`` and
``zones.parquet`` in ``out_dir``.

Screening requires a *pointwise* profile (every sub-criterion ``utility`` or ``minmax`` with
``lo``/``hi``): a cell's score must not depend on which other cells are scored, so that a region
run in partitions (``partition=[H3 parents]``, e.g. one Prefect task per parent on Dask) unions to
exactly the single-process surface. Ranks, Monte Carlo and zones depend on the whole population;
they are not part of the surface. With ``partition`` given, zones are not computed: call
:func:`cluster_zones` on the union of the partition surfaces.

Regions: ISO 3166 alpha-3 country (``DEU``), US state (``US-VA``), bounding box
(``bbox:minlon,minlat,maxlon,maxlat``), or a union of these joined by ``+`` (``US-VA+US-MD``).
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from gridscout.errors import GridscoutError, ProfileError
from gridscout.features.reference import Reference
from gridscout.features import sites as site_feats
from gridscout.geo.nearest import PointGroups, SphereIndex, take
from gridscout.geo.polygons import fix_antimeridian
from gridscout.scoring import hexgrid
from gridscout.scoring.engine import score_frame
from gridscout.scoring.profiles import Profile

#: Default share of the best eligible cells that may form candidate zones (top decile).
ZONE_TOP_FRACTION = 0.10


class RegionError(GridscoutError):
    """A screening region cannot be resolved to a polygon."""


@dataclass
class ScreenResult:
    """``surface``: one row per cell (``h3``, ``h3_int``, ``latitude``, ``longitude``, features, scores);
    ``zones``: candidate zones (None for a partition run); ``paths``: written files;
    ``timings_s``: wall time per stage."""

    region: str
    resolution: int
    surface: pl.DataFrame
    zones: pl.DataFrame | None
    paths: dict[str, Path]
    timings_s: dict[str, float] = field(default_factory=dict)

    @property
    def n_cells(self) -> int:
        return self.surface.height


def region_geometry(region: str, ref: Reference):
    """Shapely (Multi)Polygon in lon/lat for a region spec (see module docstring)."""
    parts = [p.strip() for p in region.split("+") if p.strip()]
    if not parts:
        raise RegionError(f"empty region {region!r}; use e.g. DEU, US-VA or bbox:5.8,50.7,7.2,51.6")
    geoms = []
    b = ref.boundaries
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
            raise RegionError(f"unknown region {p!r}; use an ISO alpha-3 country (DEU), a US state (US-VA) "
                              "or bbox:minlon,minlat,maxlon,maxlat")
        rows = b.filter((pl.col("layer") == layer) & (pl.col("code") == code)) if b.height else b
        if rows.height == 0:
            raise RegionError(f"region {p!r}: no {layer} boundary with code {code!r} in the warehouse "
                              "(ingest the 'boundaries' source)")
        geoms.extend(fix_antimeridian(g) for g in shapely.from_wkb(rows["geometry_wkb"].to_list()))
    g = shapely.union_all(shapely.make_valid(np.array(geoms, dtype=object)))
    polys = [x for x in getattr(g, "geoms", [g]) if x.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(polys)


def _climate_cooling(feat: pl.DataFrame, profile: Profile) -> pl.DataFrame:
    """Add ``pue_annual``, ``wue_onsite_l_per_kwh``, ``free_cooling_hours``, ``pue_method`` from climate
    statistics of each cell's nearest station (one estimate per station). Unchanged if unavailable."""
    try:
        from gridscout.models import climate_stats
        table = climate_stats.load_table()
    except (ImportError, FileNotFoundError, OSError, ValueError):
        return feat
    if "envelope" in table.columns:
        t2 = table.filter(pl.col("envelope") == profile.facility.envelope)
        table = t2 if t2.filter(pl.col("cooling_design") == profile.facility.cooling).height else \
            table.unique(["climate_zone", "cooling_design"], keep="first", maintain_order=True)
    st = (feat.select(pl.col("station_wmo").cast(pl.Utf8).alias("station_key"), "ashrae_climate_zone")
          .drop_nulls().unique("station_key"))
    if st.height == 0:
        return feat
    try:
        est = climate_stats.estimate_from_stats(st, profile.facility.cooling, table)
    except ValueError:
        return feat
    est = est.select(pl.col("station_key").alias("_station"), "pue_annual", "wue_onsite_l_per_kwh",
                     "free_cooling_hours", "pue_method").unique("_station")
    drop = [c for c in est.columns if c != "_station" and c in feat.columns]
    return (feat.drop(drop).with_columns(pl.col("station_wmo").cast(pl.Utf8).alias("_station"))
            .join(est, on="_station", how="left", maintain_order="left").drop("_station"))


def hexgrid_resolution(cells: np.ndarray) -> int:
    """H3 resolution of the first cell (all cells of a surface share one resolution)."""
    return int((int(cells[0]) >> 52) & 0xF)


def surface_features(cells: np.ndarray, lat: np.ndarray, lon: np.ndarray, ref: Reference,
                     profile: Profile) -> pl.DataFrame:
    """Features of every cell centre (the candidate-site features of :mod:`gridscout.features.sites`
    plus climate-statistics cooling), one row per cell, sorted by ``h3_int``."""
    cells = np.asarray(cells, dtype=np.uint64)
    base = pl.DataFrame({"h3_int": pl.Series(cells, dtype=pl.UInt64), "latitude": lat, "longitude": lon})
    # polygon lookups (shapely) and KD-tree queries (scipy) release the GIL: two threads side by side
    with ThreadPoolExecutor(max_workers=1) as pool:
        # cells sharing a coarse parent are located together where one polygon holds them all
        res = hexgrid_resolution(cells) if len(cells) else 0
        parents = hexgrid.cell_parents(cells, max(0, res - 2)) if len(cells) else None
        located = pool.submit(site_feats.locate, base, ref, groups=parents)
        names = pool.submit(lambda: hexgrid.cells_to_str(cells).alias("h3"))
        fine = PointGroups.build(lat, lon, hexgrid.cell_parents(cells, res - 1)) if res > 0 else None  # 7 per group
        near = site_feats.weather_links(site_feats.nearby_capacity(base, ref, groups=fine), ref, groups=fine)
        feat = pl.concat([located.result().insert_column(0, names.result()), near.drop(base.columns)],
                         how="horizontal")
    feat = site_feats.carbon_and_price(feat, ref)
    feat = feat.join(site_feats.zone_capacity_wide(ref), on="grid_zone", how="left", maintain_order="left")
    feat = _climate_cooling(feat, profile)
    already_sorted = len(cells) < 2 or bool(np.all(cells[1:] >= cells[:-1]))
    return feat if already_sorted else feat.sort("h3_int")


def cluster_zones(surface: pl.DataFrame, *, threshold: float | None = None,
                  top_fraction: float = ZONE_TOP_FRACTION, min_cells: int = 1,
                  places: pl.DataFrame | None = None) -> pl.DataFrame:
    """Connected groups (H3 adjacency) of the best non-excluded cells: score ≥ ``threshold`` if given,
    else the top ``top_fraction`` of eligible cells by score. One row per zone, best first.

    With ``places`` (``name``, ``latitude``, ``longitude``, ``population``: towns, e.g.
    :func:`gridscout.features.reference.read_places`), each zone is named after the town nearest its
    best cell within :data:`PLACE_MAX_KM` (``nearest_place``, ``nearest_place_km``), e.g.
    "VA: near Eden, NC (US-CAR-DUK) #2" (the zone's state, then the town's own state or country);
    otherwise by grid zone and state/country."""
    elig = surface.filter(~pl.col("excluded") & pl.col("score").is_not_null())
    cols = {"zone_id": pl.Int32, "zone_name": pl.Utf8, "n_cells": pl.Int64, "area_km2": pl.Float64,
            "mean_score": pl.Float64, "best_score": pl.Float64, "best_h3": pl.Utf8, "best_latitude": pl.Float64,
            "best_longitude": pl.Float64, "centroid_latitude": pl.Float64, "centroid_longitude": pl.Float64,
            "grid_zone": pl.Utf8, "country": pl.Utf8, "us_state": pl.Utf8, "nearest_place": pl.Utf8,
            "nearest_place_km": pl.Float64, "threshold": pl.Float64}
    if elig.height == 0:
        return pl.DataFrame(schema=cols)
    if threshold is None:
        threshold = float(elig["score"].quantile(1.0 - top_fraction, interpolation="lower"))
    sel = elig.filter(pl.col("score") >= threshold).sort("h3_int")
    cells = sel["h3_int"].to_numpy().astype(np.uint64)
    i, j = hexgrid.neighbour_pairs(cells)
    n = len(cells)
    _, label = connected_components(coo_matrix((np.ones(len(i)), (i, j)), shape=(n, n)), directed=False)
    area = np.array([hexgrid.h3n.cell_area(c, "km^2") for c in cells.tolist()])
    z = sel.select("h3", "latitude", "longitude", "score", "grid_zone", "country", "us_state").with_columns(
        pl.Series("_label", label), pl.Series("_area", area))
    mode = lambda c: pl.col(c).drop_nulls().mode().sort().first()  # noqa: E731
    zones = z.group_by("_label").agg(
        pl.len().alias("n_cells"), pl.col("_area").sum().alias("area_km2"), pl.col("score").mean().alias("mean_score"),
        pl.col("score").max().alias("best_score"),
        pl.col("h3").sort_by("score", "h3", descending=[True, False]).first().alias("best_h3"),
        pl.col("latitude").sort_by("score", "h3", descending=[True, False]).first().alias("best_latitude"),
        pl.col("longitude").sort_by("score", "h3", descending=[True, False]).first().alias("best_longitude"),
        pl.col("latitude").mean().alias("centroid_latitude"), pl.col("longitude").mean().alias("centroid_longitude"),
        mode("grid_zone").alias("grid_zone"), mode("country").alias("country"), mode("us_state").alias("us_state"),
    ).filter(pl.col("n_cells") >= min_cells).sort(["best_score", "area_km2", "best_h3"], descending=[True, True, False])
    zones = zones.with_row_index("zone_id", offset=1).with_columns(pl.col("zone_id").cast(pl.Int32))
    zones = _nearest_places(zones, places)
    where = pl.coalesce(pl.col("us_state"), pl.col("country"), pl.lit("??"))
    grid = pl.col("grid_zone").fill_null("no grid zone")
    zones = zones.with_columns(
        pl.when(pl.col("nearest_place").is_not_null())
        .then(pl.format("{}: near {}, {} ({}) #{}", where, pl.col("nearest_place"),
                        pl.col("_place_region").fill_null("?"), grid, pl.col("zone_id")))
        .otherwise(pl.format("{} {} #{}", grid, where, pl.col("zone_id"))).alias("zone_name"),
        pl.lit(threshold).alias("threshold")).drop("_place_region")
    return zones.select(list(cols))


#: a zone is named after a town only within this great-circle distance of its best cell [km]
PLACE_MAX_KM = 75.0


def _nearest_places(zones: pl.DataFrame, places: pl.DataFrame | None) -> pl.DataFrame:
    """Add ``nearest_place`` and ``nearest_place_km`` (null when no town is within PLACE_MAX_KM)."""
    if places is None or places.height == 0 or zones.height == 0:
        return zones.with_columns(pl.lit(None, pl.Utf8).alias("nearest_place"),
                                  pl.lit(None, pl.Float64).alias("nearest_place_km"),
                                  pl.lit(None, pl.Utf8).alias("_place_region"))
    i, km = SphereIndex(places["latitude"].to_numpy(), places["longitude"].to_numpy()).nearest(
        zones["best_latitude"].to_numpy(), zones["best_longitude"].to_numpy(), PLACE_MAX_KM)
    # the town's own state (US) or country: a zone near a border may be named after a town across it
    region = pl.when(pl.col("country_alpha2") == "US").then(pl.col("admin1")).otherwise(pl.col("country_alpha2"))
    picked = take(places.select(pl.col("name").cast(pl.Utf8).alias("nearest_place"),
                                region.cast(pl.Utf8).alias("_place_region")), i)
    return pl.concat([zones, picked, pl.DataFrame({"nearest_place_km": km}).fill_nan(None)], how="horizontal")


def write_geoparquet(surface: pl.DataFrame, path: Path, columns: list[str] | None = None) -> None:
    """Hexagon polygons (EPSG:4326) with the surface attributes, as GeoParquet via geopandas."""
    import geopandas as gpd

    keep = columns or [c for c in surface.columns if surface[c].dtype != pl.Object]
    polys = hexgrid.cell_polygons(surface["h3_int"].to_numpy().astype(np.uint64))
    df = surface.select(keep).with_columns(pl.col("h3_int").cast(pl.Int64)).to_pandas()
    gpd.GeoDataFrame(df, geometry=polys, crs="EPSG:4326").to_parquet(path, index=False)


def screen_region(region: str, resolution: int, profile: Profile, ref: Reference, out_dir: Path, *,
                  partition: list[str] | None = None, geoparquet: bool = True, zone_threshold: float | None = None,
                  zone_min_cells: int = 1) -> ScreenResult:
    """Score every H3 cell (``resolution`` 0–15) of ``region`` and write the surface and zones.

    Files in ``out_dir``: ``surface.parquet`` (``h3`` string, ``h3_int`` uint64, lat/lon, features,
    scores, gates), ``surface.geoparquet`` (same rows and hexagon polygons, EPSG:4326; skipped with
    ``geoparquet=False``) and ``zones.parquet`` (unless ``partition`` is given).
    """
    if not 0 <= resolution <= 15:
        raise RegionError(f"resolution must be 0..15, got {resolution}")
    if not profile.pointwise:
        bad = [f"criteria.{c.name}.sub[{i}]" for c in profile.criteria for i, s in enumerate(c.subs) if not s.pointwise]
        raise ProfileError(f"{profile.source or profile.name}: [{bad[0]}] region screening needs pointwise "
                           "normalisation (utility, or minmax with lo/hi), so cell scores do not depend on the "
                           "region or partition")
    t = {}
    t0 = time.perf_counter()
    geom = region_geometry(region, ref)
    cells, lat, lon = hexgrid.polyfill(geom, resolution, partition)
    t["polyfill"] = time.perf_counter() - t0
    t1 = time.perf_counter()
    feat = surface_features(cells, lat, lon, ref, profile)
    t["features"] = time.perf_counter() - t1
    t1 = time.perf_counter()
    surface = score_frame(feat, profile)
    t["score"] = time.perf_counter() - t1
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {"surface": out_dir / "surface.parquet"}
    t1 = time.perf_counter()
    surface.write_parquet(paths["surface"])
    t["parquet"] = time.perf_counter() - t1
    if geoparquet:
        t1 = time.perf_counter()
        paths["geoparquet"] = out_dir / "surface.geoparquet"
        write_geoparquet(surface, paths["geoparquet"])
        t["geoparquet"] = time.perf_counter() - t1
    zones = None
    if partition is None:
        t1 = time.perf_counter()
        zones = cluster_zones(surface, threshold=zone_threshold, min_cells=zone_min_cells, places=ref.places)
        paths["zones"] = out_dir / "zones.parquet"
        zones.write_parquet(paths["zones"])
        t["zones"] = time.perf_counter() - t1
    t["total"] = time.perf_counter() - t0
    return ScreenResult(region, resolution, surface, zones, paths, t)
