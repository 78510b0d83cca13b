"""A weather file a user names for one site (candidate column ``weather_file``): recognise its format
and read it with the project's own parser for that format (no source of its own: nothing is loaded
into the warehouse).

Recognised: EnergyPlus ``.epw`` (and an EnergyPlus weather ``.zip``), NREL TMY3 CSV, NSRDB PSM
CSV (with or without its two metadata lines, ``Dew Point`` / ``Dew_Point`` spellings; without
metadata the site's coordinates stand in for the location and its time stamps are read as UTC),
PVGIS TMY JSON and CSV. Anything else is a :class:`~gridscout.errors.SourceFormatError` naming the
file and the formats accepted.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from gridscout.errors import SourceFormatError

FORMATS = "EPW (.epw or EnergyPlus .zip), TMY3 CSV, NSRDB PSM CSV, PVGIS TMY JSON/CSV"


def _first_lines(path: Path, n: int = 3) -> list[str]:
    with path.open("r", encoding="utf-8", errors="replace") as fh:
        return [fh.readline().strip() for _ in range(n)]


def read_weather_file(path: Path, station_key: str, *, latitude: float, longitude: float
                      ) -> tuple[pl.DataFrame, dict]:
    """(canonical hourly frame, weather_files metadata) of one user weather file. Pure (reads the file)."""
    from gridscout.sources import nsrdb, pvgis, pvlib_tmy, weather_epw_tmy3, weather_hourly

    path = Path(path)
    if not path.is_file():
        raise SourceFormatError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix == ".zip":
        return weather_epw_tmy3.read_epw_zip(path, station_key)
    if suffix == ".epw":
        return weather_hourly.read_epw(path, station_key)
    if suffix == ".json":
        return pvgis.read_tmy_file(path, station_key)
    lines = _first_lines(path)
    head = lines[0]
    if head.startswith(("Latitude (decimal degrees)", "time(UTC)")):
        return pvgis.parse_tmy_csv(path, station_key, latitude=latitude, longitude=longitude)
    header = ",".join(lines[:2])
    if head.startswith("Source") or ("Temperature" in header and "Year" in header and "Hour" in header):
        return nsrdb.read_nsrdb_csv(path, station_key, latitude=latitude, longitude=longitude, utc_offset_h=0.0)
    fields = head.split(",")
    if len(fields) == 7 and fields[0].strip().isdigit():  # TMY3: USAF,"name",state,TZ,lat,lon,elev
        return pvlib_tmy.read_tmy(path, station_key)
    raise SourceFormatError(f"{path}: not a recognised weather file; expected {FORMATS}")
