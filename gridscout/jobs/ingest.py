"""Ingest: locate → parse → validate → load, for one source or many (pure functions under flows).

Files are hashed first: if the latest load of the source has exactly these files (and the same
parser), nothing is parsed or written. Parsing happens before the warehouse is opened for
writing, so the write lock is held only for the load's one short transaction.
"""

from __future__ import annotations

from pathlib import Path

from gridscout.errors import SourceMissingError
from gridscout.sources import get, registry
from gridscout.sources.base import SourceSpec
from gridscout.sources.fetch import LocatedFile, locate, present, source_dir
from gridscout.warehouse import open_warehouse
from gridscout.warehouse.db import connect
from gridscout.warehouse.load import LoadReport, load, parser_version


def is_unchanged(spec: SourceSpec, files: list[LocatedFile], db: str | Path | None) -> str | None:
    """The vintage of the latest load if it had exactly these files and this parser, else None."""
    from gridscout import config

    if not config.db_path(db).exists():
        return None
    con = connect(db, read_only=True)
    try:
        if not con.execute("select 1 from information_schema.tables where table_name = 'source_loads'").fetchone():
            return None
        row = con.execute("select load_id, vintage from source_loads where source_id = ? order by loaded_at desc limit 1",
                          [spec.id]).fetchone()
        if row is None:
            return None
        prev = set(con.execute("select file, sha256, code_version from source_loads where load_id = ?", [row[0]]).fetchall())
    finally:
        con.close()
    version = parser_version(spec)
    return row[1] if prev == {(f.name, f.sha256, version) for f in files} else None


def ingest_source(spec: SourceSpec | str, *, db: str | Path | None = None, raw: Path | None = None,
                  force: bool = False) -> LoadReport:
    """Ingest one source into the warehouse (idempotent)."""
    spec = get(spec) if isinstance(spec, str) else spec
    files = locate(spec, raw)
    if not files:
        return LoadReport(spec.id, spec.vintage, "skipped", message="no files present (all optional)")
    if not force and (vintage := is_unchanged(spec, files, db)) is not None:
        return LoadReport(spec.id, vintage, "unchanged", message="same files and parser as the last load")
    parsed = spec.parse({f.name: f.path for f in files})
    with open_warehouse(db) as con:
        return load(con, spec, files, parsed, force=force)


def preflight(source_ids: list[str], raw: Path | None = None) -> None:
    """Fail fast, before any flow starts, when a required file is missing and has no download URL
    (so nothing could fetch it). Missing files with a URL are left to the download step."""
    for sid in source_ids:
        spec = get(sid)
        have = present(spec, raw)
        for f in spec.files:
            if f.required and not have[f.name] and not f.url and not any(
                    (source_dir(spec, raw) / a).is_file() for a in f.alternatives):
                folder = source_dir(spec, raw)
                raise SourceMissingError(
                    f"source {spec.id!r} ({spec.title}): file {f.name!r} is missing from {folder} and has no "
                    f"public download URL ({spec.homepage}).\n  put it at: {folder / f.name}\n"
                    f"  or set GRIDSCOUT_RAW_DIR to a folder laid out <raw>/<source_id>/<file> that has it.")


def default_sources() -> list[str]:
    """Sources ingested by a plain ``gridscout ingest``: every registered source."""
    return list(registry())
