"""First-slice sources parsed from the real files: real values, not shapes."""

from __future__ import annotations

import duckdb
import polars as pl
import pytest

from gridscout.jobs.ingest import ingest_source
from gridscout.sources import get
from gridscout.sources.fetch import locate


def parse(source_id, raw_dir):
    spec = get(source_id)
    return spec.parse({f.name: f.path for f in locate(spec, raw_dir, allow_download=False)})


def test_gppd_known_plants(raw_dir):
    plants = parse("gppd", raw_dir).tables["power_plants"]
    three_gorges = plants.filter(pl.col("plant_id") == "WRI1000452").row(0, named=True)
    assert three_gorges["plant_name"] == "Three Gorges Dam"
    assert three_gorges["capacity_mw"] == 22500
    assert three_gorges["fuel"] == "hydro" and three_gorges["country"] == "CHN"
    coulee = plants.filter(pl.col("plant_name") == "Grand Coulee").row(0, named=True)
    assert coulee["capacity_mw"] == 6809 and coulee["latitude"] == pytest.approx(47.9575)
    assert plants.height == 29910


def test_zone_carbon_intensity_known_values(raw_dir):
    df = parse("carbon_yearly", raw_dir).tables["zone_carbon_yearly"]
    fr23 = df.filter((pl.col("zone_key") == "FR") & (pl.col("year") == 2023)).row(0, named=True)
    assert fr23["carbon_g_per_kwh"] == 49 and fr23["carbon_free_pct"] == 93 and fr23["carbon_basis"] == "lifecycle"
    pjm25 = df.filter((pl.col("zone_key") == "US-MIDA-PJM") & (pl.col("year") == 2025)).row(0, named=True)
    assert pjm25["carbon_g_per_kwh"] == 418


def test_eia_state_industrial_price_2019(raw_dir):
    df = parse("eia_prices", raw_dir).tables["retail_prices"]
    va = df.filter((pl.col("region_code") == "VA") & (pl.col("year") == 2019) & (pl.col("sector") == "industrial"))
    assert va.height == 1 and va["price_usd_per_mwh"][0] == pytest.approx(68.5)  # 6.85 ¢/kWh
    al_transport = df.filter((pl.col("region_code") == "AL") & (pl.col("year") == 2019) & (pl.col("sector") == "transportation"))
    assert al_transport["price_usd_per_mwh"][0] is None  # EIA's 0.0 = no sales, not a free price


def test_weather_station_index_dedup_and_design_values(raw_dir):
    df = parse("weather_stations", raw_dir).tables["weather_stations"]
    assert df["wmo"].n_unique() == df.height == 17292
    ohare = df.filter(pl.col("wmo") == "725300").row(0, named=True)
    assert ohare["cooling_design_db_c"] == 31.5 and ohare["heating_design_db_c"] == -15.3
    assert ohare["ashrae_climate_zone"].startswith("5A")
    assert ohare["file_period"] == "TMYx.2011-2025" or ohare["file_period"].endswith("2023")


def test_epw_hourly_values(raw_dir):
    r = parse("weather_hourly", raw_dir)
    hourly, files = r.tables["weather_hourly"], r.tables["weather_files"]
    chicago = hourly.filter(pl.col("station_key") == "weather_hourly:chicago.epw").sort("hour_of_year")
    assert chicago.height == 8760
    assert chicago["dry_bulb_c"][0] == -12.2 and chicago["dew_point_c"][0] == -16.1 and chicago["rh_pct"][0] == 73
    assert chicago["datetime_utc"][0].hour == 6  # 01:00 local standard time (UTC−6) is hour-ending 00:00–01:00
    meta = files.filter(pl.col("file") == "chicago.epw").row(0, named=True)
    assert meta["latitude"] == 41.98 and meta["wmo"] == "725300"
    assert files.height >= 4  # Mannheim's Latin-1 header parses too


def test_zone_polygons_locate_real_places(first_slice_db):
    from gridscout.warehouse.readers.reference import read_reference
    from gridscout.features.location import locate

    ref = read_reference(first_slice_db)
    sites = pl.DataFrame({"site_id": ["ashburn", "lulea", "paris", "singapore"],
                          "latitude": [39.04372, 65.58415, 48.85341, 1.28967],
                          "longitude": [-77.48749, 22.15465, 2.3488, 103.85007]})
    out = locate(sites, ref).sort("site_id")
    got = dict(zip(out["site_id"], zip(out["country"], out["grid_zone"], out["us_state"])))
    assert got["ashburn"] == ("USA", "US-MIDA-PJM", "VA")
    assert got["lulea"][:2] == ("SWE", "SE-SE1")  # not Russia: the antimeridian artifact is repaired
    assert got["paris"][:2] == ("FRA", "FR")
    assert got["singapore"][:2] == ("SGP", "SG")


def test_ingest_twice_changes_nothing(tmp_path, raw_dir):
    db = tmp_path / "w.duckdb"
    first = ingest_source("gppd", db=db, raw=raw_dir)
    second = ingest_source("gppd", db=db, raw=raw_dir)
    assert first.status == "loaded" and second.status == "unchanged"
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("select count(*) from power_plants").fetchone()[0] == 29910
    assert con.execute("select count(distinct load_id) from source_loads").fetchone()[0] == 1
    row = con.execute("select source_id, vintage, file, sha256, rows, url from source_loads").fetchone()
    assert row[0] == "gppd" and row[1] == "1.2.0" and len(row[3]) == 64 and row[4] == 29910
    con.close()


def test_new_vintage_sits_beside_old(tmp_path, raw_dir):
    """A release with one more year is a new vintage: both are kept, the newest is current."""
    src = raw_dir / "carbon_yearly" / "electricitymaps_yearly_zone_2021_2025.csv"
    older = tmp_path / "raw" / "carbon_yearly"
    older.mkdir(parents=True)
    real = pl.read_csv(src)
    real.filter(pl.col("year") <= 2024).write_csv(older / src.name)  # the real rows of the 2021–2024 release
    db = tmp_path / "w.duckdb"
    assert ingest_source("carbon_yearly", db=db, raw=tmp_path / "raw").vintage == "2021-2024"
    assert ingest_source("carbon_yearly", db=db, raw=raw_dir).vintage == "2021-2025"
    con = duckdb.connect(str(db), read_only=True)
    vintages = dict(con.execute("select vintage, count(*) from zone_carbon_yearly group by vintage").fetchall())
    assert vintages == {"2021-2024": real.filter(pl.col("year") <= 2024).height, "2021-2025": real.height}
    assert con.execute("select vintage from current_vintages where source_id='carbon_yearly'").fetchone()[0] == "2021-2025"
    con.close()
