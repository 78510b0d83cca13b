"""The one way tests build a real warehouse: ingest the given sources from the real raw folder."""

from __future__ import annotations

from pathlib import Path


def build_warehouse(db: Path, raw: Path, sources) -> Path:
    """Ingest ``sources`` (ids) from ``raw`` into a new warehouse at ``db``; return ``db``."""
    from gridscout.jobs.ingest import ingest_source

    for sid in sources:
        ingest_source(sid, db=db, raw=raw)
    return db
