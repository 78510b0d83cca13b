"""Read and validate candidate-site files (CSV, Parquet, GeoJSON).

Required: ``name``, ``latitude``, ``longitude`` (aliases ``lat``/``lon``/``lng``/``long``);
optional: ``site_id`` (default: a slug of the name), ``country`` (ISO alpha-2 or alpha-3),
``it_load_mw``. Every problem is reported with its row (1-based data row, as a spreadsheet shows
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

from gridscout.errors import CandidateError

ALIASES = {
    "latitude": ("latitude", "lat", "y"),
    "longitude": ("longitude", "lon", "lng", "long", "x"),
    "name": ("name", "site_name", "site"),
    "site_id": ("site_id", "id"),
    "country": ("country", "country_code", "iso3", "iso_a3"),
    "it_load_mw": ("it_load_mw",),
    "elevation_m": ("elevation_m", "elevation", "altitude_m"),
}
#: plausible site elevations [m]: the Dead Sea shore (-430 m) to the highest towns (~5,100 m)
ELEVATION_RANGE_M = (-500.0, 6000.0)
MAX_ERRORS_SHOWN = 20
MAX_ROWS = 5_000_000
#: bad rows whose messages are formatted (the rest are counted)
MAX_ROWS_FORMATTED = 1000


@dataclass
class Candidates:
    """Validated sites: ``site_id, site_name, latitude, longitude, country_input, it_load_mw``."""

    sites: pl.DataFrame
    path: Path
    notes: list[str] = field(default_factory=list)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "site"


def _slug_expr(name: pl.Expr) -> pl.Expr:
    """Vectorised :func:`_slug`."""
    slug = name.str.to_lowercase().str.replace_all(r"[^a-z0-9]+", "-").str.strip_chars("-").str.slice(0, 60)
    return pl.when(slug == "").then(pl.lit("site")).otherwise(slug)


def _row_problems(r: dict, colname: dict[str, str], cols: dict[str, str | None]) -> list[str]:
    """Every problem of one candidate row, as ``row N, column 'c': …`` messages."""
    errors: list[str] = []
    row = r["_row"]
    if not r["site_name"]:
        errors.append(f"row {row}, column {colname['site_name']!r}: blank name")
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
    lo, hi = ELEVATION_RANGE_M
    if r["_elev"] not in (None, "") and (r["elevation_m"] is None or not (lo <= r["elevation_m"] <= hi)):
        errors.append(f"row {row}, column {cols['elevation_m']!r}: {r['_elev']!r} is not an elevation in "
                      f"[{lo:.0f}, {hi:.0f}] m")
    return errors


def _read_geojson(path: Path, notes: list[str]) -> pl.DataFrame:
    import shapely
    from shapely.geometry import shape

    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise CandidateError(f"{path}: not UTF-8 text ({exc}); save it as UTF-8") from exc
    except json.JSONDecodeError as exc:
        raise CandidateError(f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from exc
    feats = doc.get("features") if isinstance(doc, dict) else None
    if feats is None:
        raise CandidateError(f"{path}: a GeoJSON FeatureCollection with a 'features' list is expected")
    rows, centroids = [], 0
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
        rows.append({**(feat.get("properties") or {}), "longitude": g.x, "latitude": g.y})
    if centroids:
        notes.append(f"{centroids} non-point feature(s) (polygons/lines) replaced by their centroids")
    return pl.DataFrame(rows, infer_schema_length=None) if rows else pl.DataFrame()


def _read(path: Path, notes: list[str]) -> pl.DataFrame:
    if not path.is_file():
        raise CandidateError(f"candidate file {path} does not exist")
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
    cols = {k: _find(df, k) for k in ALIASES}
    missing = [k for k in ("name", "latitude", "longitude") if cols[k] is None]
    if missing:
        raise CandidateError(
            f"{path}: missing required column(s) {missing} (found {df.columns}); accepted names: "
            + "; ".join(f"{k}: {'/'.join(ALIASES[k])}" for k in missing))
    errors: list[str] = []
    sel = df.select(
        pl.col(cols["name"]).cast(pl.Utf8).str.strip_chars().alias("site_name"),
        pl.col(cols["latitude"]).cast(pl.Utf8).str.strip_chars().alias("_lat"),
        pl.col(cols["longitude"]).cast(pl.Utf8).str.strip_chars().alias("_lon"),
        (pl.col(cols["site_id"]).cast(pl.Utf8).str.strip_chars() if cols["site_id"] else pl.lit(None, pl.Utf8)).alias("site_id"),
        (pl.col(cols["country"]).cast(pl.Utf8).str.strip_chars().str.to_uppercase() if cols["country"]
         else pl.lit(None, pl.Utf8)).alias("country_input"),
        (pl.col(cols["it_load_mw"]).cast(pl.Utf8).str.strip_chars() if cols["it_load_mw"] else pl.lit(None, pl.Utf8)).alias("_mw"),
        (pl.col(cols["elevation_m"]).cast(pl.Utf8).str.strip_chars() if cols["elevation_m"]
         else pl.lit(None, pl.Utf8)).alias("_elev"),
    ).with_row_index("_row", offset=2)
    sel = sel.with_columns(
        pl.col("_lat").cast(pl.Float64, strict=False).alias("latitude"),
        pl.col("_lon").cast(pl.Float64, strict=False).alias("longitude"),
        pl.col("_mw").cast(pl.Float64, strict=False).alias("it_load_mw"),
        pl.col("_elev").cast(pl.Float64, strict=False).alias("elevation_m"),
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
    bad = bad | ((pl.col("_elev").is_not_null() & (pl.col("_elev") != ""))
                 & (pl.col("elevation_m").is_null() | ~pl.col("elevation_m").is_between(*ELEVATION_RANGE_M)))
    bad_rows = sel.filter(bad.fill_null(True))
    for r in bad_rows.head(MAX_ROWS_FORMATTED).iter_rows(named=True):
        errors.extend(_row_problems(r, colname, cols))
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
    # elevation_m only when the file gives it (weather_link falls back to the station index)
    out = sel.select("site_id", "site_name", "latitude", "longitude", "country_input", "it_load_mw",
                     *(["elevation_m"] if cols["elevation_m"] else []))
    return Candidates(out, path, notes)
