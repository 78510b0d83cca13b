"""Score flow: candidates + profile → scores.parquet, run.json; one Prefect task per step, so a failure
says where: ``score-load`` (inputs and warehouse), ``score-features``, ``score-models``, ``score-score``,
``score-robustness``, ``score-write`` (files, then the run's warehouse record under the ``duckdb-writer``
limit). Each task wraps one step of :mod:`gridscout.jobs.score`; :func:`~gridscout.jobs.score.score_candidates`
composes the same steps in the same order, so the flow's results equal the job's.

The tasks pass frames in memory and are not cached (``NO_CACHE``): a Prefect cache could return a
score computed against another warehouse or profile.
"""

from __future__ import annotations

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from flows.concurrency import writer_slot
from gridscout.jobs import score as job

_step = dict(cache_policy=NO_CACHE, persist_result=False)


@task(name="score-load", **_step)
def load_task(candidates, profile, out, db, fetch_weather, carbon_year):
    inp = job.read_inputs(candidates, profile, carbon_year)
    if fetch_weather:  # fetching site weather writes the warehouse
        with writer_slot():
            return inp, *job.read_warehouse(inp, db, out, fetch_weather)
    return inp, *job.read_warehouse(inp, db, out, fetch_weather)


@task(name="score-features", **_step)
def features_task(inp, ref):
    return job.features_step(inp, ref)


@task(name="score-models", **_step)
def models_task(inp, feats, ref, db):
    return job.models_step(inp, feats, ref, db)


@task(name="score-score", **_step)
def score_task(inp, est):
    return job.score_step(inp, est)


@task(name="score-robustness", **_step)
def robustness_task(inp, det, mc_draws, seed):
    return job.robustness_step(inp, det, mc_draws, seed)


@task(name="score-write", **_step)
def write_task(inp, ref, feats, est, extras, result, scores, run_id, out, db, mc_draws, seed, failed_sources,
               weather_fetches, complete):
    run = job.write_run(inp, ref, feats, est, extras, result, scores, run_id, out, db=db, mc_draws=mc_draws,
                        seed=seed, failed_sources=failed_sources, weather_fetches=weather_fetches)
    if complete:
        with writer_slot():
            job.complete_run(run.run_dir, db, run.manifest, scores)
    return run


def check_freshness(db: str | None, profile: str) -> None:
    """Raise naming the stale sources that block a run under ``profile`` (refreshable ones; file-only
    ones too when its ``[freshness] block_on_manual`` is set): the fail-on-stale step of
    ``gridscout-score`` and ``gridscout-run``."""
    from gridscout.ops.freshness import fail_on_stale
    from gridscout.scoring.profiles import load_profile

    fail_on_stale(db, block_on_manual=load_profile(profile).block_on_manual)


@flow(name="gridscout-score", log_prints=True)
def score_flow(candidates: str | None = None, profile: str = "balanced", out: str | None = None,
               db: str | None = None, mc_draws: int = 1000, seed: int = 0,
               failed_sources: list[dict] | None = None, fail_on_stale: bool = False,
               fetch_weather: bool = False, carbon_year: int | None = None, complete: bool = True) -> str:
    if fail_on_stale:
        check_freshness(db, profile)
    if mc_draws < 0 or mc_draws > 100_000:
        raise ValueError("mc_draws must be between 0 and 100000")
    inp, ref, weather_fetches, run_id = load_task(candidates, profile, out, db, fetch_weather, carbon_year)
    feats = features_task(inp, ref)
    est, extras = models_task(inp, feats, ref, db)
    det = score_task(inp, est)
    result, scores = robustness_task(inp, det, mc_draws, seed)
    run = write_task(inp, ref, feats, est, extras, result, scores, run_id, out, db, mc_draws, seed,
                     failed_sources or [], weather_fetches, complete)
    get_run_logger().info("scored %d sites → %s", run.scores.height, run.run_dir)
    return str(run.run_dir)
