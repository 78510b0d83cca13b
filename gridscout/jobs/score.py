"""The scoring job: candidates → features → physical estimates → scores → scores.parquet + run.json.

The CLI calls :func:`score_candidates`, which composes the steps :func:`read_inputs`,
:func:`read_warehouse`, :func:`features_step`, :func:`models_step`, :func:`score_step`,
:func:`robustness_step`, :func:`write_run` and :func:`complete_run`; ``flows/score.py`` runs the same
steps as one Prefect task each (``flows/run.py`` through it). Inputs are validated before anything is written; the warehouse is read
once (:func:`~gridscout.warehouse.readers.reference.read_reference`, read-only, short-lived) plus the
hourly weather rows the sites need, and the run is recorded in it in one short transaction at the end.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from gridscout import config
from gridscout.candidates import Candidates, load_candidates, water_source_contradictions
from gridscout.errors import CandidateError, WarehouseError
from gridscout.features.assemble import site_features
from gridscout.features.carbon import zone_years
from gridscout.features.location import country_contradictions
from gridscout.features.offsite_water import run_summary as offsite_summary
from gridscout.features.power import with_ba_curtailment
from gridscout.features.water_stress import basin_tier_available, run_summary, stress_weighted_water
from gridscout.features.weather_link import weather_choice
from gridscout.models.estimate import estimate_for_sites, hourly_station_keys
from gridscout.reference import Reference, check_reference
from gridscout.warehouse.readers.reference import read_reference, weather_hourly
from gridscout.runs import check_out_dir, code_version, file_sha256, new_run_id, safe_out_dir, write_manifest
from gridscout.safe_write import finish_run, is_complete, write_parquet
from gridscout.warehouse.db import open_warehouse, transaction
from gridscout.warehouse.publish import publish_snapshot



@dataclass
class RunResult:
    run_id: str
    run_dir: Path
    scores: pl.DataFrame
    manifest: dict
    timings_s: dict[str, float] = field(default_factory=dict)


def _write_parquet(df: pl.DataFrame, run_dir: Path, name: str) -> Path:
    return write_parquet(df, run_dir, name)


def build_features(cands: Candidates, ref: Reference, *, carbon_year: int | None = None) -> pl.DataFrame:
    """Features of the candidate sites (one code path with screening cells) and their weather tier."""
    return weather_choice(site_features(cands.sites, ref, carbon_year=carbon_year))


def carbon_manifest(ref: Reference, feats: pl.DataFrame, requested: int | None, origin: str) -> dict:
    """What run.json says about the carbon analysis year and basis (the report header shows it)."""
    from gridscout.features.carbon import available_bases, latest_complete_year

    year = requested if requested is not None else latest_complete_year(ref.zone_carbon_yearly)
    fell = feats.filter(pl.col("carbon_year_fell_back").fill_null(False)) if "carbon_year_fell_back" in feats.columns \
        else feats.clear()
    labels = feats["carbon_basis_label"].drop_nulls().unique().sort().to_list() if "carbon_basis_label" in feats.columns else []
    return {"year": year, "year_from": origin, "basis": "lifecycle", "basis_label": "; ".join(labels) or None,
            "bases_available": available_bases(ref.zone_carbon_yearly),
            "sites_fell_back": fell.height,
            "fallback_years": sorted(set(fell["carbon_year"].drop_nulls().to_list())) if fell.height else []}


def price_manifest(feats: pl.DataFrame) -> dict:
    """Which price sources scored how many sites, and the band caveat for Eurostat prices."""
    from gridscout.features.prices import BAND_CAVEAT

    counts = feats.group_by("price_source").len().drop_nulls().sort("price_source") if "price_source" in feats.columns \
        else pl.DataFrame({"price_source": [], "len": []})
    by = {r["price_source"]: r["len"] for r in counts.iter_rows(named=True)}
    return {"sites_by_source": by, "sites_unknown": feats.height - sum(by.values()),
            "band_caveat": BAND_CAVEAT if "eurostat_prices" in by else None}


def estimate(feats: pl.DataFrame, ref: Reference, profile, db: str | Path | None
             ) -> tuple[pl.DataFrame, dict[str, pl.DataFrame]]:
    """Physical estimates per site: reads the hourly weather the sites need, then the pure models."""
    feats, own = user_weather(feats)
    keys = [k for k in hourly_station_keys(feats) if own is None or k not in set(own["station_key"])]
    weather = weather_hourly(db, keys) if keys else None
    if own is not None:
        if weather is not None and weather.height:
            own = own.select([pl.col(c).cast(weather.schema[c]) for c in weather.columns if c in own.columns])
            weather = pl.concat([weather, own], how="diagonal")
        else:
            weather = own
    est, extras = estimate_for_sites(feats, weather, profile)
    # curtailment hours in the site's BA need its flat facility draw, hence the PUE estimate
    return with_ba_curtailment(est, ref, profile.facility), extras


def user_weather(feats: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame | None]:
    """Sites whose candidate row names a ``weather_file``: read each file (its format recognised by
    :func:`gridscout.sources.user_weather.read_weather_file`) and let it stand for the site
    (``weather_source`` = ``weather_file: <name>``, key ``weather_file:<path>``); the hourly model then
    runs on it. A bad file is a :class:`CandidateError` naming the site and the file."""
    if "weather_file" not in feats.columns or feats["weather_file"].null_count() == feats.height:
        return feats, None
    from gridscout.errors import SourceFormatError
    from gridscout.sources.user_weather import read_weather_file

    frames, meta = [], {}
    for r in feats.filter(pl.col("weather_file").is_not_null()).iter_rows(named=True):  # per user file (few)
        key = f"weather_file:{r['weather_file']}"
        if key in meta:
            continue
        try:
            df, m = read_weather_file(Path(r["weather_file"]), key, latitude=r["latitude"], longitude=r["longitude"])
        except (SourceFormatError, OSError, ValueError) as exc:
            raise CandidateError(f"site {r['site_id']!r}: weather_file {r['weather_file']}: {exc}") from exc
        frames.append(df)
        meta[key] = m
    given = pl.col("weather_file").is_not_null()
    key = pl.lit("weather_file:") + pl.col("weather_file")
    elev = pl.col("weather_file").replace_strict(
        {k.removeprefix("weather_file:"): m.get("elevation_m") for k, m in meta.items()}, default=None,
        return_dtype=pl.Float64)
    feats = feats.with_columns(
        pl.when(given).then(key).otherwise(pl.col("weather_station_key")).alias("weather_station_key"),
        pl.when(given).then(pl.lit("weather_file: ") + pl.col("weather_file").str.split("/").list.last())
        .otherwise(pl.col("weather_source")).alias("weather_source"),
        pl.when(given).then(pl.lit(None, pl.Float64)).otherwise(pl.col("weather_distance_km")).alias("weather_distance_km"),
        pl.when(given).then(elev).otherwise(pl.col("weather_elevation_m")).alias("weather_elevation_m"),
    )
    return feats, pl.concat(frames, how="diagonal_relaxed")


@dataclass
class ScoreInputs:
    """Validated inputs of one scoring run (the first step; nothing written yet)."""

    cand_path: Path
    cands: Candidates
    prof: object  # scoring.profiles.Profile
    year_from: str  # where the carbon year came from: cli | profile | default
    started: dt.datetime
    timings: dict[str, float] = field(default_factory=dict)


def read_inputs(candidates: str | Path | None = None, profile: str | Path | None = None,
                carbon_year: int | None = None) -> ScoreInputs:
    """Read and validate the candidates and the profile (``carbon_year`` overrides the profile's)."""
    from gridscout.scoring.profiles import load_profile

    started = dt.datetime.now(dt.UTC)
    t = time.perf_counter()
    cand_path = Path(candidates or config.DEFAULT_CANDIDATES)
    cands = load_candidates(cand_path)
    prof = load_profile(profile or config.DEFAULT_PROFILE)
    contradictions = water_source_contradictions(cands.sites, prof.facility.cooling)
    if contradictions:
        raise CandidateError(f"{cand_path}: {len(contradictions)} problem(s); nothing was scored:\n  "
                             + "\n  ".join(contradictions[:20]))
    year_from = "cli" if carbon_year is not None else "profile" if prof.carbon_year is not None else "default"
    if carbon_year is not None:
        from dataclasses import replace

        from gridscout.scoring.profiles import check_carbon_year

        prof = replace(prof, carbon_year=check_carbon_year(carbon_year, "gridscout run/score", "--carbon-year"))
    inp = ScoreInputs(cand_path, cands, prof, year_from, started)
    inp.timings["read_inputs"] = time.perf_counter() - t
    return inp


def read_warehouse(inp: ScoreInputs, db: str | Path | None = None, out: str | Path | None = None,
                   fetch_weather: bool = False) -> tuple[Reference, list[dict], str]:
    """The load step: the reference data (data checks, one read-only connection), the missing site
    weather when ``fetch_weather`` (this writes the warehouse), and the run id, with ``out`` checked."""
    t = time.perf_counter()
    ref = read_reference(db, check=True)  # data checks and reads: one read-only connection
    check_reference(ref)
    inp.timings["read_warehouse"] = time.perf_counter() - t
    weather_fetches: list[dict] = []
    if fetch_weather:
        from gridscout.jobs.site_weather import fetch_missing_weather

        t = time.perf_counter()
        weather_fetches = fetch_missing_weather(inp.cands.sites, ref, db)
        ref = read_reference(db)
        inp.timings["fetch_weather"] = time.perf_counter() - t
    run_id = new_run_id(inp.started)
    check_out_dir(out, run_id)  # refuse a bad --out now; the folder is made only when there are results
    return ref, weather_fetches, run_id


def features_step(inp: ScoreInputs, ref: Reference) -> pl.DataFrame:
    """Site features; contradictions (a site's stated country vs its coordinates) go to the notes."""
    t = time.perf_counter()
    feats = build_features(inp.cands, ref, carbon_year=inp.prof.carbon_year)
    row_of = {sid: i + 2 for i, sid in enumerate(inp.cands.sites["site_id"].to_list())}
    contradictions = country_contradictions(feats, ref, row_of)  # warned in run.json and the report, never silently picked
    inp.cands.notes.extend(f"contradiction: {c}" for c in contradictions)
    inp.timings["features"] = time.perf_counter() - t
    return feats


def models_step(inp: ScoreInputs, feats: pl.DataFrame, ref: Reference, db: str | Path | None = None
                ) -> tuple[pl.DataFrame, dict[str, pl.DataFrame]]:
    """Physical estimates (PUE, WUE, power, water stress weighting) and the side tables."""
    t = time.perf_counter()
    est, extras = estimate(feats, ref, inp.prof, db)
    est = stress_weighted_water(est)
    inp.timings["models"] = time.perf_counter() - t
    return est, extras


def score_step(inp: ScoreInputs, est: pl.DataFrame):
    """Gates, scores and ranks (no Monte Carlo): :func:`gridscout.scoring.engine.score_deterministic`."""
    from gridscout.scoring.engine import score_deterministic

    t = time.perf_counter()
    # a point in the open sea fails the on_land gate, which every profile has (scoring.gates)
    det = score_deterministic(est, inp.prof)
    inp.timings["scoring"] = time.perf_counter() - t
    return det


def robustness_step(inp: ScoreInputs, det, mc_draws: int = 1000, seed: int = 0):
    """Monte Carlo rank robustness and the Pareto set; returns (ScoreResult, scores sorted for output)."""
    from gridscout.scoring.engine import add_robustness

    t = time.perf_counter()
    result = add_robustness(det, inp.prof, mc_draws=mc_draws, seed=seed)
    scores = result.scores.sort(["excluded", "rank"], nulls_last=True)
    inp.timings["scoring"] = inp.timings.get("scoring", 0.0) + time.perf_counter() - t  # as before the split
    return result, scores


def write_run(inp: ScoreInputs, ref: Reference, feats: pl.DataFrame, est: pl.DataFrame,
              extras: dict[str, pl.DataFrame], result, scores: pl.DataFrame, run_id: str,
              out: str | Path | None = None, *, db: str | Path | None = None, mc_draws: int = 1000, seed: int = 0,
              failed_sources: list[dict] | None = None, weather_fetches: list[dict] | None = None) -> RunResult:
    """Write scores.parquet, the side tables and run.json (the run is not completed here: :func:`complete_run`)."""
    t = time.perf_counter()
    timings = inp.timings
    run_dir = safe_out_dir(out, run_id)  # a run that fails before this point leaves no folder behind
    _write_parquet(scores, run_dir, "scores.parquet")
    extras["carbon_years"] = zone_years(ref.zone_carbon_yearly, est)  # the report's carbon-by-year chart
    for name, frame in extras.items():
        _write_parquet(frame, run_dir, f"{name}.parquet")
    _write_parquet(ref.boundaries, run_dir, "boundaries.parquet")
    timings["write"] = time.perf_counter() - t
    prof, cands, cand_path = inp.prof, inp.cands, inp.cand_path
    manifest = {
        "run_id": run_id,
        "started_at": inp.started.isoformat(),
        "finished_at": dt.datetime.now(dt.UTC).isoformat(),
        "code_version": code_version(),
        "warehouse": str(config.db_path(db)),
        "out_dir": str(run_dir),
        "candidates": {"path": str(cand_path.resolve()), "sha256": file_sha256(cand_path), "rows": cands.sites.height,
                       "notes": cands.notes, "supplied_columns": cands.supplied},
        "profile": result.profile if hasattr(result, "profile") else prof.to_dict(),
        "seed": seed,
        "mc_draws": mc_draws,
        "carbon": carbon_manifest(ref, feats, prof.carbon_year, inp.year_from),
        "prices": price_manifest(feats),
        "sources": ref.vintages.with_columns(pl.col(pl.Datetime("us", "UTC")).dt.to_string("%Y-%m-%dT%H:%M:%SZ"))
                   .to_dicts() if ref.vintages.height else [],
        "failed_sources": failed_sources or [],
        "weather_fetches": weather_fetches or [],
        "water_stress": run_summary(est, basins_available=basin_tier_available(ref.water_stress_basins)),
        "offsite_water": offsite_summary(est),
        "timings_s": {k: round(v, 3) for k, v in timings.items()},
        "outputs": sorted(p.name for p in run_dir.iterdir() if p.is_file() and not p.name.endswith(".part")),
    }
    write_manifest(run_dir, manifest)
    return RunResult(run_id, run_dir, scores, manifest, timings)


def score_candidates(candidates: str | Path | None = None, profile: str | Path | None = None, out: str | Path | None = None,
                     *, db: str | Path | None = None, mc_draws: int = 1000, seed: int = 0,
                     failed_sources: list[dict] | None = None, fetch_weather: bool = False,
                     carbon_year: int | None = None, complete: bool = True) -> RunResult:
    """Score candidate sites under a profile and write scores.parquet, run.json and side tables.

    The steps, in order (``flows/score.py`` runs each as a Prefect task): :func:`read_inputs`,
    :func:`read_warehouse` (load), :func:`features_step`, :func:`models_step`, :func:`score_step`,
    :func:`robustness_step`, :func:`write_run`, then :func:`complete_run`.

    ``complete``: this is the run's last step (``gridscout score``), so finish it (``_SUCCESS``, then
    the warehouse record); ``gridscout run`` passes False and completes the run after its report.

    ``failed_sources`` (from the ingest step) are recorded in run.json: the run used the previous
    good load of each, and says so. ``carbon_year`` (``--carbon-year``) overrides the profile's
    ``carbon_year``; neither given: the latest complete year of ``carbon_yearly``."""
    inp = read_inputs(candidates, profile, carbon_year)
    ref, weather_fetches, run_id = read_warehouse(inp, db, out, fetch_weather)
    feats = features_step(inp, ref)
    est, extras = models_step(inp, feats, ref, db)
    det = score_step(inp, est)
    result, scores = robustness_step(inp, det, mc_draws, seed)
    run = write_run(inp, ref, feats, est, extras, result, scores, run_id, out, db=db, mc_draws=mc_draws, seed=seed,
                    failed_sources=failed_sources, weather_fetches=weather_fetches)
    if complete:
        complete_run(run.run_dir, db, run.manifest, scores)
    return run


def complete_run(run_dir: str | Path, db: str | Path | None, manifest: dict | None = None,
                 scores: pl.DataFrame | None = None) -> bool:
    """Finish the run in ``run_dir``: ``_SUCCESS`` on disk first, then the warehouse's "completed"
    record, so the warehouse never claims a run whose folder is unfinished. A run already complete
    is left as it is (False)."""
    import json

    run_dir = Path(run_dir)
    if is_complete(run_dir):
        return False
    manifest = manifest if manifest is not None else json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    scores = scores if scores is not None else pl.read_parquet(run_dir / "scores.parquet")
    finish_run(run_dir, manifest["run_id"])
    record_run(db, manifest, scores)
    publish_snapshot(db, trigger=f"score {manifest['run_id']}")  # mart_latest_run_site_results changed
    return True


def record_run(db: str | Path | None, manifest: dict, scores: pl.DataFrame) -> None:
    """Record a completed run and its per-site results in one short write transaction."""
    import json

    cols = ["site_id", "site_name", "score", "rank", "excluded", "pue_annual", "carbon_g_per_kwh", "price_usd_per_mwh"]
    rows = scores.select([pl.col(c) if c in scores.columns else pl.lit(None).alias(c) for c in cols]) \
        .with_columns(pl.lit(manifest["run_id"]).alias("run_id"))
    with open_warehouse(db) as con:
        with transaction(con):
            con.execute("insert into runs (run_id, started_at, finished_at, status, profile, candidates, out_dir, manifest) "
                        "values (?, ?, ?, 'completed', ?, ?, ?, ?)",
                        [manifest["run_id"], manifest["started_at"], manifest["finished_at"],
                         (manifest.get("profile") or {}).get("name"), manifest["candidates"]["path"],
                         str(manifest.get("out_dir", "")), json.dumps(manifest, default=str)])
            con.register("_run_rows", rows.to_arrow())
            con.execute("insert into run_site_results by name select * from _run_rows")
            con.unregister("_run_rows")
