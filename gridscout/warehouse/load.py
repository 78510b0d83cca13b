"""Idempotent loads with provenance: one transaction per load of one source.

A load is keyed by ``(source_id, vintage)``. Loading the same files again changes nothing (the
file hashes match the last load of that vintage, so it is skipped). Loading changed files of the
same vintage replaces that vintage's rows; a new vintage is added beside the old ones. The rows
and the ``source_loads`` provenance rows are written in one transaction, so a failure or a killed
process leaves the warehouse exactly as it was before the load.
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
from gridscout.sources.base import ParseResult, Rejection, SourceSpec
from gridscout.sources.fetch import LocatedFile


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


def load(con: duckdb.DuckDBPyConnection, spec: SourceSpec, files: list[LocatedFile], parsed: ParseResult,
         *, force: bool = False) -> LoadReport:
    """Write ``parsed`` into the warehouse for ``spec`` in one transaction; record provenance."""
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
    con.execute("begin transaction")
    try:
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
                "rows_rejected, fetched_at, code_version) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [load_id, spec.id, vintage, f.name, f.url, f.sha256, f.bytes, report.rows, report.rows_rejected,
                 dt.datetime.fromtimestamp(f.fetched_at, dt.UTC), code_version])
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return report

