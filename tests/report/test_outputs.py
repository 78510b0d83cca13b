"""GIS exports: GeoParquet readable by geopandas and DuckDB spatial, CSV, H3 surface."""

from __future__ import annotations

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
