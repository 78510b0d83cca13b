"""Hourly weather years from EnergyPlus weather (EPW) files: TMY3, TMYx, IWEC, PVGIS-TMY, ...

Reads every ``*.epw`` in the source folder with :func:`pvlib.iotools.read_epw` (Holmgren et al.,
pvlib python, JOSS 2018, doi:10.21105/joss.00884). EPW missing-value codes (EnergyPlus Auxiliary
Programs, "Weather Data Format": dry-bulb/dew point 99.9 °C, RH 999 %, pressure 999999 Pa,
radiation 9999 W/m², wind 999 m/s) become null. Leap-year files drop 29 February to keep 8,760 h.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import polars as pl

from gridscout.errors import SourceFormatError
from gridscout.sources.base import ParseResult, Publication, RawFile, SourceSpec, check_range

MISSING = {"dry_bulb_c": 99.9, "dew_point_c": 99.9, "rh_pct": 999.0, "pressure_pa": 999999.0,
           "ghi_w_per_m2": 9999.0, "dni_w_per_m2": 9999.0, "dhi_w_per_m2": 9999.0, "wind_speed_m_per_s": 999.0}
EPW_COLUMNS = {"temp_air": "dry_bulb_c", "temp_dew": "dew_point_c", "relative_humidity": "rh_pct",
               "atmospheric_pressure": "pressure_pa", "ghi": "ghi_w_per_m2", "dni": "dni_w_per_m2",
               "dhi": "dhi_w_per_m2", "wind_speed": "wind_speed_m_per_s"}


def read_epw(path: Path, station_key: str) -> tuple[pl.DataFrame, dict]:
    """One EPW file → (canonical hourly frame, metadata dict). Pure; raises SourceFormatError."""
    return read_epw_bytes(path.read_bytes(), station_key, file=path)


def read_epw_bytes(raw: bytes, station_key: str, *, file: Path | str) -> tuple[pl.DataFrame, dict]:
    """EPW content (e.g. a zip member) → (canonical hourly frame, metadata dict); ``file`` names it
    in errors. Pure; raises SourceFormatError."""
    import io

    import pvlib

    path = file
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")  # European EPWs (e.g. DWD/BBSR) name places in Latin-1
    try:
        data, meta = pvlib.iotools.read_epw(io.StringIO(text))
    except Exception as exc:  # noqa: BLE001 - pvlib raises many types on malformed files
        raise SourceFormatError(f"{path}: not a readable EPW file ({type(exc).__name__}: {exc})") from exc
    data = data[~((data.index.month == 2) & (data.index.day == 29))]
    if len(data) != 8760:
        raise SourceFormatError(f"{path}: {len(data)} hourly records; an EPW weather year has 8,760")
    tz_h = float(meta.get("TZ") or 0.0)
    df = pl.from_pandas(data[list(EPW_COLUMNS)].rename(columns=EPW_COLUMNS).reset_index(drop=True))
    utc = pl.Series("datetime_utc", data.index.tz_convert("UTC").tz_localize(None).to_numpy()) \
        .cast(pl.Datetime("us")).dt.replace_time_zone("UTC")
    df = df.with_columns(
        [pl.when(pl.col(c) >= v).then(None).otherwise(pl.col(c)).cast(pl.Float64).alias(c) for c, v in MISSING.items()]
    ).with_columns(
        pl.lit(station_key).alias("station_key"),
        pl.int_range(0, 8760, dtype=pl.Int32).alias("hour_of_year"),
        utc,
        pl.Series("month", data.index.month.to_numpy()).cast(pl.Int8),
    )
    check_range(df, "dry_bulb_c", -70, 60, file=path, row_offset=9)
    check_range(df, "rh_pct", 0, 110, file=path, row_offset=9)
    meta = {"latitude": float(meta["latitude"]), "longitude": float(meta["longitude"]),
            "elevation_m": float(meta.get("altitude") or 0.0), "utc_offset_h": tz_h,
            "station_name": meta.get("city"), "wmo": str(meta.get("WMO_code") or "") or None,
            "country": meta.get("country"), "data_kind": meta.get("data_type")}
    return df, meta


def parse(files: Mapping[str, Path]) -> ParseResult:
    frames, metas = [], []
    for name, path in sorted(files.items()):
        key = f"{SPEC.id}:{name}"
        df, meta = read_epw(path, key)
        frames.append(df)
        metas.append({"station_key": key, "file": name, "hours": df.height, **meta})
    hourly = pl.concat(frames).select(
        "station_key", "hour_of_year", "datetime_utc", "month", *EPW_COLUMNS.values())
    return ParseResult({"weather_hourly": hourly, "weather_files": pl.DataFrame(metas)})


SPEC = SourceSpec(
    id="weather_hourly",
    title="Hourly weather years (EPW)",
    authority="US DOE/NREL TMY3; climate.onebuilding.org TMYx; DWD/BBSR",
    licence="public weather data (files via ladybug-tools, AGPL-3.0)",
    homepage="https://energyplus.net/weather",
    family="climate",
    vintage="tmy",
    files=(RawFile("*.epw", url=None),),
    tables=("weather_hourly", "weather_files"),
    parse=parse,
    publication=Publication("static", "typical-year EPW files: fixed historical base"),
    notes="Any EPW dropped into <raw>/weather_hourly/ is read; per-station files are listed in "
          "weather_stations.epw_url.",
)
