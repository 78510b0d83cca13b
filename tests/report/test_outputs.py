"""GIS exports: GeoParquet readable by geopandas and DuckDB spatial, CSV, H3 surface."""

from __future__ import annotations

import json
import pathlib
import shutil

import duckdb
import geopandas as gpd
import numpy as np
import polars as pl
import pytest

from gridscout.report import write_gis_outputs


@pytest.fixture(scope="module")
def outputs(tmp_path_factory, run_dir):
    d = tmp_path_factory.mktemp("gis") / "run"
    shutil.copytree(run_dir, d)
    return d, write_gis_outputs(d)


def test_sites_geoparquet_round_trips(outputs):
    d, paths = outputs
    scores = pl.read_parquet(d / "scores.parquet")
    gdf = gpd.read_parquet(paths["sites"])
    assert gdf.crs.to_epsg() == 4326
    assert (gdf.geometry.geom_type == "Point").all()
    assert len(gdf) == scores.height
    np.testing.assert_allclose(gdf.geometry.x.to_numpy(), gdf["longitude"].to_numpy())
    np.testing.assert_allclose(gdf.geometry.y.to_numpy(), gdf["latitude"].to_numpy())
    assert gdf["site_id"].tolist() == scores["site_id"].to_list()
    assert gdf["score"].isna().sum() == scores["score"].null_count()  # nulls stay nulls


def test_duckdb_spatial_reads_sites(outputs):
    import duckdb_extension_spatial as m

    d, paths = outputs
    ext = pathlib.Path(m.__file__).parent / "extensions" / f"v{duckdb.__version__}" / "spatial.duckdb_extension"
    con = duckdb.connect()
    try:
        con.sql(f"LOAD '{ext}'")
        rows = con.execute("select count(*), max(abs(ST_X(geometry) - longitude)), max(abs(ST_Y(geometry) - latitude)), "
                           "any_value(ST_GeometryType(geometry)) from read_parquet(?)", [str(paths["sites"])]).fetchone()
    finally:
        con.close()
    assert rows[0] == pl.read_parquet(d / "scores.parquet").height
    assert rows[1] < 1e-9 and rows[2] < 1e-9
    assert str(rows[3]).upper() == "POINT"


def test_scores_csv(outputs):
    d, paths = outputs
    csv = pl.read_csv(paths["scores_csv"], infer_schema_length=None)
    scores = pl.read_parquet(d / "scores.parquet")
    assert csv.height == scores.height and csv.columns == scores.columns
    assert csv["score"].null_count() == scores["score"].null_count()


def test_surface_geoparquet_hexagons(tmp_path, run_dir):
    import h3

    d = tmp_path / "run"
    shutil.copytree(run_dir, d)
    cells = list(h3.grid_disk(h3.latlng_to_cell(60.17, 24.94, 6), 1))
    pl.DataFrame({"h3": cells, "score": [50.0] * len(cells)}).write_parquet(d / "surface.parquet")
    paths = write_gis_outputs(d)
    gdf = gpd.read_parquet(paths["surface"])
    assert gdf.crs.to_epsg() == 4326 and len(gdf) == len(cells)
    assert (gdf.geometry.geom_type == "Polygon").all()
    assert gdf.geometry.contains(gpd.points_from_xy([24.94], [60.17])[0]).sum() == 1


def test_polygon_wkb_is_shapelys():
    """The NumPy-built WKB of :func:`polygon_wkb` is byte for byte ``shapely.to_wkb`` of the same rings,
    pentagons and 10-vertex cells (crossing icosahedron edges) included."""
    import h3
    import shapely

    from gridscout.geo import hexgrid
    from gridscout.report.outputs import polygon_wkb

    cells = np.array([h3.str_to_int(c) for c in h3.grid_disk(h3.get_pentagons(7)[3], 3)], dtype=np.uint64)
    coords, offsets = hexgrid.cell_rings(cells)
    assert polygon_wkb(coords, offsets).to_pylist() == list(shapely.to_wkb(hexgrid.cell_polygons(cells)))
    assert len(polygon_wkb(np.zeros((0, 2)), np.zeros(1, dtype=np.int64))) == 0


def test_surface_geoparquet_in_row_groups_equals_geopandas(tmp_path):
    """``write_geoparquet`` (row group by row group, no shapely/pandas object per cell) gives what
    geopandas' ``to_parquet`` gives for the same cells: geometry, columns, nulls, CRS and bbox; DuckDB
    spatial reads it."""
    import duckdb_extension_spatial as m
    import h3
    import pyarrow.parquet as pq

    from gridscout.geo import hexgrid
    from gridscout.report.outputs import write_geoparquet

    cells = np.sort(np.array([h3.str_to_int(c) for c in h3.grid_disk(h3.latlng_to_cell(38.9, -77.4, 7), 6)],
                             dtype=np.uint64))
    lat, lon = hexgrid.cell_centers(cells)
    surface = pl.DataFrame({"h3": hexgrid.cells_to_str(cells), "h3_int": pl.Series(cells, dtype=pl.UInt64),
                            "latitude": lat, "longitude": lon,
                            "score": [None if i % 9 == 0 else float(i) for i in range(len(cells))],
                            "station_wmo": pl.Series(["724030" if i % 2 else None for i in range(len(cells))],
                                                     dtype=pl.Categorical)})
    ours, theirs = tmp_path / "ours.geoparquet", tmp_path / "theirs.geoparquet"
    write_geoparquet(surface, ours, rows_per_group=40)
    assert pq.ParquetFile(ours).metadata.num_row_groups > 1
    gpd.GeoDataFrame(surface.with_columns(pl.col("h3_int").cast(pl.Int64)).to_pandas(),
                     geometry=hexgrid.cell_polygons(cells), crs="EPSG:4326").to_parquet(theirs, index=False)
    a, b = gpd.read_parquet(ours), gpd.read_parquet(theirs)
    assert a.crs == b.crs and a.crs.to_epsg() == 4326 and list(a.columns) == list(b.columns)
    assert (a.geometry.values == b.geometry.values).all() and a.geometry.is_valid.all()
    for c in ("h3", "h3_int", "latitude", "score", "station_wmo"):
        assert a[c].isna().tolist() == b[c].isna().tolist()
        assert a[c].dropna().astype(str).tolist() == b[c].dropna().astype(str).tolist()
    # GeoParquet's "geo" key is in the file's key-value metadata (the spec's place, where GDAL and DuckDB read it)
    geo_a, geo_b = (json.loads(pq.ParquetFile(p).metadata.metadata[b"geo"])["columns"]["geometry"]
                    for p in (ours, theirs))
    assert geo_a["crs"] == geo_b["crs"] and geo_a["encoding"] == "WKB" and geo_a["geometry_types"] == ["Polygon"]
    assert geo_a["bbox"] == pytest.approx(geo_b["bbox"], abs=1e-12)
    ext = pathlib.Path(m.__file__).parent / "extensions" / f"v{duckdb.__version__}" / "spatial.duckdb_extension"
    con = duckdb.connect()
    try:
        con.sql(f"LOAD '{ext}'")
        n, inside = con.execute("select count(*), count(*) filter (where ST_Contains(geometry, "
                                "ST_Point(longitude, latitude))) from read_parquet(?)", [str(ours)]).fetchone()
    finally:
        con.close()
    assert n == inside == len(cells)
