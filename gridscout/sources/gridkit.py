"""The one GridKit parser: buses (vertices) and lines (links) of any GridKit extract → ``grid_buses`` /
``grid_lines``.

GridKit (Wiegmans 2016, doi:10.5281/zenodo.55853) turns a power map into a graph of buses and lines.
Its extracts share one model but not one header set: the ENTSO-E extract shipped by PyPSA-Eur writes
``bus_id, x, y, voltage`` [kV], ``symbol``, quoted with ``'``; the OpenStreetMap North America
extract writes ``v_id, lon, lat, voltage`` [V, ``;``-separated when a station has several levels],
``typ``, quoted with ``"``, and EWKT (``SRID=4326;LINESTRING(…)``). A :class:`Layout` names, per
extract, the header label of each concept and its units; :func:`parse_buses`, :func:`parse_lines`
and :func:`fill_bus_voltage` are shared, so both extracts land in the same tables the same way.

Voltage of a bus: the highest voltage it publishes; where it publishes none, the highest voltage
of the lines that end at it (``voltage_origin`` = ``lines``; the OSM North America README advises
exactly this, as many substations there lack a voltage tag). Buses with neither stay null.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import shapely

from gridscout.errors import SourceFormatError
from gridscout.sources.base import check_range, read_csv_checked

#: concepts a bus file must give / may give (canonical name → meaning)
BUS_REQUIRED = ("bus_id", "latitude", "longitude", "voltage", "kind")
BUS_OPTIONAL = ("station_id", "dc", "frequency", "under_construction", "tags", "name", "operator")
LINE_REQUIRED = ("line_id", "bus0", "bus1", "voltage", "length", "geometry")
LINE_OPTIONAL = ("circuits", "underground", "under_construction", "tags")
#: plausible voltage range [kV]: a file in other units (V read as kV) fails. The top is above the
#: 1,333 kV of BPA's experimental John Day–Grizzly test line tagged in OSM (the highest in service
#: worldwide are 1,100 kV DC / 1,150 kV AC)
VOLTAGE_RANGE_KV = (1.0, 1500.0)


@dataclass(frozen=True)
class Layout:
    """How one GridKit extract writes its files."""

    #: canonical concept → header label, for buses and for lines (see BUS_* / LINE_* for the concepts)
    buses: Mapping[str, str]
    lines: Mapping[str, str]
    #: values of the bus ``kind`` column (ENTSO-E ``symbol``, OSM ``typ``) that are substations
    substation_kinds: tuple[str, ...]
    #: kV per published voltage unit (1.0 for kV, 0.001 for V) and km per published length unit
    kv_per_unit: float
    km_per_length_unit: float
    quote_char: str = '"'
    #: ISO alpha-3 country from the ``tags`` column (hstore), when the extract has one
    country: Callable[[pl.Expr], pl.Expr] | None = None


def _read(path: Path, fields: Mapping[str, str], required: tuple[str, ...], layout: Layout) -> pl.DataFrame:
    """The file, with every header label the layout names present (else a SourceFormatError naming them)."""
    missing = [c for c in required if c not in fields]
    if missing:
        raise ValueError(f"layout gives no header label for {missing}")
    return read_csv_checked(path, required=tuple(fields.values()), quote_char=layout.quote_char, infer_schema=False)


def _col(fields: Mapping[str, str], concept: str, dtype=pl.Utf8) -> pl.Expr:
    """The column of ``concept`` (by its header label), or a typed null when the extract has no such concept."""
    label = fields.get(concept)
    return pl.lit(None, dtype=dtype) if label is None else pl.col(label)


def _max_voltage(expr: pl.Expr) -> pl.Expr:
    """Largest voltage of a ``;``-separated list ("230000;69000" → 230000); null when none is a positive
    number (OSM writes 0 for the electrode lines of HVDC links: a voltage not given, not 0 V)."""
    v = expr.str.split(";").list.eval(pl.element().str.strip_chars().cast(pl.Float64, strict=False)).list.max()
    return pl.when(v > 0).then(v)


def _flag(expr: pl.Expr) -> pl.Expr:
    return expr.cast(pl.Utf8).str.to_lowercase().replace_strict(
        {"t": True, "true": True, "f": False, "false": False}, default=None, return_dtype=pl.Boolean)


def _dc_from_frequency(expr: pl.Expr) -> pl.Expr:
    """OSM ``frequency``: 0 Hz is DC. True when every listed frequency is 0, False when none is,
    null when mixed or not given."""
    parts = expr.str.split(";").list.eval(pl.element().str.strip_chars().cast(pl.Float64, strict=False))
    zero = parts.list.eval(pl.element() == 0)
    return (pl.when(expr.is_null()).then(None)
            .when(zero.list.all()).then(True)
            .when(~zero.list.any()).then(False)
            .otherwise(None))


def _country(df: pl.DataFrame, fields: Mapping[str, str], layout: Layout) -> pl.Expr:
    if layout.country is None or "tags" not in fields:
        return pl.lit(None, dtype=pl.Utf8)
    return layout.country(pl.col(fields["tags"]))


def parse_buses(path: Path, layout: Layout) -> pl.DataFrame:
    """``grid_buses`` rows (without ``voltage_origin`` filled from lines: see :func:`fill_bus_voltage`)."""
    f = layout.buses
    df = _read(path, f, BUS_REQUIRED, layout)
    kind = _col(f, "kind")
    dc = _flag(_col(f, "dc")) if "dc" in f else _dc_from_frequency(_col(f, "frequency"))
    out = df.select(
        _col(f, "bus_id").alias("bus_id"),
        _col(f, "station_id").alias("station_id"),
        _col(f, "latitude").cast(pl.Float64, strict=False).alias("latitude"),
        _col(f, "longitude").cast(pl.Float64, strict=False).alias("longitude"),
        (_max_voltage(_col(f, "voltage")) * layout.kv_per_unit).alias("voltage_kv"),
        dc.alias("is_dc"),
        kind.alias("symbol"),
        kind.is_in(layout.substation_kinds).fill_null(False).alias("is_substation"),
        _flag(_col(f, "under_construction")).alias("is_under_construction"),
        _country(df, f, layout).alias("country"),
        _col(f, "name").alias("name"),
        _col(f, "operator").alias("operator"),
    )
    for c in ("latitude", "longitude"):
        bad = out.with_row_index("_row").filter(pl.col(c).is_null())
        if bad.height:
            raise SourceFormatError(f"{path}: line {bad['_row'][0] + 2}, column {f[c]!r}: not a number "
                                    f"({bad.height} row(s) in all)")
    check_range(out, "latitude", -90, 90, file=path)
    check_range(out, "longitude", -180, 180, file=path)
    check_range(out, "voltage_kv", *VOLTAGE_RANGE_KV, file=path)
    if out["bus_id"].n_unique() != out.height:
        raise SourceFormatError(f"{path}: column {f['bus_id']!r} has duplicate values; the extract is inconsistent")
    return out


def parse_lines(path: Path, layout: Layout) -> pl.DataFrame:
    """``grid_lines`` rows; geometry as WKB LineStrings (lon/lat, EPSG:4326)."""
    f = layout.lines
    df = _read(path, f, LINE_REQUIRED, layout)
    wkt = df[f["geometry"]].str.replace(r"^SRID=\d+;", "")  # EWKT → WKT
    try:
        wkb = shapely.to_wkb(shapely.from_wkt(wkt.to_numpy()))
    except shapely.errors.ShapelyError as exc:
        raise SourceFormatError(f"{path}: column {f['geometry']!r} holds invalid WKT ({exc})") from exc
    out = df.select(
        _col(f, "line_id").alias("line_id"),
        _col(f, "bus0").alias("bus0"),
        _col(f, "bus1").alias("bus1"),
        (_max_voltage(_col(f, "voltage")) * layout.kv_per_unit).alias("voltage_kv"),
        _col(f, "circuits").cast(pl.Int32, strict=False).alias("circuits"),
        (_col(f, "length").cast(pl.Float64, strict=False) * layout.km_per_length_unit).alias("length_km"),
        _flag(_col(f, "underground")).alias("is_underground"),
        _flag(_col(f, "under_construction")).alias("is_under_construction"),
        _country(df, f, layout).alias("country"),
    ).with_columns(pl.Series("geometry_wkb", list(wkb), dtype=pl.Binary))
    check_range(out, "voltage_kv", *VOLTAGE_RANGE_KV, file=path)
    check_range(out, "length_km", 0, 5000, file=path)
    check_range(out, "circuits", 0, 20, file=path)
    if out["line_id"].n_unique() != out.height:
        raise SourceFormatError(f"{path}: column {f['line_id']!r} has duplicate values; the extract is inconsistent")
    return out


def fill_bus_voltage(buses: pl.DataFrame, lines: pl.DataFrame) -> pl.DataFrame:
    """A bus without its own voltage takes the highest voltage of the lines ending at it.

    ``voltage_origin``: ``published`` (the bus's own), ``lines`` (from its lines) or null (neither)."""
    ends = pl.concat([lines.select(pl.col("bus0").alias("bus_id"), "voltage_kv"),
                      lines.select(pl.col("bus1").alias("bus_id"), "voltage_kv")])
    line_kv = ends.group_by("bus_id").agg(pl.col("voltage_kv").max().alias("_line_kv"))
    return (buses.join(line_kv, on="bus_id", how="left")
            .with_columns(pl.when(pl.col("voltage_kv").is_not_null()).then(pl.lit("published"))
                          .when(pl.col("_line_kv").is_not_null()).then(pl.lit("lines"))
                          .alias("voltage_origin"),
                          pl.coalesce("voltage_kv", "_line_kv").alias("voltage_kv"))
            .drop("_line_kv"))


def parse_grid(buses_path: Path, lines_path: Path, layout: Layout) -> dict[str, pl.DataFrame]:
    """``grid_buses`` (voltages filled from lines) and ``grid_lines`` of one extract."""
    lines = parse_lines(lines_path, layout)
    return {"grid_buses": fill_bus_voltage(parse_buses(buses_path, layout), lines), "grid_lines": lines}
