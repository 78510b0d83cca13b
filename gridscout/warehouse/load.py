"""Idempotent loads with provenance: one transaction per load of one source.

A load is keyed by ``(source_id, vintage)``. Loading the same files again changes nothing (the
file hashes match the last load of that vintage, so it is skipped). Loading changed files of the
same vintage replaces that vintage's rows; a new vintage is added beside the old ones. The rows
and the ``source_loads`` provenance rows are written in one transaction, so a failure or a killed
process leaves the warehouse exactly as it was before the load. Tables derived from the source
(:mod:`gridscout.warehouse.derived`) are recomputed in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from gridscout import __version__
from gridscout.errors import SourceFormatError
from gridscout.sources.base import REQUESTS_DIR, ParseResult, Rejection, SourceSpec, data_period_end
from gridscout.sources.fetch import LocatedFile
from gridscout.warehouse.db import transaction
from gridscout.warehouse.derived import refresh_derived


@dataclass
class LoadReport:
    """What one load did: for the CLI, the ingest flow and its Prefect logs."""

    source_id: str
    vintage: str
    status: str  # loaded | unchanged | failed
    rows: int = 0
    rows_rejected: int = 0
    tables: dict[str, int] = field(default_factory=dict)
    rejections: list[Rejection] = field(default_factory=list)
    load_id: str | None = None
    message: str = ""
    #: derived tables recomputed in the load's transaction, with their rows (gridscout.warehouse.derived)
    derived: dict[str, int] = field(default_factory=dict)


def parser_version(spec: SourceSpec) -> str:
    """Package version plus a digest of the parser's module source: a changed parser re-loads."""
    import hashlib
    import inspect

    try:
        src = inspect.getsource(inspect.getmodule(spec.parse))
    except (OSError, TypeError):
        src = spec.parse.__qualname__
    return f"{__version__}+{hashlib.sha256(src.encode()).hexdigest()[:10]}"


def file_hashes(spec: SourceSpec, files: list[LocatedFile]) -> set[tuple[str, str, str]]:
    """What makes a load "the same": each file's name and sha256, and the parser's version."""
    version = parser_version(spec)
    return {(f.name, f.sha256, version) for f in files}


def previous_hashes(con: duckdb.DuckDBPyConnection, source_id: str,
                    vintage: str | None = None) -> tuple[str, set[tuple[str, str, str]]] | None:
    """(vintage, {(file, sha256, code_version)}) of the latest load of ``source_id`` (of ``vintage``
    when given); None when there is none (or no ``source_loads`` table yet)."""
    if not con.execute("select 1 from information_schema.tables where table_name = 'source_loads'").fetchone():
        return None
    row = con.execute(
        "select load_id, vintage from source_loads where source_id = ? and (? is null or vintage = ?) "
        "order by loaded_at desc limit 1", [source_id, vintage, vintage]).fetchone()
    if row is None:
        return None
    return row[1], set(con.execute("select file, sha256, code_version from source_loads where load_id = ?",
                                   [row[0]]).fetchall())


def unchanged_vintage(con: duckdb.DuckDBPyConnection, spec: SourceSpec, files: list[LocatedFile],
                      vintage: str | None = None) -> str | None:
    """The one test of "unchanged": the vintage of the latest load of ``spec`` (of ``vintage`` when
    given) if it had exactly these files (names and sha256) and this parser, else None.

    Ingest asks it before parsing (no vintage known yet: against the source's latest load, so an
    unchanged source is never parsed); :func:`load` asks it again with the parsed vintage.
    """
    prev = previous_hashes(con, spec.id, vintage)
    return prev[0] if prev is not None and prev[1] == file_hashes(spec, files) else None


def is_unchanged(spec: SourceSpec, files: list[LocatedFile], db: str | Path | None = None) -> str | None:
    """:func:`unchanged_vintage` against the warehouse at ``db`` (read-only; None when it does not exist)."""
    from gridscout import config
    from gridscout.warehouse.db import connect

    if not config.db_path(db).exists():
        return None
    con = connect(db, read_only=True)
    try:
        return unchanged_vintage(con, spec, files)
    finally:
        con.close()


def _table_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    rows = con.execute(
        "select column_name from information_schema.columns where table_name = ? order by ordinal_position",
        [table]).fetchall()
    if not rows:
        raise SourceFormatError(f"warehouse has no table {table!r}: is a migration missing?")
    return [r[0] for r in rows]


#: no loaded table observes a year before this (electricity statistics begin in the 20th century)
FIRST_YEAR = 1900


def _previous_rows(con: duckdb.DuckDBPyConnection, source_id: str, vintage: str) -> dict[str, int]:
    """Rows per table of the load that a load of ``vintage`` would replace as current: the latest load
    of that same vintage, else the current vintage when ``vintage`` would take its place (its
    ``vintage_key`` is not smaller). Empty when it replaces nothing (an older release beside a newer
    one, or a first load)."""
    if not con.execute("select 1 from information_schema.tables where table_name = 'source_load_tables'").fetchone():
        return {}
    same = con.execute("select 1 from source_loads where source_id = ? and vintage = ? limit 1",
                       [source_id, vintage]).fetchone()
    if same is None:
        cur = con.execute("select vintage from current_vintages where source_id = ?", [source_id]).fetchall()
        if len(cur) != 1 or not con.execute("select vintage_key(?) >= vintage_key(?)", [vintage, cur[0][0]]).fetchone()[0]:
            return {}
        vintage = cur[0][0]
    return dict(con.execute(
        "select table_name, rows from source_load_tables where load_id = (select load_id from source_loads "
        "where source_id = ? and vintage = ? order by loaded_at desc limit 1)", [source_id, vintage]).fetchall())


def expectation_problems(con: duckdb.DuckDBPyConnection, spec: SourceSpec, vintage: str, parsed: ParseResult,
                         previous: dict[str, int], *, per_request: bool,
                         accept_shrink: bool) -> tuple[list[str], list[str]]:
    """(refusals, warnings) of a load whose rows are written but not committed
    (:mod:`gridscout.sources.expectations`: the data checks on its rows, unit anchors, no future
    years, rows within the band of the previous load)."""
    from gridscout.sources.expectations import ANCHORS, ROW_BAND
    from gridscout.warehouse.checks import all_checks

    refusals, warnings = [], []
    for name, sql in all_checks(con):
        bad = con.execute(f"select key, problem from ({sql}) where source_id = $s and vintage = $v limit 3",
                          {"s": spec.id, "v": vintage}).fetchall()
        if bad:
            n = con.execute(f"select count(*) from ({sql}) where source_id = $s and vintage = $v",
                            {"s": spec.id, "v": vintage}).fetchone()[0]
            refusals.append(f"data check {name}: {n} row(s) fail, e.g. " + "; ".join(f"{k}: {p}" for k, p in bad))
    for a in ANCHORS:
        if a.source_id != spec.id or a.table not in parsed.tables:
            continue
        where = " and ".join(f'"{k}" = ?' for k, _ in a.key)
        row = con.execute(f'select "{a.column}" from "{a.table}" where source_id = ? and vintage = ? and {where}',
                          [spec.id, vintage, *(v for _, v in a.key)]).fetchone()
        if row is not None and row[0] is not None and not a.lo <= row[0] <= a.hi:
            key = ", ".join(f"{k}={v}" for k, v in a.key)
            refusals.append(f"unit anchor {a.table}.{a.column} at {key}: {row[0]:g}, expected {a.lo:g}-{a.hi:g} "
                            f"({a.cite})")
    this_year = dt.datetime.now(dt.UTC).year
    for table, df in parsed.tables.items():
        if "year" in df.columns and df.height and (top := df["year"].max()) is not None and top > this_year:
            n = df.filter(pl.col("year") > this_year).height
            refusals.append(f"{table}: {n} row(s) for years after {this_year} (up to {top}); "
                            "a future year is not an observation")
        if "year" in df.columns and df.height and (low := df["year"].min()) is not None and low < FIRST_YEAR:
            n = df.filter(pl.col("year") < FIRST_YEAR).height
            refusals.append(f"{table}: {n} row(s) for years before {FIRST_YEAR} (down to {low}); a cut or garbled year?")
        before = previous.get(table)
        if per_request or not before:
            continue
        change = (df.height - before) / before
        if abs(change) > ROW_BAND:
            what = (f"{table}: {df.height:,} rows against {before:,} in the previous load ({change:+.0%}, "
                    f"outside ±{ROW_BAND:.0%})")
            if change < 0 and not accept_shrink:
                refusals.append(what + "; a cut or partial file? if the publisher really shrank it, "
                                "ingest again with --accept-shrink")
            else:
                warnings.append(what + (" (accepted: --accept-shrink)" if change < 0 else ""))
    return refusals, warnings


def load(con: duckdb.DuckDBPyConnection, spec: SourceSpec, files: list[LocatedFile], parsed: ParseResult,
         *, force: bool = False, accept_shrink: bool = False) -> LoadReport:
    """Write ``parsed`` into the warehouse for ``spec`` in one transaction; record provenance.

    Before the commit the new rows must meet the source's expectations
    (:func:`expectation_problems`); otherwise the transaction rolls back, the previous load stays
    current, and :class:`SourceFormatError` names the files, each expectation and its numbers."""
    vintage = parsed.vintage or spec.vintage
    code_version = parser_version(spec)
    if not force and unchanged_vintage(con, spec, files, vintage) is not None:
        return LoadReport(spec.id, vintage, "unchanged", message="same files as the last load of this vintage")
    unknown = set(parsed.tables) - set(spec.tables)
    if unknown:
        raise SourceFormatError(f"source {spec.id}: parser returned undeclared tables {sorted(unknown)}")
    load_id = f"{spec.id}-{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
    report = LoadReport(spec.id, vintage, "loaded", load_id=load_id, rejections=list(parsed.rejections),
                        rows_rejected=parsed.rows_rejected)
    previous = _previous_rows(con, spec.id, vintage)
    period_end = data_period_end(spec, parsed, vintage, [f.fetched_at for f in files])
    try:
        with transaction(con):
            for table in spec.tables:
                con.execute(f'delete from "{table}" where source_id = ? and vintage = ?', [spec.id, vintage])
            for table, df in parsed.tables.items():
                cols = _table_columns(con, table)
                df = df.with_columns(pl.lit(spec.id).alias("source_id"), pl.lit(vintage).alias("vintage"))
                extra = [c for c in df.columns if c not in cols]
                if extra:
                    raise SourceFormatError(f"source {spec.id}: columns {extra} are not in table {table}")
                view = f"_incoming_{uuid.uuid4().hex[:8]}"
                con.register(view, df.to_arrow())
                try:
                    con.execute(f'insert into "{table}" by name select * from {view}')
                finally:
                    con.unregister(view)
                report.tables[table] = df.height
                con.execute("insert into source_load_tables values (?, ?, ?)", [load_id, table, df.height])
            report.rows = sum(report.tables.values())
            for rej in parsed.rejections:
                con.execute("insert into source_load_rejections values (?, ?, ?, ?)",
                            [load_id, rej.table, rej.rows, rej.reason])
            for f in files:
                con.execute(
                    "insert into source_loads (load_id, source_id, vintage, file, url, sha256, bytes, rows, "
                    "rows_rejected, fetched_at, code_version, period_end) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [load_id, spec.id, vintage, f.name, f.url, f.sha256, f.bytes, report.rows, report.rows_rejected,
                     dt.datetime.fromtimestamp(f.fetched_at, dt.UTC), code_version, period_end])
            per_request = bool(files) and all(f.name.startswith(REQUESTS_DIR + "/") for f in files)
            refusals, warnings = expectation_problems(con, spec, vintage, parsed, previous, per_request=per_request,
                                                      accept_shrink=accept_shrink)
            if refusals:
                raise SourceFormatError(
                    f"source {spec.id!r}: load of {', '.join(f.name for f in files) or 'its files'} (vintage {vintage}) "
                    "refused; the previous load stays current:\n  " + "\n  ".join(refusals))
            if warnings:
                report.message = "; ".join(warnings)
            report.derived = refresh_derived(con, spec.id)
    except duckdb.Error as exc:  # a constraint the parsed rows break (a null key from a cut row, …): rolled back
        raise SourceFormatError(
            f"source {spec.id!r}: load of {', '.join(f.name for f in files) or 'its files'} (vintage {vintage}) "
            f"refused; the previous load stays current: {str(exc).splitlines()[0]}") from None
    return report



def retire(con: duckdb.DuckDBPyConnection, spec: SourceSpec, vintage: str) -> dict[str, int]:
    """Remove one loaded vintage of ``spec`` (its rows and provenance) in one transaction, so a bad
    vintage that should never have been current stops being current (the next one by
    ``vintage_key`` takes over). Returns the rows removed per table."""
    loads = [r[0] for r in con.execute("select distinct load_id from source_loads where source_id = ? and vintage = ?",
                                       [spec.id, vintage]).fetchall()]
    if not loads:
        have = [r[0] for r in con.execute("select distinct vintage from source_loads where source_id = ? order by 1",
                                          [spec.id]).fetchall()]
        raise SourceFormatError(f"source {spec.id!r} has no loaded vintage {vintage!r}; loaded: {have or 'none'}")
    removed: dict[str, int] = {}
    with transaction(con):
        for table in spec.tables:
            n = con.execute(f'select count(*) from "{table}" where source_id = ? and vintage = ?',
                            [spec.id, vintage]).fetchone()[0]
            con.execute(f'delete from "{table}" where source_id = ? and vintage = ?', [spec.id, vintage])
            removed[table] = n
        for t in ("source_load_tables", "source_load_rejections"):
            con.execute(f"delete from {t} where load_id in (select unnest(?::varchar[]))", [loads])
        con.execute("delete from source_loads where source_id = ? and vintage = ?", [spec.id, vintage])
        refresh_derived(con, spec.id)
    return removed
