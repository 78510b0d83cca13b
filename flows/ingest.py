"""Ingest flow: one task per source (download, retried inside; parse and load), then the data checks."""

from __future__ import annotations

from pathlib import Path

from prefect import flow, get_run_logger, task

from flows.artifacts import load_table_rows, publish_table
from flows.concurrency import writer_slot
from gridscout.errors import GridscoutError
from gridscout.jobs.ingest import default_sources, ingest_source, preflight, publish_after_ingest
from gridscout.sources import get
from gridscout.warehouse.checks import run_checks
from gridscout.warehouse.db import connect


# No Prefect retries: every HTTP request inside already retries (gridscout.sources.retry: 4 attempts,
# waits 1, 3, 9 s). Retrying the task on top multiplied that to 12 attempts per file.
@task(name="fetch-source")
def fetch_task(source_id: str, raw: str | None) -> list[str]:
    """I/O only: make sure the source's files are present (each request makes at most 4 attempts)."""
    from gridscout.sources.fetch import locate

    return [f.name for f in locate(get(source_id), Path(raw) if raw else None)]


@task(name="load-source")
def load_task(source_id: str, db: str | None, raw: str | None, force: bool, accept_shrink: bool = False) -> dict:
    logger = get_run_logger()
    try:
        with writer_slot():  # one warehouse writer at a time, queued in Prefect
            report = ingest_source(source_id, db=db, raw=Path(raw) if raw else None, force=force,
                                   accept_shrink=accept_shrink)
    except GridscoutError as exc:
        # One source's failure (download, format drift) must not stop the others; its previous
        # good load stays in the warehouse untouched (the failed load never committed).
        logger.error("%s: FAILED: %s", source_id, exc)
        return {"source_id": source_id, "status": "failed", "vintage": None, "rows": 0, "rows_rejected": 0,
                "tables": {}, "rejections": [], "message": str(exc)}
    logger.info("%s: %s vintage=%s rows=%d rejected=%d %s", source_id, report.status, report.vintage, report.rows,
                report.rows_rejected, report.message)
    for rej in report.rejections:
        if getattr(rej, "superseded", False):
            logger.info("%s: kept the newest record; %d superseded older row(s) of %s not loaded: %s", source_id,
                        rej.rows, rej.table, rej.reason)
        else:
            logger.info("%s: rejected %d row(s) of %s: %s", source_id, rej.rows, rej.table, rej.reason)
    return {"source_id": source_id, "status": report.status, "vintage": report.vintage, "rows": report.rows,
            "rows_rejected": report.rows_rejected, "tables": report.tables,
            "rejections": [r.__dict__ for r in report.rejections], "message": report.message,
            "derived": report.derived}


@flow(name="gridscout-ingest", log_prints=True)
def ingest_flow(sources: list[str] | None = None, db: str | None = None, raw: str | None = None,
                force: bool = False, accept_shrink: bool = False) -> list[dict]:
    """Ingest the given sources (default: all) into the warehouse and run the data checks."""
    ids = sources or default_sources()
    for sid in ids:
        get(sid)  # validate names at the flow boundary
    preflight(ids, Path(raw) if raw else None)
    logger = get_run_logger()
    results = []
    for sid in ids:
        try:
            fetch_task(sid, raw)
        except GridscoutError as exc:
            logger.error("%s: FAILED to fetch: %s", sid, exc)
            results.append({"source_id": sid, "status": "failed", "vintage": None, "rows": 0, "rows_rejected": 0,
                            "tables": {}, "rejections": [], "message": str(exc)})
            continue
        results.append(load_task(sid, db, raw, force, accept_shrink))
    con = connect(db, read_only=True)
    try:
        failed = [c for c in run_checks(con) if c.bad_rows]
    finally:
        con.close()
    for c in failed:
        logger.error("data check %s failed: %d bad row(s), e.g. %s", c.name, c.bad_rows, c.examples[:3])
    for r in results:
        if r["status"] == "failed":
            logger.error("source %s failed: %s", r["source_id"], r["message"])
    publish_table("ingest-loads", load_table_rows(ids, results),
                  "one row per source: status, vintage, rows, rows rejected")
    return publish_after_ingest(results, db)
