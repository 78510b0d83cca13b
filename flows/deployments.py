"""Every scheduled deployment, declared in one place, and ``serve_all`` to run them without a worker.

The table of deployments and cron schedules is :func:`gridscout.ops.schedules.schedule_table`: one ingest
deployment per source family (``ingest-grid``, ``ingest-prices``, …) and ``score-report-weekly``.
Two ways to run them (docs/operations.md):

* ``serve``: ``gridscout serve`` / ``python -m flows.deployments serve`` registers every deployment
  with the Prefect API in ``PREFECT_API_URL`` and runs their flows in this process's children.
* a process work pool + worker: ``prefect.yaml`` (generated from the same table with
  ``python -m flows.deployments yaml > prefect.yaml``), ``prefect --no-prompt deploy --all`` and
  ``prefect worker start --pool gridscout-local``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from prefect import flow, get_run_logger, task

from gridscout import config
from gridscout.ops import freshness as fresh, schedules
from gridscout.errors import GridscoutError

WORK_POOL = "gridscout-local"


@task(name="refresh-source")
def refresh_task(source_id: str, raw: str | None) -> list[dict]:
    """I/O only: re-check a source's present files with conditional requests (304 → untouched).
    No Prefect retries: each request retries inside (gridscout.sources.retry, 4 attempts) and a
    file that still fails is reported, not raised."""
    from gridscout.sources import get
    from gridscout.sources.fetch import refresh

    results = refresh(get(source_id), Path(raw) if raw else None)
    logger = get_run_logger()
    for r in results:
        log = logger.warning if r.status == "failed" else logger.info
        log("%s/%s: %s %s", r.source_id, r.file, r.status, r.message)
    return [r.__dict__ for r in results]


@task(name="check-freshness")
def freshness_task(db: str | None, fail_on_stale: bool, block_on_manual: bool = False) -> list[dict]:
    """Log every loaded source's data age and load age against its limit; warn "manual update needed"
    for stale file-only sources; raise naming the stale sources a deployment can refresh (and the
    file-only ones too with ``block_on_manual``) when ``fail_on_stale``."""
    rows = (fresh.fail_on_stale(db, block_on_manual=block_on_manual) if fail_on_stale else fresh.freshness(db))
    logger = get_run_logger()
    for f in rows:
        if f.loaded_at is None:
            continue
        data_age = "UNKNOWN" if f.data_age_days is None else f"{f.data_age_days:.0f} d"
        line = (f"{f.source_id}: vintage {f.vintage}, data to {f.period_end} (data age {data_age}, "
                f"max {f.max_age_days} d), loaded {f.load_age_days:.1f} d ago: {f.status}")
        if f.stale:
            logger.warning("%s; %s", line, f.action)
        else:
            logger.info("%s", line)
    return [{"source_id": f.source_id, "data_age_days": f.data_age_days, "load_age_days": f.load_age_days,
             "status": f.status, "stale": f.stale, "refreshable": f.refreshable, "action": f.action} for f in rows]


@flow(name="gridscout-ingest-family", log_prints=True)
def ingest_family_flow(family: str, db: str | None = None, raw: str | None = None, force: bool = False,
                       refresh: bool = True) -> list[dict]:
    """Ingest every source of one family (grid, prices, carbon, climate, renewables, water, places).

    Present files with a download URL are first re-checked with conditional requests (unless
    ``refresh`` is false or ``GRIDSCOUT_OFFLINE`` is set). Sources whose files cannot be had are
    reported, as are sources that fail to fetch or parse (their previous good load stays), and the
    flow fails after ingesting the others, so one bad source does not hold back the rest of the family.
    """
    from flows.ingest import ingest_flow
    from gridscout.jobs.ingest import preflight

    ids = schedules.sources_of_family(family)  # unknown family → clear error at the boundary
    logger = get_run_logger()
    if not ids:
        logger.warning("family %r has no registered sources: nothing to ingest", family)
        return []
    if refresh and not config.offline():
        for sid in ids:
            refresh_task(sid, raw)
    ready, blocked = [], {}
    for sid in ids:
        try:
            preflight([sid], Path(raw) if raw else None)
            ready.append(sid)
        except GridscoutError as exc:
            blocked[sid] = str(exc)
    results = ingest_flow(sources=ready, db=db, raw=raw, force=force) if ready else []
    # a source that failed to fetch or parse keeps its previous good load; the run still fails, so a
    # scheduled ingest that did not refresh everything shows as Failed in Prefect
    blocked.update({r["source_id"]: f"{r['source_id']}: {r.get('message', '')}" for r in results
                    if r["status"] == "failed"})
    if blocked:
        done = [sid for sid in ready if sid not in blocked]
        raise GridscoutError(f"ingest-{family}: ingested {done or 'nothing'}; could not ingest "
                             f"{sorted(blocked)}:\n" + "\n".join(blocked.values()))
    return results


@flow(name="gridscout-score-report", log_prints=True)
def score_report_flow(candidates: str | None = None, profile: str = config.DEFAULT_PROFILE, out: str | None = None,
                      db: str | None = None, mc_draws: int = 1000, seed: int = 0,
                      fail_on_stale: bool = True) -> str:
    """Scheduled scoring: freshness check → score → report (the ingests run on their own schedules)."""
    from flows.report import report_flow
    from flows.score import score_flow
    from gridscout.candidates import load_candidates
    from gridscout.scoring.profiles import load_profile

    prof = load_profile(profile)  # validate at the boundary, before anything runs
    load_candidates(candidates or config.DEFAULT_CANDIDATES)
    freshness_task(db, fail_on_stale, prof.block_on_manual)
    run_dir = score_flow(candidates=candidates, profile=profile, out=out, db=db, mc_draws=mc_draws, seed=seed,
                         complete=False)
    report_flow(run_dir=run_dir, complete=True, db=db)  # _SUCCESS and the "completed" record come last
    return run_dir


FLOWS = {"gridscout-ingest-family": ingest_family_flow, "gridscout-score-report": score_report_flow}


def build_deployments(env: dict[str, str] | None = None) -> list:
    """A ``RunnerDeployment`` per :func:`gridscout.ops.schedules.schedule_table` entry (cron in UTC)."""
    from prefect.deployments.runner import EntrypointType
    from prefect.schedules import Cron

    out = []
    for e in schedules.schedule_table(env):
        fl = FLOWS[e.flow_name]
        out.append(fl.to_deployment(
            e.name, schedules=[Cron(e.cron, timezone="UTC")], parameters=e.parameters, description=e.description,
            tags=list(e.tags), entrypoint_type=EntrypointType.MODULE_PATH))
    return out


def serve_all(limit: int | None = None, env: dict[str, str] | None = None) -> None:
    """Register every deployment and serve them (blocks; stop with Ctrl-C / SIGINT).

    Needs ``PREFECT_API_URL`` pointing at a running server (``scripts/prefect_server.sh start``).
    """
    from prefect import serve

    serve(*build_deployments(env), limit=limit)


def prefect_yaml(env: dict[str, str] | None = None, work_pool: str = WORK_POOL) -> str:
    """``prefect.yaml`` for a process work pool, generated from the same schedule table."""
    import yaml

    doc = {
        "name": "gridscout",
        "prefect-version": "3.8.8",
        "build": None,
        "push": None,
        "deployments": [
            {"name": e.name, "description": e.description, "entrypoint": e.entrypoint, "tags": list(e.tags),
             "parameters": e.parameters, "work_pool": {"name": work_pool},
             "schedules": [{"cron": e.cron, "timezone": "UTC", "active": True}]}
            for e in schedules.schedule_table(env)
        ],
    }
    head = ("# Generated by `uv run python -m flows.deployments yaml > prefect.yaml` from gridscout.ops.schedules.schedule_table\n"
            "# (no API keys set: carbon and prices monthly). Edit the table, not this file. See docs/operations.md.\n"
            "# No pull section: `prefect deploy` records the directory it runs in (run it from the repo root).\n")
    return head + yaml.safe_dump(doc, sort_keys=False, width=120)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    cmd = argv[0] if argv else "serve"
    if cmd == "serve":
        serve_all()
    elif cmd == "yaml":
        sys.stdout.write(prefect_yaml(env={}))
    elif cmd == "table":
        for e in schedules.schedule_table():
            print(f"{e.name:22} {e.cron:14} {e.cadence:8} {e.description}")
    else:
        print("usage: python -m flows.deployments [serve|yaml|table]", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    # Run the imported module's main, so deployments point at ``flows.deployments.<flow>``, not ``__main__``.
    from flows.deployments import main as _main

    sys.exit(_main())
