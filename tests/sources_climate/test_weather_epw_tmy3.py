"""EnergyPlus weather zips (TMY3 + SWERA) and NSRDB header spellings → the canonical hourly frame.

Spot values are read from the files themselves and the folder README (Dulles LOCATION line and its
dry-bulb range, which match NREL's copy in the EnergyPlus repository).
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from gridscout.errors import SourceFormatError
from gridscout.sources import nsrdb, weather_epw_tmy3
from gridscout.sources.pvlib_tmy import HOURLY_COLUMNS, empty_hourly_schema

DULLES = "Sterling-Washington Dulles Intl AP 724030 (TMY3).zip"
HAVANA = "Havana-Jose Marti 782240 (SWERA).zip"
ADDIS = "Addis Ababa-Bole 634500 (SWERA).zip"


@pytest.fixture(scope="module")
def folder(raw):
    return raw / "weather_epw_tmy3"


@pytest.fixture(scope="module")
def parsed(folder):
    return weather_epw_tmy3.parse({n: folder / n for n in (DULLES, HAVANA, ADDIS)})


def test_folder_holds_106_zips_listed_in_stations_csv(folder):
    zips = sorted(p.name for p in folder.glob("*.zip"))
    listed = pl.read_csv(folder / "stations.csv")
    assert len(zips) == 106 and sorted(listed["zip"].to_list()) == zips
    assert (listed["hours"] == 8760).all()


def test_dulles_location_and_range_as_readme(parsed):
    f = parsed.tables["weather_files"].filter(pl.col("file") == DULLES).row(0, named=True)
    # LOCATION,Washington Dc Dulles IntL Ar,VA,USA,TMY3,724030,38.98,-77.47,-5.0,82.0
    assert (f["station_name"], f["wmo"], f["country"], f["data_kind"]) == (
        "Washington Dc Dulles IntL Ar", "724030", "USA", "TMY3")
    assert (f["latitude"], f["longitude"], f["utc_offset_h"], f["elevation_m"]) == (38.98, -77.47, -5.0, 82.0)
    assert f["station_key"] == "weather_epw_tmy3:Sterling-Washington Dulles Intl AP 724030 (TMY3).zip"
    h = parsed.tables["weather_hourly"].filter(pl.col("station_key") == f["station_key"])
    assert tuple(h.columns) == HOURLY_COLUMNS and dict(h.schema) == empty_hourly_schema()
    assert h.height == 8760 and h["hour_of_year"].to_list() == list(range(8760))
    assert (h["dry_bulb_c"].min(), h["dry_bulb_c"].max()) == (-16.1, 37.2)
    first = h.row(0, named=True)  # 1997,1,1,1,0,...,0.0,-5.0,66,101700: the hour 00:00-01:00 LST (UTC-5)
    assert (first["dry_bulb_c"], first["dew_point_c"], first["rh_pct"], first["pressure_pa"]) == (
        0.0, -5.0, 66.0, 101700.0)
    # stamped as the EPW reader stamps every EPW (pvlib: start of the hour), as for chicago.epw
    assert first["datetime_utc"] == dt.datetime(1997, 1, 1, 5, tzinfo=dt.UTC)


def test_swera_stations_carry_elevation(parsed, folder):
    listed = pl.read_csv(folder / "stations.csv").select("zip", "lat", "lon", "elev")
    f = parsed.tables["weather_files"].join(listed, left_on="file", right_on="zip")
    assert f.height == 3
    assert (f["latitude"] == f["lat"]).all() and (f["longitude"] == f["lon"]).all()
    assert (f["elevation_m"] == f["elev"]).all()
    addis = f.filter(pl.col("file") == ADDIS).row(0, named=True)
    assert addis["elevation_m"] == 2355.0 and addis["data_kind"] == "SWERA"
    havana = parsed.tables["weather_hourly"].filter(pl.col("station_key").str.contains("Havana"))
    # first record: 1975,1,1,1,60,...,19.0,16.0,83,101400
    assert havana.row(0, named=True)["dry_bulb_c"] == 19.0 and havana.height == 8760


def test_zip_without_epw_is_a_clear_error(tmp_path, folder):
    import zipfile
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(bad, "w") as zf:
        zf.writestr("x.stat", "not weather")
    with pytest.raises(SourceFormatError, match=r"bad\.zip.*exactly one \.epw"):
        weather_epw_tmy3.read_epw_zip(bad, "k")


@pytest.mark.parametrize("spelling", [
    {"Dew Point": "Dew_Point", "Relative Humidity": "Relative_Humidity"},
    {"Dew Point": "dew point", "Relative Humidity": "relative humidity", "Temperature": "temperature"},
])
def test_nsrdb_psm_csv_header_spellings(recorded, tmp_path, spelling):
    # the recorded PSM4 TMY response (no metadata lines) with its header line respelt, data untouched
    src = recorded / "pvgis_nsrdb" / "test_psm4_tmy-2023.csv"
    header, rest = src.read_text().split("\n", 1)
    labels = header.split(",")
    assert all(k in labels for k in spelling)
    respelt = tmp_path / "psm4_respelt.csv"
    respelt.write_text(",".join(spelling.get(c, c) for c in labels) + "\n" + rest)
    ref, _ = nsrdb.read_nsrdb_csv(src, "nsrdb:y", latitude=40.0, longitude=-105.0, utc_offset_h=-7)
    df, meta = nsrdb.read_nsrdb_csv(respelt, "nsrdb:y", latitude=40.0, longitude=-105.0, utc_offset_h=-7,
                                    elevation_m=1829.0)
    assert df.equals(ref)
    first = df.row(0, named=True)  # 2020-01-01 00:30: dew -15.1 °C, RH 73.85 %
    assert (first["dew_point_c"], first["rh_pct"]) == (-15.1, 73.85)
    assert (meta["latitude"], meta["longitude"], meta["utc_offset_h"], meta["elevation_m"]) == (
        40.0, -105.0, -7, 1829.0)


def test_nsrdb_headerless_psm3_uses_location_arguments(recorded):
    df, meta = nsrdb.read_nsrdb_csv(recorded / "pvgis_nsrdb" / "test_psm3_tmy-2017.csv", "nsrdb:z",
                                    latitude=39.74, longitude=-105.18, utc_offset_h=-7)
    assert df.height == 8760 and (meta["latitude"], meta["longitude"]) == (39.74, -105.18)
    first = df.row(0, named=True)  # 2003,1,1,0,30: -5 °C, dew -6 °C, 780 mbar (TMY record HH:30 → hour ending HH+1)
    assert (first["dry_bulb_c"], first["dew_point_c"], first["pressure_pa"]) == (-5.0, -6.0, 78000.0)
