"""Every scheduled deployment, declared in one place, and ``serve_all`` to run them without a worker.

The table of deployments and cron schedules is :func:`gridscout.ops.schedules.schedule_table`: one ingest
deployment per source family (``ingest-grid``, ``ingest-prices``, …) and ``score-report-weekly``.
Two ways to run them (docs/operations.md):

* ``serve``: ``gridscout serve`` / ``python -m flows.deployments serve`` registers every deployment as
  ``<name>-serve`` with the Prefect API in ``PREFECT_API_URL`` and runs their flows in this process's
  children (its own names: it never replaces or pauses the work pool's deployments).
* a process work pool + worker: ``prefect.yaml`` (generated from the same table with
  ``python -m flows.deployments yaml > prefect.yaml``), ``prefect --no-prompt deploy --all`` and
  ``prefect worker start --pool gridscout-local``.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from prefect import flow, get_run_logger, task

from flows.artifacts import publish_table
from gridscout import config
from gridscout.ops import freshness as fresh, schedules
from gridscout.errors import GridscoutError, SourceRefreshError

WORK_POOL = "gridscout-local"


#: Prefect retries of a refresh whose request failed: 3 attempts, 1 and 5 min apart (a publisher that
#: is briefly down). Each attempt's requests retry inside (gridscout.sources.retry: 4 attempts on
#: 5xx/429/timeouts, none on a refused connection), so a file gets at most 3 × 4 = 12 requests over
#: about 7 minutes, and an unreachable host 3.
REFRESH_RETRIES = 2
REFRESH_RETRY_DELAYS_S = [60.0, 300.0]


@task(name="refresh-source", task_run_name="refresh-{source_id}", retries=REFRESH_RETRIES,
      retry_delay_seconds=REFRESH_RETRY_DELAYS_S)
def refresh_task(source_id: str, raw: str | None) -> list[dict]:
    """I/O only: re-check a source's present files with conditional requests (304 → untouched).

    A file that cannot be re-checked raises :class:`SourceRefreshError` naming the source and files,
    so Prefect retries the task (``REFRESH_RETRIES``) and the run shows the failure."""
    from gridscout.sources import get
    from gridscout.sources.fetch import refresh

    results = refresh(get(source_id), Path(raw) if raw else None)
    logger = get_run_logger()
    for r in results:
        log = logger.warning if r.status == "failed" else logger.info
        log("%s/%s: %s %s", r.source_id, r.file, r.status, r.message)
    failed = [r for r in results if r.status == "failed"]
    if failed:
        raise SourceRefreshError(f"source {source_id!r}: could not re-check {[r.file for r in failed]} with its "
                                 f"publisher: " + "; ".join(f"{r.file}: {r.message}" for r in failed))
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
    table = [{"source_id": f.source_id, "data_age_days": f.data_age_days, "load_age_days": f.load_age_days,
              "status": f.status, "stale": f.stale, "refreshable": f.refreshable, "action": f.action} for f in rows]
    publish_table("freshness", table, "one row per source: data age (from its period end), load age, status, "
                  "and what refreshes it")
    return table


def _today() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%d")


def _ingest_run_name() -> str:
    """``ingest-<family>-<UTC date>``: what the run did, in the runs list."""
    from prefect.runtime import flow_run

    return f"ingest-{flow_run.parameters.get('family', 'unknown')}-{_today()}"


@flow(name="gridscout-ingest-family", flow_run_name=_ingest_run_name, log_prints=True)
def ingest_family_flow(family: str, db: str | None = None, raw: str | None = None, force: bool = False,
                       refresh: bool = True, sources: list[str] | None = None) -> list[dict]:
    """Ingest every source of one family (grid, prices, carbon, climate, renewables, water, places),
    or only ``sources`` of it (re-run the ones a failed run names).

    Present files with a download URL are first re-checked with conditional requests (unless
    ``refresh`` is false or ``GRIDSCOUT_OFFLINE`` is set); a source whose publisher cannot be
    reached fails its ``refresh-source`` task after its retries. Every source whose files are on
    disk is then ingested (a source that could not be re-checked keeps loading what it has), and
    the run ends **Failed** naming each source that could not be refreshed, found, fetched or
    parsed (their previous good loads stay), so one bad source neither holds back the rest of the
    family nor hides behind a Completed run. A table artifact ``ingest-<family>`` lists every source.
    """
    from flows.artifacts import load_table_rows
    from flows.ingest import ingest_flow
    from flows.secrets import load_api_keys
    from gridscout.jobs.ingest import preflight

    ids = schedules.sources_of_family(family)  # unknown family → clear error at the boundary
    load_api_keys()  # unset API keys from the Secret blocks (flows/secrets.py)
    if sources:
        bad = [s for s in sources if s not in ids]
        if bad:
            raise GridscoutError(f"{bad} are not sources of family {family!r}; its sources: {', '.join(ids)}")
        ids = [sid for sid in ids if sid in sources]
    logger = get_run_logger()
    if not ids:
        logger.warning("family %r has no registered sources: nothing to ingest", family)
        return []
    unrefreshed: dict[str, str] = {}
    if refresh and not config.offline():
        for sid in ids:
            state = refresh_task(sid, raw, return_state=True)
            if state.is_failed():
                unrefreshed[sid] = f"{sid}: refresh failed after {REFRESH_RETRIES + 1} attempts: {state.message}"
    ready, blocked = [], {}
    for sid in ids:
        try:
            preflight([sid], Path(raw) if raw else None)
            ready.append(sid)
        except GridscoutError as exc:
            blocked[sid] = str(exc)
    results = ingest_flow(sources=ready, db=db, raw=raw, force=force) if ready else []
    publish_table(f"ingest-{family}", load_table_rows(ids, results, blocked, unrefreshed),
                  f"ingest-{family}: one row per source (status, vintage, rows, rejected)")
    # -- h17snap: the analyst snapshot step goes here (after the loads, before the verdict) --
    # a source that failed to fetch or parse keeps its previous good load; the run still fails, so a
    # scheduled ingest that did not refresh everything shows as Failed in Prefect
    failed = dict(blocked)
    failed.update({r["source_id"]: f"{r['source_id']}: {r.get('message', '')}" for r in results
                   if r["status"] == "failed"})
    if failed or unrefreshed:
        done = [r["source_id"] for r in results if r["status"] != "failed"]
        parts = [f"ingest-{family}: ingested {done or 'nothing'}"]
        if failed:
            parts.append(f"could not ingest {sorted(failed)}")
        if unrefreshed:
            parts.append(f"could not refresh {sorted(unrefreshed)} (what was on disk was ingested)")
        raise GridscoutError("; ".join(parts) + ":\n" + "\n".join([*failed.values(), *unrefreshed.values()]))
    return results


def _score_run_name() -> str:
    return f"score-report-{_today()}"


@flow(name="gridscout-score-report", flow_run_name=_score_run_name, log_prints=True)
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
    # -- h17snap: the analyst snapshot step goes here (after the report) --
    return run_dir


FLOWS = {"gridscout-ingest-family": ingest_family_flow, "gridscout-score-report": score_report_flow}


#: suffix of the deployments ``serve`` registers: ``ingest-grid-serve`` beside the work pool's ``ingest-grid``.
#: Prefect keys a deployment by (flow name, deployment name): with the same names, ``serve`` replaced the
#: work-pool deployments (entrypoint switched, pull steps dropped) and paused them when it stopped.
SERVE_SUFFIX = "-serve"


def serve_name(entry_name: str) -> str:
    return entry_name + SERVE_SUFFIX


def build_deployments(env: dict[str, str] | None = None) -> list:
    """A ``RunnerDeployment`` per :func:`gridscout.ops.schedules.schedule_table` entry (cron in UTC),
    named ``<entry>-serve`` so they never touch the work-pool deployments of ``prefect.yaml``."""
    from prefect.deployments.runner import EntrypointType
    from prefect.schedules import Cron

    out = []
    for e in schedules.schedule_table(env):
        fl = FLOWS[e.flow_name]
        out.append(fl.to_deployment(
            serve_name(e.name), schedules=[Cron(e.cron, timezone="UTC")], parameters=e.parameters,
            description=e.description, tags=[*e.tags, "serve"], entrypoint_type=EntrypointType.MODULE_PATH))
    return out


def serve_all(limit: int | None = None, env: dict[str, str] | None = None) -> None:
    """Register every deployment as ``<name>-serve`` and serve them (blocks; stop with Ctrl-C / SIGINT,
    which pauses the ``-serve`` deployments only). Creates the ``duckdb-writer`` limit if missing.

    Needs ``PREFECT_API_URL`` pointing at a running server (``scripts/prefect_server.sh start``).
    """
    from prefect import serve

    from flows.concurrency import ensure_writer_limit
    from flows.secrets import load_api_keys

    ensure_writer_limit()
    if env is None:
        load_api_keys()  # keys in Secret blocks set the hourly carbon / daily prices cadences too
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
            "# Pull step: none written here, so `prefect deploy` records set_working_directory(<the directory it runs\n"
            "# in>): run it from the root of the clone the worker should run (after `uv sync`).\n"
            "# API keys: not in job_variables (they would be stored in plain text); Secret blocks eia-api-key and\n"
            "# electricitymaps-api-key are read at run time (flows/secrets.py). Serve uses the names <name>-serve.\n")
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
