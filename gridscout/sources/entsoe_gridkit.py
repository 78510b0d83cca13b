"""European high-voltage grid from the ENTSO-E map (GridKit extract): buses, lines, generators.

Buses are substations, plant terminals and line joints with their voltage [kV] (x = lon, y = lat);
lines carry voltage, circuits, length [m in the file → km here] and WKT geometry. The extract
publishes no line thermal rating, so none is loaded (a rating would be a model, not data). Country
codes come from the map's hstore ``tags`` (ISO alpha-2, "UK"/"EL" as ENTSO-E writes them) and are
null where a feature has no tags (mostly joints). The CSVs quote with a single quote. Buses and lines
go through the one GridKit parser (:mod:`gridscout.sources.gridkit`, shared with the OpenStreetMap
North America extract); a bus without a voltage takes the highest voltage of its lines.

Source: ENTSO-E interactive transmission map extract of March 2022 processed by GridKit
(Wiegmans 2016, doi:10.5281/zenodo.55853), as shipped in PyPSA-Eur data/entsoegridkit
(CC BY 4.0), https://www.entsoe.eu/data/map/ . Unofficial; not endorsed by ENTSO-E.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import polars as pl

from gridscout.sources import gridkit
from gridscout.sources.base import ParseResult, Publication, RawFile, SourceSpec, check_range, read_csv_checked
from gridscout.sources.common import iso3_from_alpha2
from gridscout.sources.gridkit import Layout

BUSES, LINES, GENERATORS = "buses.csv", "lines.csv", "generators.csv"
BASE_URL = "https://raw.githubusercontent.com/PyPSA/pypsa-eur/master/data/entsoegridkit/"
#: ENTSO-E map country codes that are not ISO 3166-1 alpha-2 (checked against bus coordinates).
ENTSOE_ALPHA2 = {"UK": "GB", "EL": "GR", "PA": "PS", "XK": None}  # PA: Palestine (Gaza buses)
SUBSTATION_SYMBOLS = ("Substation", "Substations + Power Plants")
#: ENTSO-E map technology → canonical fuel (gridscout.sources.common.CANONICAL_FUELS).
TECH_FUEL = {
    "biomass": "biomass", "hard coal": "coal", "brown coal/lignite": "coal", "coal derived gas": "coal",
    "fossil peat": "other", "oil shale": "oil", "fossil oil": "oil", "fossil gas": "gas", "nuclear": "nuclear",
    "solar": "solar", "solar photovoltaic": "solar", "solar thermic": "solar", "wind farm": "wind",
    "geothermal": "geothermal", "hydro pure pump storage": "hydro", "hydro pure storage": "hydro",
    "hydro mixed pump storage": "hydro", "hydro run of river & pondage": "hydro",
}


def _country(tags: pl.Expr) -> pl.Expr:
    a2 = tags.str.extract(r'"country"=>"([A-Za-z]{2})"').str.to_uppercase()
    return a2.map_elements(
        lambda c: iso3_from_alpha2(ENTSOE_ALPHA2.get(c, c)), return_dtype=pl.Utf8, skip_nulls=True)


#: header labels of the ENTSO-E extract (PyPSA-Eur data/entsoegridkit); parsed by the shared GridKit parser
LAYOUT = Layout(
    buses={"bus_id": "bus_id", "station_id": "station_id", "voltage": "voltage", "dc": "dc", "kind": "symbol",
           "under_construction": "under_construction", "tags": "tags", "longitude": "x", "latitude": "y"},
    lines={"line_id": "line_id", "bus0": "bus0", "bus1": "bus1", "voltage": "voltage", "circuits": "circuits",
           "length": "length", "underground": "underground", "under_construction": "under_construction",
           "tags": "tags", "geometry": "geometry"},
    substation_kinds=SUBSTATION_SYMBOLS, kv_per_unit=1.0, km_per_length_unit=0.001, quote_char="'",
    country=_country,
)


def parse_buses(path: Path) -> pl.DataFrame:
    return gridkit.parse_buses(path, LAYOUT)


def parse_lines(path: Path) -> pl.DataFrame:
    return gridkit.parse_lines(path, LAYOUT)


def parse_generators(path: Path) -> pl.DataFrame:
    df = read_csv_checked(path, required=("generator_id", "bus_id", "technology", "capacity", "tags", "geometry"),
                          quote_char="'", infer_schema=False)
    xy = df["geometry"].str.extract_groups(r"POINT\s*\(\s*(-?[\d.]+)\s+(-?[\d.]+)\s*\)")
    cap = pl.col("capacity").cast(pl.Float64, strict=False)
    out = df.select(
        "generator_id", "bus_id",
        pl.col("tags").str.extract(r'"name"=>"([^"]*)"').alias("name"),
        "technology",
        pl.col("technology").str.to_lowercase().replace_strict(TECH_FUEL, default="other").alias("fuel"),
        pl.when(cap > 0).then(cap).alias("capacity_mw"),  # the map writes -1 (and 0) for "not given"
        xy.struct.field("2").cast(pl.Float64).alias("latitude"),
        xy.struct.field("1").cast(pl.Float64).alias("longitude"),
        _country(pl.col("tags")).alias("country"),
    )
    check_range(out, "capacity_mw", 0, 10_000, file=path)
    return out


def parse(files: Mapping[str, Path]) -> ParseResult:
    tables = gridkit.parse_grid(files[BUSES], files[LINES], LAYOUT)
    if GENERATORS in files:
        tables["grid_generators"] = parse_generators(files[GENERATORS])
    return ParseResult(tables, vintage="2022-03")


SPEC = SourceSpec(
    id="entsoe_gridkit",
    title="ENTSO-E transmission map (GridKit extract): HV buses, lines, generators",
    authority="ENTSO-E (map), GridKit / PyPSA-Eur (extract)",
    licence="CC BY 4.0 (PyPSA-Eur REUSE); unofficial extract",
    homepage="https://www.entsoe.eu/data/map/",
    family="grid",
    vintage="2022-03",
    files=(RawFile(BUSES, url=BASE_URL + BUSES), RawFile(LINES, url=BASE_URL + LINES),
           RawFile(GENERATORS, url=BASE_URL + GENERATORS, required=False)),
    tables=("grid_buses", "grid_lines", "grid_generators"),
    parse=parse,
    publication=Publication("one-off", "GridKit extraction of the ENTSO-E map (Wiegmans 2016), kept unchanged in PyPSA-Eur: not re-released"),
    notes="Covers Europe plus parts of North Africa and the Middle East; joints have no country tag.",
    reference_only="grid_lines and grid_generators are loaded for reference; power features read only grid_buses "
                   "(a line-voltage model is issue 13).",
)
