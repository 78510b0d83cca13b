"""NREL NSRDB PSM3/PSM4 CSV responses (hourly, half-hourly and TMY) → canonical hourly weather.

NSRDB API CSV (https://developer.nrel.gov/docs/solar/nsrdb/): two metadata lines (``Source,
Location ID, City, State, Country, Latitude, Longitude, Time Zone, Elevation, ...`` and values),
then ``Year,Month,Day,Hour,Minute,<variables>``. Units (NSRDB PSM3/PSM4 user guide, Sengupta et al.,
"The National Solar Radiation Data Base (NSRDB)", RSER 89 (2018) 51–60,
doi:10.1016/j.rser.2018.03.003): Temperature and Dew Point [°C], Relative Humidity [%], GHI/DNI/DHI
[W/m²], Pressure [mbar] (→ Pa ×100), Wind Speed [m/s]. Times are in the metadata ``Time Zone``
(local standard time unless requested in UTC).

pvlib 0.16 has no ``read_psm3`` any more; :func:`pvlib.iotools.read_nsrdb_psm4` needs the metadata
lines. This parser reads both the API layout and headerless dumps (the recorded pvlib test files,
which lost their metadata lines): for those the caller must give ``latitude``, ``longitude`` and
``utc_offset_h``; the file source rejects them, since their location is unknown.

Half-hourly data are averaged to hours. Every hour is stamped at its end (hour-ending), like EPW
and TMY3: records ``HH:00``/``HH:30`` (or a TMY's ``HH:30``) describe the hour ending ``HH+1:00``.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from pathlib import Path

import pandas as pd
import polars as pl

from gridscout.errors import SourceFormatError
from gridscout.sources.base import ParseResult, Publication, RawFile, SourceSpec, looks_like_html
from gridscout.sources.pvlib_tmy import canonical_hourly, parse_weather_files

VARIABLES = {"Temperature": "dry_bulb_c", "Dew Point": "dew_point_c", "Relative Humidity": "rh_pct",
             "Pressure": "pressure_pa", "GHI": "ghi_w_per_m2", "DNI": "dni_w_per_m2", "DHI": "dhi_w_per_m2",
             "Wind Speed": "wind_speed_m_per_s"}
SCALE = {"pressure_pa": 100.0}
TIME_COLUMNS = ("Year", "Month", "Day", "Hour", "Minute")


def _label_key(label: object) -> str:
    return " ".join(str(label).replace("_", " ").split()).lower()


def _canonical_labels(columns) -> dict[str, str]:
    """Header renames to the NSRDB API spellings: ``Dew_Point``, ``dew point`` → ``Dew Point``,
    ``Relative_Humidity`` → ``Relative Humidity`` (downloads from the NSRDB viewer and other tools
    use underscores), matched case-insensitively on the label."""
    known = {_label_key(k): k for k in (*VARIABLES, *TIME_COLUMNS)}
    return {c: known[_label_key(c)] for c in columns if _label_key(c) in known and c != known[_label_key(c)]}


def read_nsrdb_csv(path: Path, station_key: str, *, latitude: float | None = None, longitude: float | None = None,
                   utc_offset_h: float | None = None, elevation_m: float | None = None) -> tuple[pl.DataFrame, dict]:
    """One NSRDB CSV → (canonical hourly frame, weather_files metadata). Pure.

    Metadata lines in the file win; the keyword arguments stand in for files without them.
    """
    if looks_like_html(path):
        raise SourceFormatError(f"{path}: is an HTML page, not an NSRDB CSV")
    text = path.read_text(encoding="utf-8", errors="replace")
    lines = text.splitlines()
    meta: dict[str, str] = {}
    skip = 0
    if lines and lines[0].startswith("Source"):
        meta = dict(zip(lines[0].split(","), lines[1].split(","), strict=False))
        skip = 2
    data = pd.read_csv(io.StringIO("\n".join(lines[skip:])))
    data = data.loc[:, [c for c in data.columns if not str(c).startswith("Unnamed")]]
    data = data.rename(columns=_canonical_labels(data.columns))
    missing = [c for c in (*TIME_COLUMNS[:4], "Temperature", "GHI") if c not in data.columns]
    if missing:
        raise SourceFormatError(f"{path}: missing NSRDB column(s) {missing}; found {list(data.columns)[:20]}")
    lat = float(meta["Latitude"]) if "Latitude" in meta else latitude
    lon = float(meta["Longitude"]) if "Longitude" in meta else longitude
    tz = float(meta["Time Zone"]) if "Time Zone" in meta else utc_offset_h
    elev = float(meta["Elevation"]) if meta.get("Elevation") else elevation_m
    if lat is None or lon is None or tz is None:
        raise SourceFormatError(f"{path}: no NSRDB metadata lines (Latitude, Longitude, Time Zone); "
                                "the location of this file is unknown")
    values = {dst: pd.to_numeric(data[src], errors="coerce") * SCALE.get(dst, 1.0)
              for src, dst in VARIABLES.items() if src in data.columns}
    hourly = pd.DataFrame(values)
    for c in TIME_COLUMNS[:4]:
        hourly[c] = data[c].astype(int)
    hourly = hourly.groupby(list(TIME_COLUMNS[:4]), sort=False).mean().reset_index()
    start = pd.to_datetime(hourly[list(TIME_COLUMNS[:4])].rename(columns=str.lower))
    local = pd.DatetimeIndex(start + pd.Timedelta(hours=1)).tz_localize(f"Etc/GMT{-int(tz):+d}" if tz else "UTC")
    df = canonical_hourly(station_key, local, {c: hourly[c].to_numpy() for c in values}, file=path,
                          month=hourly["Month"].to_numpy(), row_offset=skip + 2)
    info = {"station_name": meta.get("Location ID") and f"NSRDB {meta.get('Location ID')}", "wmo": None,
            "country": meta.get("Country") or None, "latitude": lat, "longitude": lon, "elevation_m": elev,
            "utc_offset_h": tz, "data_kind": f"NSRDB {meta.get('Source', '').strip() or 'PSM'}"}
    return df, info


def parse(files: Mapping[str, Path]) -> ParseResult:
    return parse_weather_files(files, SPEC.id, read_nsrdb_csv, unlocated="location of this file is unknown",
                               unlocated_rows=lambda path: max(sum(1 for _ in path.open("rb")) - 1, 0),
                               unlocated_reason="no NSRDB metadata lines, location unknown")


SPEC = SourceSpec(
    id="nsrdb",
    title="NREL National Solar Radiation Database (PSM3/PSM4) CSV downloads",
    authority="US DOE National Renewable Energy Laboratory (NREL)",
    licence="US public domain (NREL NSRDB)",
    homepage="https://nsrdb.nrel.gov/",
    family="climate",
    vintage="recorded",
    files=(RawFile("*psm*.csv", url=None, required=False),),
    tables=("weather_hourly", "weather_files"),
    parse=parse,
    publication=Publication("static", "NSRDB recorded or typical years: past weather does not change"),
    notes="NSRDB downloads need an NREL API key and e-mail; save the CSVs into <raw>/nsrdb/.",
)
