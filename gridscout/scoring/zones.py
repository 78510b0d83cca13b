"""Candidate zones from a scored surface: connected groups (H3 adjacency) of the best cells, named
after the nearest real town."""

from __future__ import annotations

import numpy as np
import polars as pl
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from gridscout.geo import hexgrid
from gridscout.geo.nearest import SphereIndex, take

#: Default share of the best eligible cells that may form candidate zones (top decile).
ZONE_TOP_FRACTION = 0.10
#: columns :func:`cluster_zones` reads from a surface (read only these for zones)
ZONE_COLUMNS = ("h3", "h3_int", "latitude", "longitude", "score", "excluded", "grid_zone", "country", "us_state")


def cluster_zones(surface: pl.DataFrame, *, threshold: float | None = None,
                  top_fraction: float = ZONE_TOP_FRACTION, min_cells: int = 1,
                  places: pl.DataFrame | None = None) -> pl.DataFrame:
    """Connected groups (H3 adjacency) of the best non-excluded cells: score ≥ ``threshold`` if given,
    else the top ``top_fraction`` of eligible cells by score. One row per zone, best first.

    With ``places`` (``name``, ``latitude``, ``longitude``, ``population``: towns, e.g.
    :func:`gridscout.warehouse.readers.reference.read_places`), each zone is named after the town nearest its
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
