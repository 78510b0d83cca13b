"""GIS and tabular exports of a run: ``sites.geoparquet``, ``scores.csv``, ``surface.geoparquet``.

Sites' GeoParquet is written by geopandas (``to_parquet``: GeoParquet 1.x metadata, WKB geometry,
EPSG:4326 lon/lat); the screening surface's (millions of hexagons) by :func:`write_geoparquet`, row
group by row group with the same metadata. DuckDB spatial and QGIS read both as is.
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import polars as pl
import pyarrow as pa
import shapely

from gridscout import __version__
from gridscout.geo import hexgrid
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
        out["surface"] = write_file(data.run_dir, SURFACE_FILE, lambda fh: write_geoparquet(data.surface, fh))
    return out


#: cells per row group of ``surface.geoparquet``
GEOPARQUET_ROWS = 250_000


def write_geoparquet(surface: pl.DataFrame, dest, columns: list[str] | None = None, *,
                     rows_per_group: int = GEOPARQUET_ROWS) -> None:
    """Screening cells as H3 hexagon polygons (EPSG:4326 lon/lat) with the surface's columns, as
    GeoParquet 1.1 (``geo`` metadata: WKB encoding, Polygon, PROJJSON CRS, bbox) — what geopandas'
    ``to_parquet`` writes, read by geopandas, DuckDB spatial and QGIS as is.

    ``dest``: a path or a binary file object. Cells come from ``h3_int`` (else the ``h3`` strings);
    ``h3_int`` is written as Int64 (GIS tools read no unsigned 64-bit integers). The rings
    (:func:`~gridscout.geo.hexgrid.cell_rings`) and their WKB (:func:`polygon_wkb`) are built with
    NumPy, no shapely or pandas object per cell, and Polars writes the row groups on every core: for
    CONUS r7 (1.47 M cells) 5.3 s and +0.2 GB of peak memory, against 21 s and +4 GB through geopandas
    (``benchmarks/bench_screen.py --geoparquet``, 4 December 2026)."""
    frame, bbox = _hexagon_frame(surface, columns)
    frame.write_parquet(dest, row_group_size=rows_per_group, metadata={"geo": json.dumps(geo_metadata(bbox))})


def write_geoparquet_parts(surfaces, dest, columns: list[str] | None = None, *,
                           rows_per_group: int = GEOPARQUET_ROWS) -> int:
    """:func:`write_geoparquet` of a surface that comes in parts (``surfaces``: an iterable of frames
    with the same columns, e.g. a streamed run's ``surface/parent=<h3>/part.parquet`` read one at a
    time), as one GeoParquet file written part by part, so memory holds one part, not the surface.
    The ``geo`` metadata (bbox over all parts) is added when the last part is written. The next
    part is read and its hexagons built on a thread while one is written (both release the GIL;
    :func:`~gridscout.read_ahead.read_ahead`): CONUS r7's 25 parts (1.47 M cells, 250 MB) in 6.4 s,
    8.1 s one after the other; 0.8 GB peak in a process of its own. Returns the cells written."""
    import pyarrow.parquet as pq

    from gridscout.read_ahead import read_ahead

    def hexagon_parts():  # each non-empty part as an Arrow table with its hexagons, and its bbox
        for surface in surfaces:
            if surface.height:
                frame, bbox = _hexagon_frame(surface, columns)
                yield frame.to_arrow(), bbox

    writer, schema, box, n = None, None, None, 0
    try:
        for table, bbox in read_ahead(hexagon_parts()):
            if writer is None:
                schema = table.schema
                writer = pq.ParquetWriter(dest, schema, compression="zstd")
            elif table.schema != schema:
                table = table.cast(schema)  # e.g. a column all null in one part
            writer.write_table(table, row_group_size=rows_per_group)
            box = bbox if box is None else [min(box[0], bbox[0]), min(box[1], bbox[1]),
                                            max(box[2], bbox[2]), max(box[3], bbox[3])]
            n += table.num_rows
        if writer is None:
            raise ReportError("the surface has no cells: no GeoParquet to write")
        writer.add_key_value_metadata({"geo": json.dumps(geo_metadata(box))})
    finally:
        if writer is not None:
            writer.close()
    return n


def geo_metadata(bbox: list[float] | None) -> dict:
    """The GeoParquet 1.1 ``geo`` metadata of a surface's hexagons (``geometry``: WKB Polygons in
    EPSG:4326, PROJJSON as geopandas writes it, ``bbox`` [minx, miny, maxx, maxy] when given)."""
    crs = gpd.GeoSeries([], crs=CRS).crs.to_json_dict()
    for member in crs.get("datum_ensemble", {}).get("members", []):
        member.pop("id", None)  # as geopandas writes it: GeoParquet's PROJJSON has no ids on ensemble members
    return {"version": "1.1.0", "primary_column": "geometry",
            "columns": {"geometry": {"encoding": "WKB", "geometry_types": ["Polygon"], "crs": crs,
                                     **({"bbox": list(bbox)} if bbox is not None else {})}},
            "creator": {"library": "gridscout", "version": __version__}}


def _hexagon_frame(surface: pl.DataFrame, columns: list[str] | None = None) -> tuple[pl.DataFrame, list[float] | None]:
    """The surface's ``columns`` (default: all but Object ones; ``h3_int`` as Int64) and ``geometry``,
    each cell's hexagon as WKB, with the hexagons' bbox (None for no cells)."""
    if "h3_int" in surface.columns:
        cells = surface["h3_int"].cast(pl.UInt64).to_numpy()
    elif "h3" in surface.columns:
        cells = hexgrid.str_to_cells(surface["h3"].cast(pl.String).to_list())
    else:
        raise ReportError("the surface has no h3_int or h3 column: cannot draw hexagons")
    keep = columns or [c for c, t in surface.schema.items() if t != pl.Object]
    # columns as Series, no frame-level expression: a surface whose columns are chunked differently
    # (features joined from batches beside single-chunk scores) would be realigned into a copy
    frame = pl.DataFrame([surface[c].cast(pl.Int64) if c == "h3_int" else surface[c] for c in keep])
    coords, offsets = hexgrid.cell_rings(cells)
    bbox = [*coords.min(axis=0), *coords.max(axis=0)] if len(coords) else None
    geometry = pl.from_arrow(polygon_wkb(coords, offsets)).alias("geometry")
    del coords, offsets
    return frame.hstack([geometry]), (None if bbox is None else [float(v) for v in bbox])


def polygon_wkb(coords: np.ndarray, offsets: np.ndarray) -> pa.LargeBinaryArray:
    """ISO WKB (little-endian) of single-ring polygons — ring i is ``coords[offsets[i]:offsets[i + 1]]``,
    (x, y) rows, closed — as an Arrow binary array: per polygon a 13-byte header (byte order 1, type 3
    Polygon, 1 ring, point count) and the ring's doubles, the bytes ``shapely.to_wkb`` gives
    (``tests/report/test_outputs.py``), assembled with NumPy."""
    offsets = np.asarray(offsets, dtype=np.int64)
    n = len(offsets) - 1
    points = np.diff(offsets)
    starts = np.r_[0, np.cumsum(13 + 16 * points)]
    head = np.empty(n, dtype=np.dtype([("order", "u1"), ("type", "<u4"), ("rings", "<u4"), ("points", "<u4")]))
    head["order"], head["type"], head["rings"], head["points"] = 1, 3, 1, points
    data = np.empty(int(starts[-1]), dtype=np.uint8)
    values = np.ascontiguousarray(coords, dtype="<f8").view(np.uint8).ravel()
    for a in range(0, n, 100_000):  # in blocks: the header positions of 100 k polygons are 10 MB
        b = min(a + 100_000, n)
        block = data[starts[a]:starts[b]]
        at_head = np.zeros(len(block), dtype=bool)
        at_head[(starts[a:b, None] - starts[a] + np.arange(13)).ravel()] = True
        block[at_head] = head[a:b].view(np.uint8)
        block[~at_head] = values[16 * offsets[a]:16 * offsets[b]]
    return pa.LargeBinaryArray.from_buffers(pa.large_binary(), n, [None, pa.py_buffer(starts), pa.py_buffer(data)])
