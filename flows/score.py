"""Score flow: candidates + profile → scores.parquet, run.json (reads the warehouse read-only)."""

from __future__ import annotations

from prefect import flow, get_run_logger

from gridscout.jobs.score import score_candidates


@flow(name="gridscout-score", log_prints=True)
def score_flow(candidates: str | None = None, profile: str = "balanced", out: str | None = None,
               db: str | None = None, mc_draws: int = 1000, seed: int = 0,
               failed_sources: list[dict] | None = None, fail_on_stale: bool = False,
               fetch_weather: bool = False, carbon_year: int | None = None, complete: bool = True) -> str:
    if fail_on_stale:
        from gridscout.ops.freshness import fail_on_stale as check_fresh

        check_fresh(db)
    if mc_draws < 0 or mc_draws > 100_000:
        raise ValueError("mc_draws must be between 0 and 100000")
    result = score_candidates(candidates, profile, out, db=db, mc_draws=mc_draws, seed=seed,
                              failed_sources=failed_sources or [], fetch_weather=fetch_weather,
                              carbon_year=carbon_year, complete=complete)
    get_run_logger().info("scored %d sites → %s", result.scores.height, result.run_dir)
    return str(result.run_dir)
