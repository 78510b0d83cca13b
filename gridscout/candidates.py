"""Read and validate candidate-site files (CSV, Parquet, GeoJSON).

Required: ``name``, ``latitude``, ``longitude`` (aliases ``lat``/``lon``/``lng``/``long``);
optional: ``site_id`` (default: a slug of the name), ``country`` (ISO alpha-2 or alpha-3),
``it_load_mw``, and the site facts a user already knows (:data:`USER_FACTS`: ``cooling_design``,
``water_source``, ``pue_reported``, ``wue_reported``, ``grid_mw_secured``, ``grid_energized_year``,
``status``, ``elevation_m``, and ``weather_file``, a site's own hourly weather year; their units, ranges and effects are in the README's candidate-file section). Every problem is reported with its row (1-based data row, as a spreadsheet shows
it counting the header as row 1) and column, all at once, and nothing is scored on bad input.
Documented fix-ups, each reported in :attr:`Candidates.notes`: GeoJSON polygons are replaced by
their centroids; columns are matched case-insensitively.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from gridscout.errors import CandidateError, GridscoutError
from gridscout.paths import readable_file

ALIASES = {
    "latitude": ("latitude", "lat", "y"),
    "longitude": ("longitude", "lon", "lng", "long", "x"),
    "name": ("name", "site_name", "site"),
    "site_id": ("site_id", "id"),
    "country": ("country", "country_code", "iso3", "iso_a3"),
    "it_load_mw": ("it_load_mw",),
    "cooling_design": ("cooling_design",),
    "water_source": ("water_source",),
    "pue_reported": ("pue_reported",),
    "wue_reported": ("wue_reported",),
    "grid_mw_secured": ("grid_mw_secured",),
    "grid_energized_year": ("grid_energized_year",),
    "status": ("status",),
    "elevation_m": ("elevation_m", "elevation", "altitude_m"),
    "weather_file": ("weather_file",),
}
WATER_SOURCES = ("potable", "reclaimed", "seawater", "none")
SITE_STATUSES = ("operating", "construction", "planned")


@dataclass(frozen=True)
class Fact:
    """One optional per-site column a user may supply: a number in [lo, hi] or one of ``allowed``."""

    column: str
    dtype: type
    lo: float | None = None
    hi: float | None = None
    allowed: tuple[str, ...] = ()
    what: str = ""

    def expected(self) -> str:
        if self.dtype is str:
            return f"one of {', '.join(self.allowed)}"
        if self.hi is None:
            return f"{self.what} ≥ {self.lo:g}"
        return f"{self.what} in [{self.lo:g}, {self.hi:g}]"


#: The optional site facts (besides ``it_load_mw``), validated row by row like the coordinates.
#: Ranges: annual PUE cannot be below 1 (The Green Grid WP#49, 2012: PUE = total facility energy /
#: IT energy ≥ 1) and 3.0 bounds the worst legacy sites (Uptime Institute surveys report averages
#: ≈ 1.5–1.6 and few sites above 2.5); WUE (The Green Grid WP#35, 2011, L/kWh IT) up to 10 covers
#: every published site figure (hyperscale fleets 0.2–2, evaporative sites in hot climates ≈ 3–4).
USER_FACTS: tuple[Fact, ...] = (
    Fact("cooling_design", str, what="cooling design id"),  # allowed ids read from data/designs/cooling.toml
    Fact("water_source", str, allowed=WATER_SOURCES),
    Fact("pue_reported", float, 1.0, 3.0, what="an annual PUE"),
    Fact("wue_reported", float, 0.0, 10.0, what="a WUE [L/kWh]"),
    Fact("grid_mw_secured", float, 0.0, None, what="a secured grid capacity [MW]"),
    Fact("grid_energized_year", int, 1950, 2100, what="a calendar year"),
    Fact("status", str, allowed=SITE_STATUSES),
    # the site's terrain elevation, used to link an hourly weather year (features/weather_link.py);
    # range: the Dead Sea shore (-430 m) to the highest towns (~5,100 m)
    Fact("elevation_m", float, -500.0, 6000.0, what="an elevation [m]"),
)
#: heat paths that evaporate water on site (data/designs/cooling.toml; models/water.py)
EVAPORATIVE_HEAT_PATHS = ("airside_evaporative", "waterside_tower")
MAX_ERRORS_SHOWN = 20
MAX_ROWS = 5_000_000
#: bad rows whose messages are formatted (the rest are counted)
MAX_ROWS_FORMATTED = 1000


@dataclass
class Candidates:
    """Validated sites: ``site_id, site_name, latitude, longitude, country_input, it_load_mw`` and the
    :data:`USER_FACTS` columns the file has (null in rows that leave them blank); ``supplied`` names the optional columns the
    file carried (``it_load_mw`` and the facts), for provenance (run.json, ``<col>__evidence``)."""

    sites: pl.DataFrame
    path: Path
    notes: list[str] = field(default_factory=list)
    supplied: list[str] = field(default_factory=list)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "site"


def _slug_expr(name: pl.Expr) -> pl.Expr:
    """Vectorised :func:`_slug`."""
    slug = name.str.to_lowercase().str.replace_all(r"[^a-z0-9]+", "-").str.strip_chars("-").str.slice(0, 60)
    return pl.when(slug == "").then(pl.lit("site")).otherwise(slug)


#: ASCII control characters (C0 and DEL) and the C1 controls: never part of a name, and a NUL or
#: ESC would reach renderers and terminals; refused at validation, with row and column
CONTROL_RE = r"[\x00-\x1F\x7F-\x{9F}]"
_CONTROL_PY = re.compile("[\x00-\x1f\x7f-\x9f]")


def _control_problem(value: str | None) -> str | None:
    """``"control character U+001B at position 4"`` for the first control character of ``value``."""
    m = _CONTROL_PY.search(value or "")
    return None if m is None else f"control character U+{ord(m.group()):04X} at position {m.start() + 1}"


def _row_problems(r: dict, colname: dict[str, str], cols: dict[str, str | None],
                  facts: tuple[Fact, ...] = (), evaporative: tuple[str, ...] = ()) -> list[str]:
    """Every problem of one candidate row, as ``row N, column 'c': …`` messages."""
    errors: list[str] = []
    row = r["_row"]
    if not r["site_name"]:
        errors.append(f"row {row}, column {colname['site_name']!r}: blank name")
    for key, col in _text_columns(cols, facts):
        if problem := _control_problem(r.get(key)):
            errors.append(f"row {row}, column {col!r}: {problem}; names are data: remove it")
    for c, raw_c, lim in (("latitude", "_lat", 90), ("longitude", "_lon", 180)):
        v = r[c]
        if r[raw_c] in (None, ""):
            errors.append(f"row {row}, column {colname[c]!r}: blank {c}")
        elif v is None or v != v:
            errors.append(f"row {row}, column {colname[c]!r}: {r[raw_c]!r} is not a number")
        elif not math.isfinite(v):
            errors.append(f"row {row}, column {colname[c]!r}: {r[raw_c]!r} is not a finite number")
        elif abs(v) > lim:
            hint = ""
            lon = r["longitude"]
            if c == "latitude" and lon is not None and lon == lon and abs(lon) <= 90:
                hint = " — latitude and longitude look swapped"
            errors.append(f"row {row}, column {colname[c]!r}: {v} is outside ±{lim}{hint}")
    if r["_mw"] not in (None, "") and (r["it_load_mw"] is None or not (0 < r["it_load_mw"] <= 10_000)):
        errors.append(f"row {row}, column {cols['it_load_mw']!r}: {r['_mw']!r} is not an IT load in (0, 10000] MW")
    for f in facts:
        raw = r.get(f"_f_{f.column}")
        if raw in (None, "") or _fact_ok(f, r[f.column]):
            continue
        v = r[f.column]
        if f.dtype is str:
            msg = f"{raw!r} is not a known {f.column.replace('_', ' ')}; allowed: {', '.join(f.allowed)}"
        elif v is None or v != v or not math.isfinite(v):
            msg = f"{raw!r} is not a finite number; expected {f.expected()}"
        else:
            msg = f"{raw!r} is out of range; expected {f.expected()}"
        errors.append(f"row {row}, column {cols[f.column]!r}: {msg}")
    design, source = r.get("cooling_design"), r.get("water_source")
    if source == "none" and design in evaporative:
        errors.append(f"row {row}, columns {cols['water_source']!r}/{cols['cooling_design']!r}: water_source 'none' "
                      f"contradicts cooling_design {design!r}, which evaporates water on site; choose a dry design "
                      f"({', '.join(d for d in next(f for f in facts if f.column == 'cooling_design').allowed if d not in evaporative)}) "
                      "or name the water source")
    return errors


def _text_columns(cols: dict[str, str | None], facts: tuple[Fact, ...]) -> list[tuple[str, str]]:
    """(working column, the file's column) of every text value read from the file."""
    pairs = [("site_name", cols["name"]), ("site_id", cols["site_id"]), ("country_input", cols["country"]),
             *((f"_f_{f.column}", cols[f.column]) for f in facts if f.dtype is str)]
    return [(k, c) for k, c in pairs if c]


def _fact_ok(f: Fact, v) -> bool:
    """Python twin of :func:`_fact_bad` for one parsed value (message formatting only)."""
    if f.dtype is str:
        return v in f.allowed
    if v is None or v != v or not math.isfinite(v):
        return False
    if f.dtype is int and v != int(v):
        return False
    return (f.lo is None or v >= f.lo) and (f.hi is None or v <= f.hi)


def _fact_bad(f: Fact) -> pl.Expr:
    """Vectorised: the fact was given (non-blank) but is not a valid value."""
    given = pl.col(f"_f_{f.column}").is_not_null() & (pl.col(f"_f_{f.column}") != "")
    v = pl.col(f.column)
    if f.dtype is str:
        ok = v.is_in(list(f.allowed))
    else:
        ok = v.is_not_null() & v.is_finite()
        if f.dtype is int:
            ok = ok & (v == v.floor())
        if f.lo is not None:
            ok = ok & (v >= f.lo)
        if f.hi is not None:
            ok = ok & (v <= f.hi)
    return given & ~ok.fill_null(False)


def site_facts(designs: dict | None = None) -> tuple[tuple[Fact, ...], tuple[str, ...]]:
    """The :data:`USER_FACTS` with the cooling-design ids of ``data/designs/cooling.toml`` filled in,
    and the ids of the designs that evaporate water on site."""
    from dataclasses import replace

    from gridscout.models.designs import load_designs

    designs = designs or load_designs()
    ids = tuple(sorted(designs))
    facts = tuple(replace(f, allowed=ids) if f.column == "cooling_design" else f for f in USER_FACTS)
    return facts, tuple(d for d in ids if designs[d].heat_path in EVAPORATIVE_HEAT_PATHS)


def water_source_contradictions(sites: pl.DataFrame, default_design: str) -> list[str]:
    """Sites whose ``water_source`` is 'none' while the design that applies to them (their own
    ``cooling_design``, else the profile's ``default_design``) evaporates water: one message each,
    with its data row (row 2 = the first site, as in the file)."""
    if "water_source" not in sites.columns:
        return []
    _, evaporative = site_facts()
    design = pl.coalesce(pl.col("cooling_design"), pl.lit(default_design)) if "cooling_design" in sites.columns \
        else pl.lit(default_design)
    bad = sites.with_row_index("_row", offset=2).with_columns(design.alias("_design")).filter(
        (pl.col("water_source") == "none") & pl.col("_design").is_in(list(evaporative)))
    return [f"row {r['_row']} ({r['site_id']}), column 'water_source': 'none' contradicts the cooling design "
            f"{r['_design']!r} (the profile's [facility] cooling unless the row sets cooling_design), which evaporates "
            "water on site; set cooling_design to a dry design or name the water source"
            for r in bad.iter_rows(named=True)]


#: properties coordinates within this of the geometry agree (about 11 m; GeoJSON is often rounded)
COORD_TOLERANCE_DEG = 1e-4


def _coordinate_clash(props: dict, lat: float, lon: float) -> str | None:
    """A message when a feature's properties carry a latitude/longitude that disagrees with its geometry."""
    lower = {str(k).strip().lower(): v for k, v in props.items()}
    for key, value, alias in (("latitude", lat, ALIASES["latitude"]), ("longitude", lon, ALIASES["longitude"])):
        given = next((lower[a] for a in alias if a in lower and lower[a] not in (None, "")), None)
        try:
            g = float(given) if given is not None else None
        except (TypeError, ValueError):
            return f"property {key} {given!r} is not a number"
        if g is not None and not abs(g - value) <= COORD_TOLERANCE_DEG:
            return (f"properties {key} {g:g} but its geometry is at {key} {value:g}"
                    + (" (latitude and longitude swapped?)" if abs(g - (lon if key == "latitude" else lat))
                       <= COORD_TOLERANCE_DEG else ""))
    return None


def _read_geojson(path: Path, notes: list[str]) -> pl.DataFrame:
    import shapely
    from shapely.geometry import shape

    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except RecursionError:
        raise CandidateError(f"{path}: the JSON is nested too deeply to be a GeoJSON FeatureCollection") from None
    except UnicodeDecodeError as exc:
        raise CandidateError(f"{path}: not UTF-8 text ({exc}); save it as UTF-8") from exc
    except json.JSONDecodeError as exc:
        raise CandidateError(f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from exc
    feats = doc.get("features") if isinstance(doc, dict) else None
    if feats is None:
        raise CandidateError(f"{path}: a GeoJSON FeatureCollection with a 'features' list is expected")
    rows, centroids, nested, clashes = [], 0, {}, []
    if not isinstance(feats, list):
        raise CandidateError(f"{path}: 'features' must be a list of GeoJSON Feature objects")
    for i, feat in enumerate(feats, start=1):
        if not isinstance(feat, dict):
            raise CandidateError(f"{path}: feature {i} is not a GeoJSON Feature object (got {type(feat).__name__})")
        geom = feat.get("geometry")
        if not geom:
            raise CandidateError(f"{path}: feature {i} has no geometry")
        try:
            g = shape(geom)
        except Exception as exc:  # noqa: BLE001
            raise CandidateError(f"{path}: feature {i} has an invalid geometry: {exc}") from exc
        if g.is_empty:
            raise CandidateError(f"{path}: feature {i} has an empty geometry (no coordinates)")
        if not isinstance(feat.get("properties") or {}, dict):
            raise CandidateError(f"{path}: feature {i}: 'properties' must be an object")
        if g.geom_type != "Point":
            centroids += 1
            g = shapely.centroid(g)
        if (clash := _coordinate_clash(feat.get("properties") or {}, g.y, g.x)) is not None:
            clashes.append(f"feature {i}: {clash}")
        props = {}
        for k, v in (feat.get("properties") or {}).items():
            if str(k).strip().lower() in ("latitude", "longitude"):
                continue  # checked against the geometry above; the geometry's value is the column
            if isinstance(v, (dict, list)):  # candidate columns are scalars: a nested value is never one
                nested.setdefault(str(k), i)
            else:
                props[str(k)] = None if v is None else str(v)
        rows.append({**props, "longitude": g.x, "latitude": g.y})
    if clashes:
        raise CandidateError(f"{path}: {len(clashes)} feature(s) whose properties disagree with their geometry; "
                             "nothing was scored:\n  " + "\n  ".join(clashes[:MAX_ERRORS_SHOWN]))
    if centroids:
        notes.append(f"{centroids} non-point feature(s) (polygons/lines) replaced by their centroids")
    if nested:
        notes.append("nested properties ignored (objects or lists are not candidate columns): "
                     + ", ".join(f"{k!r} (first in feature {i})" for k, i in nested.items()))
    return pl.DataFrame(rows, infer_schema_length=None) if rows else pl.DataFrame()


def _read(path: Path, notes: list[str]) -> pl.DataFrame:
    try:
        readable_file(path, "candidate file")
    except GridscoutError as exc:
        raise CandidateError(str(exc)) from None
    if path.stat().st_size == 0:
        raise CandidateError(f"{path}: the file is empty; it needs a header row with name, latitude, longitude")
    suffix = path.suffix.lower()
    if suffix in (".geojson", ".json"):
        return _read_geojson(path, notes)
    if suffix == ".parquet":
        try:
            return pl.read_parquet(path)
        except Exception as exc:  # noqa: BLE001
            raise CandidateError(f"{path}: not a readable Parquet file ({exc})") from exc
    if suffix not in (".csv", ".tsv", ".txt"):
        raise CandidateError(f"{path}: unknown file type {suffix!r}; use .csv, .parquet or .geojson")
    raw = path.read_bytes()
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise CandidateError(
            f"{path}: line {line} is not UTF-8 (byte {raw[exc.start]:#x} at offset {exc.start}); "
            "save the file as UTF-8 (in Excel: 'CSV UTF-8')") from exc
    sep = "\t" if suffix == ".tsv" else ","
    try:
        df = pl.read_csv(raw, separator=sep, infer_schema=False, truncate_ragged_lines=False)
    except (pl.exceptions.ComputeError, pl.exceptions.NoDataError) as exc:
        raise CandidateError(f"{path}: cannot be read as CSV: {str(exc).splitlines()[0]}{_ragged_hint(raw, sep)}") from exc
    if df.width == 1 and any(d in df.columns[0] for d in (";", "\t", "|")):
        delim = next(d for d in (";", "\t", "|") if d in df.columns[0])
        raise CandidateError(
            f"{path}: the header {df.columns[0]!r} looks {delim!r}-delimited; gridscout reads comma-separated "
            "CSV: re-save it with commas (or as .tsv for tabs)")
    return df


def _ragged_hint(raw: bytes, sep: str) -> str:
    """Name the first line whose field count differs from the header's (a stray or unquoted separator)."""
    import csv
    import io

    try:
        reader = csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=sep)
        header = next(reader, None)
        if not header:
            return ""
        for row in reader:
            if row and len(row) > len(header):
                return (f"; line {reader.line_num} has {len(row)} fields but the header has {len(header)} "
                        f"(an unquoted {sep!r} inside a value? quote such values)")
    except csv.Error as exc:
        return f" (line {reader.line_num}: {exc})"
    return ""


def _refuse_duplicate_columns(df: pl.DataFrame, path: Path) -> None:
    """Two columns that are one after trimming and case folding (``name`` and ``Name ``, or a header
    repeated, which Polars renames ``name_duplicated_0``): which one is meant cannot be guessed."""
    folded: dict[str, list[str]] = {}
    for c in df.columns:
        folded.setdefault(re.sub(r"_duplicated_\d+$", "", c).strip().casefold(), []).append(c)
    dups = {k: v for k, v in folded.items() if len(v) > 1}
    if dups:
        listing = "; ".join(f"{k!r}: " + ", ".join(repr(re.sub(r"_duplicated_\d+$", "", c)) for c in v)
                            for k, v in dups.items())
        raise CandidateError(f"{path}: duplicate columns once spaces and case are ignored ({listing}); "
                             "keep one of each")


def _find(df: pl.DataFrame, key: str) -> str | None:
    lower = {c.lower().strip(): c for c in df.columns}
    return next((lower[a] for a in ALIASES[key] if a in lower), None)


def load_candidates(path: str | Path) -> Candidates:
    """Read, normalise and validate a candidate file; raise :class:`CandidateError` listing every problem."""
    path = Path(path)
    notes: list[str] = []
    df = _read(path, notes)
    if df.height == 0:
        raise CandidateError(f"{path}: no sites in the file (only a header, or an empty collection)")
    if df.height > MAX_ROWS:
        raise CandidateError(f"{path}: {df.height:,} rows is over the {MAX_ROWS:,}-site limit; use `gridscout screen`")
    _refuse_duplicate_columns(df, path)
    cols = {k: _find(df, k) for k in ALIASES}
    missing = [k for k in ("name", "latitude", "longitude") if cols[k] is None]
    if missing:
        raise CandidateError(
            f"{path}: missing required column(s) {missing} (found {df.columns}); accepted names: "
            + "; ".join(f"{k}: {'/'.join(ALIASES[k])}" for k in missing))
    errors: list[str] = []
    facts, evaporative = site_facts()
    sel = df.select(
        pl.col(cols["name"]).cast(pl.Utf8).str.strip_chars().alias("site_name"),
        pl.col(cols["latitude"]).cast(pl.Utf8).str.strip_chars().alias("_lat"),
        pl.col(cols["longitude"]).cast(pl.Utf8).str.strip_chars().alias("_lon"),
        (pl.col(cols["site_id"]).cast(pl.Utf8).str.strip_chars() if cols["site_id"] else pl.lit(None, pl.Utf8)).alias("site_id"),
        (pl.col(cols["country"]).cast(pl.Utf8).str.strip_chars().str.to_uppercase() if cols["country"]
         else pl.lit(None, pl.Utf8)).alias("country_input"),
        (pl.col(cols["it_load_mw"]).cast(pl.Utf8).str.strip_chars() if cols["it_load_mw"] else pl.lit(None, pl.Utf8)).alias("_mw"),
        *[(pl.col(cols[f.column]).cast(pl.Utf8).str.strip_chars() if cols[f.column] else pl.lit(None, pl.Utf8))
          .alias(f"_f_{f.column}") for f in facts],
    ).with_row_index("_row", offset=2)
    sel = sel.with_columns(
        pl.col("_lat").cast(pl.Float64, strict=False).alias("latitude"),
        pl.col("_lon").cast(pl.Float64, strict=False).alias("longitude"),
        pl.col("_mw").cast(pl.Float64, strict=False).alias("it_load_mw"),
        *[(pl.col(f"_f_{f.column}").str.to_lowercase().replace("", None) if f.dtype is str
           else pl.col(f"_f_{f.column}").cast(pl.Float64, strict=False)).alias(f.column) for f in facts],
    )
    colname = {"latitude": cols["latitude"], "longitude": cols["longitude"], "site_name": cols["name"]}
    # Detect bad rows vectorised (a million rows in well under a second); format messages in
    # Python only for the rows that have a problem, in row order, so the messages stay exact.
    bad = pl.lit(False)
    for c, raw_c, lim in (("latitude", "_lat", 90), ("longitude", "_lon", 180)):
        bad = bad | pl.col(raw_c).is_null() | (pl.col(raw_c) == "") | pl.col(c).is_null() | pl.col(c).is_nan() \
            | ~pl.col(c).is_finite() | (pl.col(c).abs() > lim)
    bad = bad | pl.col("site_name").is_null() | (pl.col("site_name") == "")
    bad = bad | ((pl.col("_mw").is_not_null() & (pl.col("_mw") != ""))
                 & (pl.col("it_load_mw").is_null() | ~((pl.col("it_load_mw") > 0) & (pl.col("it_load_mw") <= 10_000))))
    for f in facts:
        bad = bad | _fact_bad(f)
    for key, _ in _text_columns(cols, facts):
        bad = bad | pl.col(key).str.contains(CONTROL_RE).fill_null(False)
    if cols["water_source"] and cols["cooling_design"]:
        bad = bad | ((pl.col("water_source") == "none") & pl.col("cooling_design").is_in(list(evaporative))).fill_null(False)
    bad_rows = sel.filter(bad.fill_null(True))
    for r in bad_rows.head(MAX_ROWS_FORMATTED).iter_rows(named=True):
        errors.extend(_row_problems(r, colname, cols, facts, evaporative))
    weather_files = _weather_files(df, cols, path, errors)
    if errors:
        shown = "\n  ".join(errors[:MAX_ERRORS_SHOWN])
        more = f"\n  … and {len(errors) - MAX_ERRORS_SHOWN} more" if len(errors) > MAX_ERRORS_SHOWN else ""
        count = f"{len(errors)} problem(s)" if bad_rows.height <= MAX_ROWS_FORMATTED else \
            f"{len(errors)} problem(s) in the first {MAX_ROWS_FORMATTED:,} bad rows ({bad_rows.height:,} rows have problems)"
        raise CandidateError(f"{path}: {count}; nothing was scored:\n  {shown}{more}")
    sel = sel.with_columns(
        pl.when(pl.col("site_id").is_null() | (pl.col("site_id") == ""))
        .then(_slug_expr(pl.col("site_name")))
        .otherwise(pl.col("site_id")).alias("site_id"))
    dup = sel.filter(pl.col("site_id").is_duplicated())
    if dup.height:
        examples = dup.group_by("site_id", maintain_order=True).agg(pl.col("_row")).head(10)
        listing = "; ".join(f"{r['site_id']!r} on rows {r['_row']}" for r in examples.iter_rows(named=True))
        which = "site_id" if cols["site_id"] else "name (site_id is derived from it)"
        raise CandidateError(f"{path}: duplicate {which}: {listing}. Give each site a unique site_id.")
    out = sel.select("site_id", "site_name", "latitude", "longitude", "country_input", "it_load_mw",
                     *[pl.col(f.column).cast(pl.Int32) if f.dtype is int else pl.col(f.column)
                       for f in facts if cols[f.column]])
    if weather_files is not None:
        out = out.with_columns(weather_files)
    supplied = [k for k in ("it_load_mw", *(f.column for f in facts), "weather_file") if cols[k]]
    return Candidates(out, path, notes, supplied)


def _weather_files(df: pl.DataFrame, cols: dict, path: Path, errors: list[str]) -> pl.Series | None:
    """``weather_file``: each named file resolved against the candidate file's folder (absolute
    paths as given); a file that does not exist is a row error. Blank = none (null)."""
    if not cols["weather_file"]:
        return None
    raw = df[cols["weather_file"]].cast(pl.Utf8).str.strip_chars()
    out = []
    for i, v in enumerate(raw.to_list()):
        if v in (None, ""):
            out.append(None)
            continue
        f = Path(v).expanduser()
        f = f if f.is_absolute() else (path.parent / f)
        if not f.is_file():
            errors.append(f"row {i + 2}, column {cols['weather_file']!r}: weather file not found: {f}")
        out.append(str(f.resolve()))
    return pl.Series("weather_file", out, dtype=pl.Utf8)
