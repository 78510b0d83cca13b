"""North American high-voltage grid from OpenStreetMap (GridKit extract): substations and lines.

GridKit's extraction of the OSM power network of the US, Canada and Mexico (~2016 planet), the same
tool and model as the European ``entsoe_gridkit``: vertices are stations and line joints (``typ``:
substation, sub_station, station, merge = stations GridKit merged, plant, joint), links are straight
segments between vertices with their voltage, length [m] and EWKT geometry. Voltages are in volts
and ``;``-separated where a station or a link (GridKit merges the OSM ways along a link and lists
their tags) carries several levels; the bus and line voltage loaded is the highest (0 V, written for
HVDC electrode lines, is "not given"). Many substations carry no voltage tag: they take the highest
voltage of their links (the README's advice; ``voltage_origin = 'lines'``). Circuits are not loaded
(null): the ``cables`` lists concatenate the merged ways' tags (up to 34 entries on one link), so
they do not count parallel circuits. The extract has no country tag and no under-construction flag
(null); DC = every listed frequency 0 Hz.

Parsed by the one GridKit parser (:mod:`gridscout.sources.gridkit`) into the same ``grid_buses`` /
``grid_lines`` tables as the European extract (its own ``source_id``).

Source: B. Wiegmans, GridKit North America high-voltage extract (2016), © OpenStreetMap contributors
(ODbL 1.0); offline copy from GitHub felixnw/powergrid @ b725cf7e (files unmodified).
Limits: 2016 OSM completeness; only ≥ ~110 kV lines; links are straight lines between vertices.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from gridscout.sources import gridkit
from gridscout.sources.base import ParseResult, Publication, RawFile, SourceSpec
from gridscout.sources.gridkit import Layout

VERTICES = "gridkit_north_america-highvoltage-vertices.csv"
LINKS = "gridkit_north_america-highvoltage-links.csv"
COMMIT = "b725cf7eb0008cb50377ffc4045b2f0a32b66e17"
BASE_URL = f"https://raw.githubusercontent.com/felixnw/powergrid/{COMMIT}/data/"
#: OSM vertex types that are stations (``merge``: stations GridKit merged into one; ``plant`` is a
#: generating station's own terminal and ``joint`` a point on a line: neither is a substation)
SUBSTATION_TYPES = ("substation", "sub_station", "station", "merge")
VINTAGE = "2016"

LAYOUT = Layout(
    buses={"bus_id": "v_id", "longitude": "lon", "latitude": "lat", "kind": "typ", "voltage": "voltage",
           "frequency": "frequency", "name": "name", "operator": "operator"},
    lines={"line_id": "l_id", "bus0": "v_id_1", "bus1": "v_id_2", "voltage": "voltage",
           "length": "length_m", "geometry": "wkt_srid_4326"},
    substation_kinds=SUBSTATION_TYPES, kv_per_unit=0.001, km_per_length_unit=0.001, quote_char='"',
)


def parse(files: Mapping[str, Path]) -> ParseResult:
    return ParseResult(gridkit.parse_grid(files[VERTICES], files[LINKS], LAYOUT), vintage=VINTAGE)


SPEC = SourceSpec(
    id="gridkit_north_america",
    title="OpenStreetMap high-voltage grid of North America (GridKit extract): substations, lines",
    authority="OpenStreetMap contributors (data), B. Wiegmans / GridKit (extract)",
    licence="ODbL 1.0 (© OpenStreetMap contributors)",
    homepage="https://github.com/bdw/GridKit",
    family="grid",
    vintage=VINTAGE,
    files=(RawFile(VERTICES, url=BASE_URL + VERTICES), RawFile(LINKS, url=BASE_URL + LINKS)),
    tables=("grid_buses", "grid_lines"),
    parse=parse,
    publication=Publication("one-off", "GridKit North America extraction (2016) at a pinned commit: not re-released"),
    notes="US, Canada, Mexico (lat 14.9–64.8); 2016 OSM completeness; no country tags.",
)
