"""pvlib TMY3/TMY2, PVGIS and NSRDB files → the canonical hourly frame, with real values."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from gridscout.errors import SourceFormatError
from gridscout.sources import nsrdb, pvgis, pvlib_tmy
from gridscout.sources.fetch import locate
from gridscout.sources.pvlib_tmy import HOURLY_COLUMNS, empty_hourly_schema
from gridscout.warehouse.load import load

UTC = dt.UTC
PVGIS_TMY = "tmy_45.000_8.000_2005_2023"


def _canonical(df: pl.DataFrame) -> None:
    assert tuple(df.columns) == HOURLY_COLUMNS
    assert dict(df.schema) == empty_hourly_schema()
    assert df.height == 8760 and df["hour_of_year"].to_list() == list(range(8760))
    assert df["month"].min() == 1 and df["month"].max() == 12


@pytest.fixture(scope="module")
def tmy(raw):
    files = locate(pvlib_tmy.SPEC, raw, allow_download=False)
    return pvlib_tmy.parse({f.name: f.path for f in files})


def test_pvlib_greensboro_tmy3(tmy):
    h = tmy.tables["weather_hourly"].filter(station_key="pvlib:723170TYA.CSV")
    _canonical(h)
    first = h.row(0, named=True)  # 01/01/1988 01:00 LST (UTC-5): 10.0 °C, dew 6.1, RH 77 %, 993 mbar, 6.2 m/s
    assert first["datetime_utc"] == dt.datetime(1988, 1, 1, 6, tzinfo=UTC)
    assert (first["dry_bulb_c"], first["dew_point_c"], first["rh_pct"], first["pressure_pa"],
            first["wind_speed_m_per_s"]) == (10.0, 6.1, 77.0, 99300.0, 6.2)
    assert h["dry_bulb_c"].mean() == pytest.approx(14.4218, abs=1e-3)
    assert h["dry_bulb_c"].max() == 35.6 and h["ghi_w_per_m2"].max() == 1013.0
    meta = tmy.tables["weather_files"].filter(station_key="pvlib:723170TYA.CSV").row(0, named=True)
    assert (meta["latitude"], meta["longitude"], meta["elevation_m"], meta["utc_offset_h"], meta["data_kind"]) == \
        (36.1, -79.95, 273.0, -5.0, "TMY3")
    assert "GREENSBORO" in meta["station_name"] and meta["wmo"] == "723170"


def test_pvlib_miami_tmy2_scaled_units(tmy):
    h = tmy.tables["weather_hourly"].filter(station_key="pvlib:12839.tm2")
    _canonical(h)
    first = h.row(0, named=True)  # TMY2 stores 0.1 °C / 0.1 m/s / mbar: 200 → 20.0 °C, 1017 mbar
    assert first["datetime_utc"] == dt.datetime(1962, 1, 1, 6, tzinfo=UTC)
    assert (first["dry_bulb_c"], first["dew_point_c"], first["pressure_pa"], first["wind_speed_m_per_s"]) == \
        (20.0, 15.0, 101700.0, 6.7)
    assert h["dry_bulb_c"].max() == pytest.approx(33.9)
    assert h["dry_bulb_c"].mean() == pytest.approx(24.314, abs=1e-3)
    meta = tmy.tables["weather_files"].filter(station_key="pvlib:12839.tm2").row(0, named=True)
    assert (meta["latitude"], meta["data_kind"], meta["station_name"]) == (25.8, "TMY2", "MIAMI")


def test_pvgis_tmy_json_csv_epw_agree(recorded):
    d = recorded / "pvgis_nsrdb"
    js, jmeta = pvgis.parse_tmy_json((d / f"{PVGIS_TMY}.json").read_bytes(), "pvgis:j")
    cs, cmeta = pvgis.parse_tmy_csv(d / f"{PVGIS_TMY}.csv", "pvgis:c")
    _canonical(js)
    first = js.row(0, named=True)  # "20180101:0000": T2m 2.04, RH 94.38, SP 99870, WS10m 0.75
    assert first["datetime_utc"] == dt.datetime(2018, 1, 1, 0, tzinfo=UTC)
    assert (first["dry_bulb_c"], first["rh_pct"], first["pressure_pa"], first["wind_speed_m_per_s"]) == \
        (2.04, 94.38, 99870.0, 0.75)
    nine = js.row(9, named=True)  # "20180101:0900": G(h) 149, Gb(n) 125.3, Gd(h) 117
    assert (nine["ghi_w_per_m2"], nine["dni_w_per_m2"], nine["dhi_w_per_m2"]) == (149.0, 125.3, 117.0)
    assert js["dew_point_c"].null_count() == 8760  # PVGIS publishes no dew point: null, not invented
    assert js.drop("station_key").equals(cs.drop("station_key"))
    assert (jmeta["latitude"], jmeta["longitude"], jmeta["elevation_m"]) == (45.0, 8.0, 250.0)
    assert jmeta["data_kind"] == "PVGIS-TMY (PVGIS-SARAH3/ERA5)" and jmeta["period"] == "2005-2023"
    assert (cmeta["latitude"], cmeta["longitude"]) == (45.0, 8.0)


def test_pvgis_file_source_rejects_file_without_location(recorded):
    d = recorded / "pvgis_nsrdb"
    names = [f"{PVGIS_TMY}.json", f"{PVGIS_TMY}.epw", "pvgis_tmy_test.csv"]
    res = pvgis.parse({n: d / n for n in names})
    assert res.tables["weather_files"].height == 2
    assert [r.reason for r in res.rejections] == ["pvgis_tmy_test.csv: no location in the file"]
    means = res.tables["weather_hourly"].group_by("station_key").agg(pl.col("dry_bulb_c").mean())
    assert means["dry_bulb_c"].to_list() == pytest.approx([13.5641, 13.5641], abs=1e-4)
    with pytest.raises(SourceFormatError, match="location of this TMY is unknown"):
        pvgis.parse_tmy_csv(d / "pvgis_tmy_test.csv", "k")
    df, meta = pvgis.parse_tmy_csv(d / "pvgis_tmy_test.csv", "k", latitude=45.0, longitude=8.0)
    assert df.height == 8760 and meta["latitude"] == 45.0


def test_pvgis_hourly_seriescalc(recorded):
    path = recorded / "pvgis_nsrdb" / "pvgis_hourly_Timeseries_45.000_8.000_SA2_10kWp_CIS_5_2a_2013_2014.json"
    df = pvgis.parse_hourly_json(path.read_bytes())
    assert df.height == 10
    row = df.row(9, named=True)  # "20130101:0910": P 3950.1 W, G(i) 423.28, H_sun 14.8, T2m 1.89, WS10m 0.69
    assert row["datetime_utc"] == dt.datetime(2013, 1, 1, 9, 10, tzinfo=UTC)
    assert (row["pv_power_w"], row["poa_global_w_per_m2"], row["sun_height_deg"], row["dry_bulb_c"]) == \
        (3950.1, 423.28, 14.8, 1.89)
    assert row["is_reconstructed"] is False


def test_nsrdb_psm3_half_hourly_averaged_to_hours(recorded):
    d = recorded / "pvgis_nsrdb"
    with pytest.raises(SourceFormatError, match="location of this file is unknown"):
        nsrdb.read_nsrdb_csv(d / "test_psm3_2017.csv", "k")
    df, meta = nsrdb.read_nsrdb_csv(d / "test_psm3_2017.csv", "nsrdb:x", latitude=40.0, longitude=-105.0,
                                    utc_offset_h=-7)
    _canonical(df)
    first = df.row(0, named=True)  # 00:00 -8.4 °C / 00:30 -8.7 °C; 779/778 mbar → hour ending 01:00 LST
    assert first["datetime_utc"] == dt.datetime(2017, 1, 1, 8, tzinfo=UTC)
    assert first["dry_bulb_c"] == pytest.approx(-8.55) and first["pressure_pa"] == pytest.approx(77850.0)
    assert first["rh_pct"] is None  # PSM3 2017 file has no RH column: null
    assert meta["utc_offset_h"] == -7


def test_nsrdb_psm4_tmy(recorded):
    df, _ = nsrdb.read_nsrdb_csv(recorded / "pvgis_nsrdb" / "test_psm4_tmy-2023.csv", "nsrdb:y", latitude=40.0,
                                 longitude=-105.0, utc_offset_h=-7)
    _canonical(df)
    first = df.row(0, named=True)  # 2020-01-01 00:30: -11.4 °C, dew -15.1, RH 73.85, 787 mbar, 2.9 m/s
    assert (first["dry_bulb_c"], first["dew_point_c"], first["rh_pct"], first["pressure_pa"],
            first["wind_speed_m_per_s"]) == (-11.4, -15.1, 73.85, 78700.0, 2.9)
    assert df["dry_bulb_c"].mean() == pytest.approx(7.6994, abs=1e-3)


def test_nsrdb_file_source_rejects_headerless_dumps(recorded):
    d = recorded / "pvgis_nsrdb"
    res = nsrdb.parse({p.name: p for p in sorted(d.glob("*psm*.csv"))})
    assert res.tables["weather_hourly"].height == 0
    assert {r.rows for r in res.rejections} == {17520, 8760}
    assert all("location unknown" in r.reason for r in res.rejections)


def test_weather_loads_and_reloads_idempotently(raw, warehouse, tmy):
    files = locate(pvlib_tmy.SPEC, raw, allow_download=False)
    assert load(warehouse, pvlib_tmy.SPEC, files, tmy).status == "loaded"
    assert load(warehouse, pvlib_tmy.SPEC, files, tmy).status == "unchanged"
    n, = warehouse.execute("select count(*) from weather_hourly where source_id = 'pvlib'").fetchone()
    assert n == 3 * 8760
