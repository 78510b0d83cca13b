"""Köppen–Geiger zones come from the warehouse alone: the raster is loaded (source koppen) and each
station's zone is derived in the load's transaction (gridscout.warehouse.derived), whichever of the
two sources loads first; retiring either keeps the derived table in step; a run never reads the raw
folder for them (one warehouse, one answer, with or without GRIDSCOUT_RAW_DIR)."""

from __future__ import annotations

import io
import shutil

import polars as pl
import pytest

from gridscout.errors import SourceFormatError
from gridscout.sources import koppen
from gridscout.warehouse.db import connect, open_warehouse
from gridscout.warehouse.load import retire
from tests.warehouses import build_warehouse


def _derived(db) -> pl.DataFrame:
    con = connect(db, read_only=True)
    try:
        return con.sql("select wmo, latitude, longitude, koppen_zone, stations_vintage, koppen_vintage "
                       "from station_koppen_zones order by wmo").pl()
    finally:
        con.close()


@pytest.fixture(scope="module")
def stations_first(tmp_path_factory, raw_dir):
    return build_warehouse(tmp_path_factory.mktemp("kg") / "a.duckdb", raw_dir, ["weather_stations", "koppen"])


def test_each_station_gets_its_raster_zone_whichever_source_loads_first(stations_first, raw_dir, tmp_path):
    a = _derived(stations_first)
    b = _derived(build_warehouse(tmp_path / "b.duckdb", raw_dir, ["koppen", "weather_stations"]))
    assert a.height == b.height > 17_000  # every station of the index (17,292 in the shared data)
    assert a.equals(b)
    assert a["koppen_zone"].null_count() == 0
    assert set(a["koppen_vintage"]) == {koppen.SPEC.vintage}
    # the same zones as the raster file's own lookup (coastal search included)
    want = koppen.koppen_zones(a["latitude"].to_numpy(), a["longitude"].to_numpy(), raw=raw_dir)
    assert a["koppen_zone"].to_list() == want
    z = dict(zip(a["wmo"], a["koppen_zone"]))
    assert z["725300"] == "Dfa" and z["722780"] == "BWh"  # Chicago O'Hare, Phoenix Sky Harbor


def test_a_run_reads_zones_from_the_warehouse_not_the_raw_folder(stations_first, tmp_path, monkeypatch):
    from gridscout.warehouse.readers.reference import read_reference

    monkeypatch.setenv("GRIDSCOUT_RAW_DIR", str(tmp_path / "no_raw_data_here"))
    st = read_reference(stations_first).stations
    assert st["koppen_zone"].null_count() == 0
    assert st["wmo"].to_list() == sorted(st["wmo"].to_list())  # a stable order for nearest-station ties
    assert dict(zip(st["wmo"], st["koppen_zone"]))["725300"] == "Dfa"


def test_retiring_koppen_empties_the_zones_and_reloading_restores_them(raw_dir, tmp_path):
    from gridscout.jobs.ingest import ingest_source
    from gridscout.warehouse.readers.reference import read_reference

    db = build_warehouse(tmp_path / "r.duckdb", raw_dir, ["weather_stations", "koppen"])
    before = _derived(db)
    with open_warehouse(db) as con:
        retire(con, koppen.SPEC, koppen.SPEC.vintage)
    assert _derived(db).is_empty()
    st = read_reference(db).stations
    assert st.height == before.height and st["koppen_zone"].null_count() == st.height  # UNKNOWN, not a guess
    report = ingest_source("koppen", db=db, raw=raw_dir)
    assert report.derived == {"station_koppen_zones": before.height}
    assert _derived(db).drop("koppen_vintage").equals(before.drop("koppen_vintage"))


def test_a_bad_raster_is_refused_with_the_file_named_and_nothing_changes(stations_first, raw_dir, tmp_path):
    from gridscout.jobs.ingest import ingest_source

    bad = tmp_path / "raw" / "koppen"
    shutil.copytree(raw_dir / "koppen", bad)
    (bad / koppen.RASTER_FILE).chmod(0o644)
    (bad / koppen.RASTER_FILE).write_bytes((raw_dir / "koppen" / koppen.RASTER_FILE).read_bytes()[:5000])
    before = _derived(stations_first)
    with pytest.raises(SourceFormatError, match=koppen.RASTER_FILE):
        ingest_source("koppen", db=stations_first, raw=tmp_path / "raw", force=True)
    assert _derived(stations_first).equals(before)


def test_read_raster_names_what_is_wrong():
    from PIL import Image

    buf = io.BytesIO()
    Image.new("L", (360, 180)).save(buf, format="PNG")
    with pytest.raises(SourceFormatError, match="expected a global 1/36° grid"):
        koppen.read_raster(io.BytesIO(buf.getvalue()), name="small.png")
