"""Ingest: locate → parse → validate → load, for one source or many (pure functions under flows).

Files are hashed first: if the latest load of the source has exactly these files (and the same
parser; :func:`gridscout.warehouse.load.is_unchanged`, the one test of "unchanged"), nothing is
parsed or written. Parsing happens before the warehouse is opened for
writing, so the write lock is held only for the load's one short transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from gridscout.errors import SourceMissingError
from gridscout.sources import get, registry
from gridscout.sources.base import SourceSpec
from gridscout.sources.fetch import RefreshResult, fetch_live, locate, present, refresh, source_dir
from gridscout.warehouse import open_warehouse
from gridscout.warehouse.load import LoadReport, is_unchanged, load, retire
from gridscout.warehouse.publish import publish_snapshot, read_manifest


def ingest_source(spec: SourceSpec | str, *, db: str | Path | None = None, raw: Path | None = None,
                  force: bool = False, request: Mapping[str, object] | None = None,
                  accept_shrink: bool = False) -> LoadReport:
    """Ingest one source into the warehouse (idempotent).

    Without ``request``: the source's files (located, downloaded when missing). With a ``request``
    (a live API source's site, zone or window, e.g. ``{"sites": [(45.0, 8.0)]}``): the source's
    fetcher saves the responses for that request as raw files (real sha256 and size), and only those
    are parsed (pure) and loaded, under the request's own vintage.
    """
    spec = get(spec) if isinstance(spec, str) else spec
    files = fetch_live(spec, raw, **request) if request is not None else locate(spec, raw)
    if not files:
        return LoadReport(spec.id, spec.vintage, "skipped",
                          message="nothing fetched" if request is not None else "no files present (all optional)")
    if not force and (vintage := is_unchanged(spec, files, db)) is not None:
        return LoadReport(spec.id, vintage, "unchanged", message="same files and parser as the last load")
    parsed = spec.parse({f.name: f.path for f in files})
    with open_warehouse(db) as con:
        return load(con, spec, files, parsed, force=force, accept_shrink=accept_shrink)


def retire_vintage(source_id: str, vintage: str, *, db: str | Path | None = None) -> dict[str, int]:
    """``gridscout ingest --retire SOURCE VINTAGE``: remove a bad vintage so the previous one is current again."""
    with open_warehouse(db) as con:
        removed = retire(con, get(source_id), vintage)
    publish_snapshot(db, trigger=f"retire {source_id} {vintage}")
    return removed


def publish_after_ingest(results: list[dict], db: str | Path | None = None) -> list[dict]:
    """The ingest's last step (``flows/ingest.py:ingest_flow``): republish the analysts' snapshot
    (``warehouse/publish.py``) when a source was loaded, or when none was published yet; returns
    ``results`` unchanged. A failed source does not stop it: its previous good load is still current."""
    loaded = sorted(r["source_id"] for r in results if r.get("status") == "loaded")
    if loaded or read_manifest(db=db) is None:
        publish_snapshot(db, trigger="ingest " + (",".join(loaded) or "(no source changed)"))
    return results


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


def refresh_sources(source_ids: list[str], raw: Path | None = None) -> list[RefreshResult]:
    """Re-check each source's present files that have a download URL with conditional requests and
    re-fetch live-API sources (:func:`gridscout.sources.fetch.refresh`); the next ingest loads what changed.
    Files with no URL are not touched (an operator updates them)."""
    return [r for sid in source_ids for r in refresh(get(sid), raw)]


def default_sources() -> list[str]:
    """Sources ingested by a plain ``gridscout ingest``: every registered source."""
    return list(registry())
