"""European high-voltage grid from the ENTSO-E map (GridKit extract): buses, lines, generators.

Buses are substations, plant terminals and line joints with their voltage [kV] (x = lon, y = lat);
lines carry voltage, circuits, length [m in the file → km here] and WKT geometry. The extract
publishes no line thermal rating, so none is loaded (a rating would be a model, not data). Country
codes come from the map's hstore ``tags`` (ISO alpha-2, "UK"/"EL" as ENTSO-E writes them) and are
null where a feature has no tags (mostly joints). The CSVs quote with a single quote.

Source: ENTSO-E interactive transmission map extract of March 2022 processed by GridKit
(Wiegmans 2016, doi:10.5281/zenodo.55853), as shipped in PyPSA-Eur data/entsoegridkit
(CC BY 4.0), https://www.entsoe.eu/data/map/ . Unofficial; not endorsed by ENTSO-E.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import polars as pl
import shapely

from gridscout.errors import SourceFormatError
from gridscout.sources.base import ParseResult, RawFile, SourceSpec, check_range, read_csv_checked
from gridscout.sources.common import iso3_from_alpha2

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


def _flag(col: str) -> pl.Expr:
    return pl.col(col).cast(pl.Utf8).str.to_lowercase().replace_strict(
        {"t": True, "true": True, "f": False, "false": False}, default=None, return_dtype=pl.Boolean)


def _read(path: Path, required: tuple[str, ...]) -> pl.DataFrame:
    return read_csv_checked(path, required=required, quote_char="'", infer_schema=False)


def parse_buses(path: Path) -> pl.DataFrame:
    df = _read(path, ("bus_id", "station_id", "voltage", "dc", "symbol", "under_construction", "tags", "x", "y"))
    out = df.select(
        pl.col("bus_id"), pl.col("station_id"),
        pl.col("y").cast(pl.Float64).alias("latitude"), pl.col("x").cast(pl.Float64).alias("longitude"),
        pl.col("voltage").cast(pl.Float64, strict=False).alias("voltage_kv"),
        _flag("dc").alias("is_dc"), pl.col("symbol"),
        pl.col("symbol").is_in(SUBSTATION_SYMBOLS).fill_null(False).alias("is_substation"),
        _flag("under_construction").alias("is_under_construction"),
        _country(pl.col("tags")).alias("country"),
    )
    check_range(out, "latitude", -90, 90, file=path)
    check_range(out, "longitude", -180, 180, file=path)
    check_range(out, "voltage_kv", 1, 1200, file=path)
    if out["bus_id"].n_unique() != out.height:
        raise SourceFormatError(f"{path}: column 'bus_id' has duplicate values; the extract is inconsistent")
    return out


def parse_lines(path: Path) -> pl.DataFrame:
    df = _read(path, ("line_id", "bus0", "bus1", "voltage", "circuits", "length", "underground",
                      "under_construction", "tags", "geometry"))
    try:
        wkb = shapely.to_wkb(shapely.from_wkt(df["geometry"].to_numpy()))
    except shapely.errors.ShapelyError as exc:
        raise SourceFormatError(f"{path}: column 'geometry' holds invalid WKT ({exc})") from exc
    out = df.select(
        "line_id", "bus0", "bus1",
        pl.col("voltage").cast(pl.Float64, strict=False).alias("voltage_kv"),
        pl.col("circuits").cast(pl.Int32, strict=False).alias("circuits"),
        (pl.col("length").cast(pl.Float64, strict=False) / 1000.0).alias("length_km"),
        _flag("underground").alias("is_underground"),
        _flag("under_construction").alias("is_under_construction"),
        _country(pl.col("tags")).alias("country"),
    ).with_columns(pl.Series("geometry_wkb", list(wkb), dtype=pl.Binary))
    check_range(out, "voltage_kv", 1, 1200, file=path)
    check_range(out, "length_km", 0, 5000, file=path)
    check_range(out, "circuits", 0, 20, file=path)
    return out


def parse_generators(path: Path) -> pl.DataFrame:
    df = _read(path, ("generator_id", "bus_id", "technology", "capacity", "tags", "geometry"))
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
    buses = parse_buses(files[BUSES])
    lines = parse_lines(files[LINES])
    tables = {"grid_buses": buses, "grid_lines": lines}
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
    max_age_days=730,
    notes="Covers Europe plus parts of North Africa and the Middle East; joints have no country tag.",
    reference_only="grid_lines and grid_generators are loaded for reference; power features read only grid_buses "
                   "(a line-voltage model is issue 13).",
)
