"""The whole job: ingest → score → report, as one Prefect flow with three sub-flows."""

from __future__ import annotations

from prefect import flow

from flows.ingest import ingest_flow
from flows.report import report_flow
from flows.score import score_flow


@flow(name="gridscout-pipeline", log_prints=True)
def pipeline_flow(candidates: str | None = None, profile: str = "balanced", out: str | None = None,
                  db: str | None = None, raw: str | None = None, sources: list[str] | None = None,
                  mc_draws: int = 1000, seed: int = 0) -> str:
    ingest_flow(sources=sources, db=db, raw=raw)
    run_dir = score_flow(candidates=candidates, profile=profile, out=out, db=db, mc_draws=mc_draws, seed=seed)
    report_flow(run_dir=run_dir)
    return run_dir
