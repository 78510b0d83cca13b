"""The whole job (`gridscout run`): ingest → score → report, as one Prefect flow with three sub-flows."""

from __future__ import annotations

from prefect import flow

from flows.ingest import ingest_flow
from flows.report import report_flow
from flows.score import check_freshness, score_flow


@flow(name="gridscout-run", log_prints=True)
def run_flow(candidates: str | None = None, profile: str = "balanced", out: str | None = None,
                  db: str | None = None, raw: str | None = None, sources: list[str] | None = None,
                  mc_draws: int = 1000, seed: int = 0, fail_on_stale: bool = False,
                  fetch_weather: bool = False, carbon_year: int | None = None) -> str:
    ingest = ingest_flow(sources=sources, db=db, raw=raw)
    if fail_on_stale:
        check_freshness(db, profile)
    failed = [{"source_id": r["source_id"], "message": r["message"]} for r in ingest if r["status"] == "failed"]
    run_dir = score_flow(candidates=candidates, profile=profile, out=out, db=db, mc_draws=mc_draws, seed=seed,
                         failed_sources=failed, fetch_weather=fetch_weather, carbon_year=carbon_year, complete=False)
    report_flow(run_dir=run_dir, complete=True, db=db)  # _SUCCESS and the "completed" record come last
    return run_dir
