"""Hourly weather years from the US DOE EnergyPlus weather zips: 98 US TMY3 + 8 SWERA stations.

Each zip (as published on https://energyplus.net/weather, here from an unmodified mirror) holds one
``.epw``, a ``.stat`` (ASHRAE design conditions) and a ``.ddy``. The ``.epw`` member is read with
the one EPW parser, :func:`gridscout.sources.weather_hourly.read_epw_bytes`, into the shared
``weather_hourly`` / ``weather_files`` tables (station elevation from the EPW LOCATION line).
The ``.stat`` and ``.ddy`` members are not read here.

TMY3: Wilcox, S. & Marion, W. (2008). *Users Manual for TMY3 Data Sets*, NREL/TP-581-43156
(typical months from 1991–2005). SWERA: UNEP Solar and Wind Energy Resource Assessment.
"""

from __future__ import annotations

import zipfile
from collections.abc import Mapping
from pathlib import Path

from gridscout.errors import SourceFormatError
from gridscout.sources.base import ParseResult, Publication, RawFile, SourceSpec
from gridscout.sources.pvlib_tmy import parse_weather_files
from gridscout.sources.weather_hourly import read_epw_bytes


def read_epw_zip(path: Path, station_key: str):
    """The one ``.epw`` member of an EnergyPlus weather zip → (canonical hourly frame, metadata)."""
    try:
        with zipfile.ZipFile(path) as zf:
            members = [m for m in zf.namelist() if m.lower().endswith(".epw")]
            if len(members) != 1:
                raise SourceFormatError(f"{path}: expected exactly one .epw member, found {members or 'none'}")
            raw = zf.read(members[0])
    except zipfile.BadZipFile as exc:
        raise SourceFormatError(f"{path}: not a zip archive ({exc})") from exc
    return read_epw_bytes(raw, station_key, file=f"{path}!{members[0]}")


def parse(files: Mapping[str, Path]) -> ParseResult:
    return parse_weather_files(files, SPEC.id, read_epw_zip)


SPEC = SourceSpec(
    id="weather_epw_tmy3",
    title="EnergyPlus weather files: US TMY3 data-center markets and SWERA tropical stations",
    authority="US DOE EnergyPlus weather data; NREL TMY3 (NSRDB 1991–2005); UNEP SWERA",
    licence="TMY3: US Government work (public domain); SWERA: UNEP open data",
    homepage="https://energyplus.net/weather",
    family="climate",
    vintage="tmy3-swera",
    files=(RawFile("*.zip", url=None),),
    tables=("weather_hourly", "weather_files"),
    parse=parse,
    publication=Publication("static", "TMY3/SWERA typical years: fixed historical base"),
    notes="Unmodified zips from the EnergyPlus weather site (mirror GitHub chiensiTB/EPWRawWeather @ 2aa99b5); "
          "any EnergyPlus weather zip dropped into <raw>/weather_epw_tmy3/ is read.",
)
