"""GIS and tabular exports of a run: ``sites.geoparquet``, ``scores.csv``, ``surface.geoparquet``.

GeoParquet is written by geopandas (``to_parquet``: GeoParquet 1.x metadata, WKB geometry,
EPSG:4326 lon/lat), which DuckDB spatial and QGIS read as is.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import polars as pl
import shapely

from gridscout.geo.hexgrid import cell_polygons
from gridscout.report.rundir import ReportError, load_run
from gridscout.safe_write import write_file

SITES_FILE = "sites.geoparquet"
SCORES_CSV = "scores.csv"
SURFACE_FILE = "surface.geoparquet"
CRS = "EPSG:4326"


#: a cell starting with one of these is read as a formula by spreadsheets (OWASP "CSV Injection")
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(col: pl.Expr) -> pl.Expr:
    """Text that a spreadsheet would run as a formula, prefixed with a single quote (OWASP CSV Injection)."""
    risky = pl.lit(False)
    for p in FORMULA_PREFIXES:
        risky = risky | col.str.starts_with(p)
    return pl.when(risky).then(pl.lit("'") + col).otherwise(col)


def _csv_safe(df: pl.DataFrame) -> pl.DataFrame:
    """Flatten nested/binary columns so every value has a CSV text form (nulls stay empty); text
    cells that would start a spreadsheet formula are neutralised."""
    out = []
    for name, dtype in df.schema.items():
        if dtype == pl.Binary:
            out.append(pl.col(name).bin.encode("hex"))
        elif isinstance(dtype, (pl.List, pl.Array, pl.Struct)):
            out.append(neutralise_formula(pl.col(name).map_elements(str, return_dtype=pl.Utf8)).alias(name))
        elif dtype in (pl.Utf8, pl.Categorical, pl.Enum) or isinstance(dtype, (pl.Categorical, pl.Enum)):
            out.append(neutralise_formula(pl.col(name).cast(pl.Utf8)).alias(name))
        else:
            out.append(pl.col(name))
    return df.select(out)


def sites_geodataframe(scores: pl.DataFrame) -> gpd.GeoDataFrame:
    """Scores as point features (x = longitude, y = latitude, EPSG:4326); rows with no coordinates dropped."""
    missing = {"latitude", "longitude"} - set(scores.columns)
    if missing:
        raise ReportError(f"scores.parquet has no {', '.join(sorted(missing))} column: cannot place the sites")
    df = scores.filter(pl.col("latitude").is_not_null() & pl.col("longitude").is_not_null())
    binary = [c for c, t in df.schema.items() if t == pl.Binary]
    pdf = df.drop(binary).to_pandas()
    geom = shapely.points(df["longitude"].cast(pl.Float64).to_numpy(), df["latitude"].cast(pl.Float64).to_numpy())
    return gpd.GeoDataFrame(pdf, geometry=geom, crs=CRS)


def surface_geodataframe(surface: pl.DataFrame) -> gpd.GeoDataFrame:
    """Screening cells as H3 hexagon polygons (``h3`` column) in EPSG:4326."""
    import h3

    if "h3" not in surface.columns:
        raise ReportError("surface.parquet has no h3 column: cannot draw hexagons")
    polys = []
    for cell in surface["h3"].to_list():
        if cell is None:
            polys.append(None)
            continue
        cell = cell if isinstance(cell, str) else h3.int_to_str(int(cell))
        polys.append(shapely.Polygon([(lon, lat) for lat, lon in h3.cell_to_boundary(cell)]))
    binary = [c for c, t in surface.schema.items() if t == pl.Binary]
    return gpd.GeoDataFrame(surface.drop(binary).to_pandas(), geometry=polys, crs=CRS)


def write_gis_outputs(run_dir: str | Path) -> dict[str, Path]:
    """Write ``sites.geoparquet`` and ``scores.csv`` (and ``surface.geoparquet`` for screening runs).

    Returns ``{"sites": ..., "scores_csv": ..., ["surface": ...]}``. An existing
    ``surface.geoparquet`` (written by the screening step) is kept as is.
    """
    data = load_run(run_dir)
    out: dict[str, Path] = {}
    sites = sites_geodataframe(data.scores)
    out["sites"] = write_file(data.run_dir, SITES_FILE, lambda fh: sites.to_parquet(fh, index=False))
    out["scores_csv"] = write_file(data.run_dir, SCORES_CSV, _csv_safe(data.scores).write_csv)
    surface_path = data.run_dir / SURFACE_FILE
    if surface_path.exists():
        out["surface"] = surface_path
    elif data.surface is not None and data.surface.height and "h3" in data.surface.columns:
        surface = surface_geodataframe(data.surface)
        out["surface"] = write_file(data.run_dir, SURFACE_FILE, lambda fh: surface.to_parquet(fh, index=False))
    return out


def write_geoparquet(surface: pl.DataFrame, path: Path, columns: list[str] | None = None) -> None:
    """Hexagon polygons (EPSG:4326) with the surface attributes, as GeoParquet via geopandas."""
    keep = columns or [c for c in surface.columns if surface[c].dtype != pl.Object]
    polys = cell_polygons(surface["h3_int"].to_numpy().astype(np.uint64))
    df = surface.select(keep).with_columns(pl.col("h3_int").cast(pl.Int64)).to_pandas()
    gpd.GeoDataFrame(df, geometry=polys, crs="EPSG:4326").to_parquet(path, index=False)
