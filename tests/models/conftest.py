"""Shared fixtures for the physical-model tests: real weather files -> canonical hourly frame."""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl
import pvlib
import pytest

REPO = Path(__file__).resolve().parents[2]

#: station key -> (reader, relative path). Climates: cold, mild marine, hot humid, warm dry.
WEATHER_FILES = {
    "chicago": ("epw", "weather_hourly/chicago.epw"),                 # 5A cold humid (TMY3)
    "tokyo": ("epw", "weather_hourly/tokyo.epw"),                     # 3A warm humid
    "mannheim": ("epw", "weather_hourly/mannheim.epw"),               # 4A/5A temperate (DWD TRY)
    "long_beach": ("epw", "weather_hourly/long_beach_2021.epw"),      # 3B warm dry/marine
    "amsterdam": ("epw", "api_responses/pvgis_nsrdb/NLD_Amsterdam062400_IWEC.epw"),  # 4A/5A marine
    "piedmont_45n8e": ("epw", "api_responses/pvgis_nsrdb/tmy_45.000_8.000_2005_2023.epw"),  # 4A
    "greensboro": ("tmy3", "pvlib/723170TYA.CSV"),                    # 4A mixed humid
    "sand_point": ("tmy3", "pvlib/703165TY.csv"),                     # 7 subarctic marine
    "miami": ("tmy2", "pvlib/12839.tm2"),                             # 1A very hot humid
}
HOT = ("miami",)
COLD = ("chicago", "sand_point")

# EPW "missing" codes (EnergyPlus Auxiliary Programs, Weather Converter, EPW data dictionary)
_EPW_MISSING = {"temp_air": 99.9, "temp_dew": 99.9, "relative_humidity": 999, "atmospheric_pressure": 999999,
                "ghi": 9999, "dni": 9999, "dhi": 9999, "wind_speed": 999}


def _read_epw(path: Path):
    text = path.read_bytes().decode("latin-1")  # some EPWs (e.g. DWD Mannheim) are not UTF-8
    data, meta = pvlib.iotools.read_epw(io.StringIO(text))
    for col, code in _EPW_MISSING.items():
        data[col] = data[col].where(data[col] < code)
    return pd.DataFrame({
        "dry_bulb_c": data["temp_air"], "dew_point_c": data["temp_dew"], "rh_pct": data["relative_humidity"],
        "pressure_pa": data["atmospheric_pressure"], "ghi_w_per_m2": data["ghi"], "dni_w_per_m2": data["dni"],
        "dhi_w_per_m2": data["dhi"], "wind_speed_m_per_s": data["wind_speed"]}, index=data.index), meta


def _read_tmy3(path: Path):
    data, meta = pvlib.iotools.read_tmy3(str(path), map_variables=True)
    return pd.DataFrame({
        "dry_bulb_c": data["temp_air"], "dew_point_c": data["temp_dew"], "rh_pct": data["relative_humidity"],
        "pressure_pa": data["pressure"] * 100.0, "ghi_w_per_m2": data["ghi"], "dni_w_per_m2": data["dni"],
        "dhi_w_per_m2": data["dhi"], "wind_speed_m_per_s": data["wind_speed"]}, index=data.index), meta


def _read_tmy2(path: Path):
    data, meta = pvlib.iotools.read_tmy2(str(path))
    # TMY2 stores temperatures and wind speed in tenths, pressure in mbar (NREL TMY2 manual)
    return pd.DataFrame({
        "dry_bulb_c": data["DryBulb"] / 10.0, "dew_point_c": data["DewPoint"] / 10.0, "rh_pct": data["RHum"] * 1.0,
        "pressure_pa": data["Pressure"] * 100.0, "ghi_w_per_m2": data["GHI"] * 1.0, "dni_w_per_m2": data["DNI"] * 1.0,
        "dhi_w_per_m2": data["DHI"] * 1.0, "wind_speed_m_per_s": data["Wspd"] / 10.0}, index=data.index), meta


def to_canonical(df: pd.DataFrame, station_key: str) -> pl.DataFrame:
    """pandas hourly frame (tz-aware index) -> the canonical gridscout hourly weather frame."""
    idx = df.index.tz_convert("UTC")
    out = pl.from_pandas(df.reset_index(drop=True)).with_columns(pl.col(pl.Float64, pl.Int64).cast(pl.Float64))
    return out.with_columns(
        pl.lit(station_key).alias("station_key"),
        pl.Series("hour_of_year", np.arange(len(df), dtype=np.int32)),
        pl.Series("datetime_utc", idx.tz_localize(None).to_numpy().astype("datetime64[us]")).dt.replace_time_zone("UTC"),
        pl.Series("month", df.index.month.to_numpy().astype(np.int8)),
    ).select("station_key", "hour_of_year", "datetime_utc", "month", "dry_bulb_c", "dew_point_c", "rh_pct",
             "pressure_pa", "ghi_w_per_m2", "dni_w_per_m2", "dhi_w_per_m2", "wind_speed_m_per_s")


@lru_cache(maxsize=None)
def load_station(raw: Path, key: str) -> tuple[pl.DataFrame, dict]:
    """One real weather file as the canonical frame; a missing file is an error, never a skip."""
    kind, rel = WEATHER_FILES[key]
    path = raw / rel
    if not path.is_file():
        raise FileNotFoundError(f"raw weather file not found: {path} (the shared data set should have it)")
    df, meta = {"epw": _read_epw, "tmy3": _read_tmy3, "tmy2": _read_tmy2}[kind](path)
    return to_canonical(df, key), meta


@pytest.fixture(scope="session")
def weather_all(raw_dir) -> pl.DataFrame:
    """All real weather files stacked as one canonical frame."""
    return pl.concat([load_station(raw_dir, k)[0] for k in WEATHER_FILES])


@pytest.fixture(scope="session")
def station_meta(raw_dir) -> dict[str, dict]:
    return {k: load_station(raw_dir, k)[1] for k in WEATHER_FILES}
