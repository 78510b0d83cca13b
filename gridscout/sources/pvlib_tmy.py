"""Hourly typical meteorological years from NREL TMY3 and TMY2 files (pvlib's bundled files).

Read with :func:`pvlib.iotools.read_tmy3` / :func:`pvlib.iotools.read_tmy2` (Holmgren et al.,
pvlib python, JOSS 2018, doi:10.21105/joss.00884). Formats: Wilcox & Marion, "Users Manual for
TMY3 Data Sets", NREL/TP-581-43156 (2008) — pressure [mbar], temperatures [°C], wind [m/s];
Marion & Urban, "User's Manual for TMY2s", NREL (1995) — dry-bulb and dew point [0.1 °C], wind
[0.1 m/s], pressure [mbar]. Both are hour-ending in local standard time; pvlib's index carries the
file's UTC offset, converted here to ``datetime_utc``. Source id ``pvlib`` (the raw folder name).

Also home of :func:`canonical_hourly`, the builder of the canonical hourly weather frame that the
other hourly sources here (PVGIS, NSRDB, NASA POWER) share.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl

from gridscout.errors import SourceFormatError
from gridscout.sources.base import ParseResult, Publication, RawFile, Rejection, SourceSpec, check_range
from gridscout.sources.weather_hourly import EPW_COLUMNS

VALUE_COLUMNS = tuple(EPW_COLUMNS.values())
HOURLY_COLUMNS = ("station_key", "hour_of_year", "datetime_utc", "month", *VALUE_COLUMNS)
#: plausible physical ranges (checked, not clipped): a value outside means a wrong unit or a bad file
RANGES = {"dry_bulb_c": (-70, 60), "dew_point_c": (-90, 40), "rh_pct": (0, 110), "pressure_pa": (30_000, 110_000),
          "ghi_w_per_m2": (-5, 1600), "dni_w_per_m2": (-5, 1600), "dhi_w_per_m2": (-5, 1200),
          "wind_speed_m_per_s": (0, 100)}
TMY3_COLUMNS = {"temp_air": "dry_bulb_c", "temp_dew": "dew_point_c", "relative_humidity": "rh_pct",
                "pressure": "pressure_pa", "ghi": "ghi_w_per_m2", "dni": "dni_w_per_m2", "dhi": "dhi_w_per_m2",
                "wind_speed": "wind_speed_m_per_s"}
TMY2_COLUMNS = {"DryBulb": "dry_bulb_c", "DewPoint": "dew_point_c", "RHum": "rh_pct", "Pressure": "pressure_pa",
                "GHI": "ghi_w_per_m2", "DNI": "dni_w_per_m2", "DHI": "dhi_w_per_m2", "Wspd": "wind_speed_m_per_s"}
TMY2_SCALE = {"dry_bulb_c": 0.1, "dew_point_c": 0.1, "wind_speed_m_per_s": 0.1, "pressure_pa": 100.0}
TMY3_SCALE = {"pressure_pa": 100.0}


def canonical_hourly(station_key: str, times: pd.DatetimeIndex, values: Mapping[str, object], *,
                     file: str | Path, month: np.ndarray | None = None, row_offset: int = 2) -> pl.DataFrame:
    """Build the canonical hourly weather frame (one weather year, 8,760 rows, file order).

    ``times`` are tz-aware timestamps (any zone) in file order; ``values`` maps canonical value
    column names to arrays (missing columns become null; NaN becomes null). 29 February of a leap
    year is dropped to keep 8,760 hours. ``month`` defaults to the month of ``times`` as given.
    """
    if times.tz is None:
        raise SourceFormatError(f"{file}: timestamps carry no time zone; cannot derive datetime_utc")
    n = len(times)
    months = np.asarray(month if month is not None else times.month)
    keep = ~((months == 2) & (np.asarray(times.day) == 29)) if n == 8784 else np.ones(n, dtype=bool)
    if int(keep.sum()) != 8760:
        raise SourceFormatError(f"{file}: {int(keep.sum())} hourly records; a weather year has 8,760 "
                                "(or 8,784 in a leap year)")
    utc = times.tz_convert("UTC").tz_localize(None)[keep].to_numpy()
    cols = {}
    for c in VALUE_COLUMNS:
        v = values.get(c)
        arr = np.full(n, np.nan) if v is None else np.asarray(v, dtype="float64")
        cols[c] = pl.Series(c, arr[keep], dtype=pl.Float64, nan_to_null=True)
    df = pl.DataFrame({
        "station_key": [station_key] * 8760,
        "hour_of_year": pl.int_range(0, 8760, dtype=pl.Int32, eager=True),
        "datetime_utc": pl.Series(utc).cast(pl.Datetime("us")).dt.replace_time_zone("UTC"),
        "month": pl.Series(months[keep]).cast(pl.Int8),
        **cols,
    })
    for c, (lo, hi) in RANGES.items():
        check_range(df, c, lo, hi, file=file, row_offset=row_offset)
    return df.select(HOURLY_COLUMNS)


def _nullify(df: pd.DataFrame, cols: Mapping[str, str], scale: Mapping[str, float]) -> dict[str, np.ndarray]:
    out = {}
    for src, dst in cols.items():
        v = pd.to_numeric(df[src], errors="coerce").to_numpy(dtype="float64")
        v = np.where((v <= -9000) | (v >= 9999), np.nan, v)  # TMY missing codes (-9900, 9999)
        out[dst] = v * scale.get(dst, 1.0)
    return out


def read_tmy(path: Path, station_key: str) -> tuple[pl.DataFrame, dict]:
    """One TMY3 (``.csv``) or TMY2 (``.tm2``) file → (canonical hourly frame, weather_files metadata)."""
    import pvlib

    tmy2 = path.suffix.lower() == ".tm2"
    try:
        if tmy2:
            data, meta = pvlib.iotools.read_tmy2(str(path))
        else:
            data, meta = pvlib.iotools.read_tmy3(str(path), map_variables=True)
    except Exception as exc:  # noqa: BLE001 - pvlib raises many types on malformed files
        raise SourceFormatError(f"{path}: not a readable {'TMY2' if tmy2 else 'TMY3'} file "
                                f"({type(exc).__name__}: {exc})") from exc
    cols, scale = (TMY2_COLUMNS, TMY2_SCALE) if tmy2 else (TMY3_COLUMNS, TMY3_SCALE)
    missing = [c for c in cols if c not in data.columns]
    if missing:
        raise SourceFormatError(f"{path}: missing column(s) {missing}")
    # Both formats label each record with the hour it *ends* (hour 1..24). pvlib's TMY3 index keeps
    # that; its TMY2 index subtracts one hour, so add it back to match EPW/TMY3 hour-ending stamps.
    times = data.index + pd.Timedelta(hours=1) if tmy2 else data.index
    # the record stamped 24:00 on 31 Dec belongs to December, not January
    month = (times - pd.Timedelta(minutes=1)).month.to_numpy()
    df = canonical_hourly(station_key, times, _nullify(data, cols, scale), file=path, month=month,
                          row_offset=3 if not tmy2 else 2)
    name = (meta.get("Name") or meta.get("City") or "").strip().strip('"')
    wmo = meta.get("USAF") or meta.get("WBAN")
    info = {"station_name": name or None, "wmo": str(wmo) if wmo else None, "country": "USA",
            "latitude": float(meta["latitude"]), "longitude": float(meta["longitude"]),
            "elevation_m": float(meta["altitude"]), "utc_offset_h": float(meta["TZ"]),
            "data_kind": "TMY2" if tmy2 else "TMY3"}
    return df, info


def files_row(station_key: str, file: str, hours: int, meta: Mapping[str, object]) -> dict:
    """A weather_files row (station_key, file, hours + the metadata columns)."""
    keys = ("station_name", "wmo", "country", "latitude", "longitude", "elevation_m", "utc_offset_h", "data_kind")
    return {"station_key": station_key, "file": file, "hours": hours, **{k: meta.get(k) for k in keys}}


WEATHER_FILES_SCHEMA = {"station_key": pl.Utf8, "file": pl.Utf8, "hours": pl.Int32, "station_name": pl.Utf8,
                        "wmo": pl.Utf8, "country": pl.Utf8, "latitude": pl.Float64, "longitude": pl.Float64,
                        "elevation_m": pl.Float64, "utc_offset_h": pl.Float64, "data_kind": pl.Utf8}


def weather_result(frames: list[pl.DataFrame], rows: list[dict], rejections=()) -> ParseResult:
    """ParseResult for weather_hourly + weather_files (empty, typed frames when nothing was read)."""
    hourly = pl.concat([f.select(HOURLY_COLUMNS) for f in frames]) if frames else pl.DataFrame(schema=empty_hourly_schema())
    files = pl.DataFrame(rows, schema=WEATHER_FILES_SCHEMA)
    return ParseResult({"weather_hourly": hourly, "weather_files": files}, rejections=list(rejections))


def empty_hourly_schema() -> dict:
    return {"station_key": pl.Utf8, "hour_of_year": pl.Int32, "datetime_utc": pl.Datetime("us", "UTC"),
            "month": pl.Int8, **{c: pl.Float64 for c in VALUE_COLUMNS}}


def parse_weather_files(files: Mapping[str, Path], source_id: str, read: Callable, *,
                        unlocated: str | None = None, unlocated_rows: Callable[[Path], int] | None = None,
                        unlocated_reason: str = "no location in the file") -> ParseResult:
    """The one loop over a folder of station weather files (TMY CSV, NSRDB PSM CSV, PVGIS JSON/CSV/EPW):
    ``read(path, station_key)`` → (canonical hourly frame, metadata) per file, station key
    ``<source_id>:<file name>``. A file whose reader raises a :class:`SourceFormatError` containing
    ``unlocated`` (its location cannot be known) is rejected with ``unlocated_reason`` and
    ``unlocated_rows(path)`` rows instead of failing the source; any other format error fails it."""
    frames, rows, rejections = [], [], []
    for name, path in sorted(files.items()):
        key = f"{source_id}:{name}"
        try:
            df, meta = read(path, key)
        except SourceFormatError as exc:
            if unlocated is None or unlocated not in str(exc):
                raise
            n = unlocated_rows(path) if unlocated_rows else 8760
            rejections.append(Rejection("weather_hourly", n, f"{name}: {unlocated_reason}"))
            continue
        frames.append(df)
        rows.append(files_row(key, name, df.height, meta))
    return weather_result(frames, rows, rejections)


def parse(files: Mapping[str, Path]) -> ParseResult:
    return parse_weather_files(files, SPEC.id, read_tmy)


SPEC = SourceSpec(
    id="pvlib",
    title="NREL TMY3/TMY2 typical-year weather files (pvlib test data)",
    authority="US DOE/NREL (NSRDB TMY3 1991–2005, TMY2 1961–1990); pvlib python",
    licence="US public domain (NREL data); pvlib BSD-3-Clause",
    homepage="https://nsrdb.nrel.gov/data-sets/archives",
    family="climate",
    vintage="tmy3-tmy2",
    files=(RawFile("*TY*.[Cc][Ss][Vv]", url=None, required=False), RawFile("*.tm2", url=None, required=False)),
    tables=("weather_hourly", "weather_files"),
    parse=parse,
    publication=Publication("static", "TMY2/TMY3 typical years shipped with pvlib: fixed historical base"),
    notes="Any TMY3 CSV (<USAF>TY[A].CSV) or TMY2 (.tm2) in <raw>/pvlib/ is read; pvlib ships three.",
)
