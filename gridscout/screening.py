"""Region screening as a run: surface + candidate zones + run.json (+ report), under one run folder.

The scored candidate zones are also written as ``scores.parquet`` (one row per zone, placed at its
best cell) so the same report shows the suitability surface and the zones worth a look.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from gridscout import config
from gridscout.features.reference import read_reference
from gridscout.pipeline import check_reference
from gridscout.runs import code_version, new_run_id, safe_out_dir, write_manifest
from gridscout.scoring.profiles import load_profile
from gridscout.scoring.screen import screen_region


def zones_as_sites(zones: pl.DataFrame) -> pl.DataFrame:
    """Candidate zones in the shape of a scores table: site_id, site_name, latitude, longitude, score, rank."""
    z = zones
    lat = next(c for c in ("best_latitude", "latitude", "best_lat") if c in z.columns)
    lon = next(c for c in ("best_longitude", "longitude", "best_lon") if c in z.columns)
    name = next((c for c in ("zone_name", "name") if c in z.columns), None)
    ident = next((c for c in ("zone_id", "id") if c in z.columns), None)
    score = next(c for c in ("mean_score", "best_score", "score") if c in z.columns)
    out = z.with_columns(
        (pl.col(ident).cast(pl.String) if ident else pl.int_range(1, z.height + 1).cast(pl.String)).alias("site_id"),
        (pl.col(name) if name else pl.lit("zone")).alias("site_name"),
        pl.col(lat).alias("latitude"), pl.col(lon).alias("longitude"), pl.col(score).alias("score"),
        pl.lit(False).alias("excluded"),
    )
    return out.with_columns(pl.col("score").rank("ordinal", descending=True).cast(pl.Int64).alias("rank")).sort("rank")


def run_screen(region: str, resolution: int, profile: str | Path, out: str | Path | None = None, *,
               db: str | Path | None = None, render: bool = True) -> Path:
    started = dt.datetime.now(dt.UTC)
    prof = load_profile(profile or config.DEFAULT_PROFILE)
    ref = read_reference(db)
    check_reference(ref)
    run_id = new_run_id(started)
    run_dir = safe_out_dir(out, run_id)
    result = screen_region(region, resolution, prof, ref, run_dir)
    if result.zones is not None and result.zones.height:
        zones_as_sites(result.zones).write_parquet(run_dir / "scores.parquet")
    ref.boundaries.write_parquet(run_dir / "boundaries.parquet")
    write_manifest(run_dir, {
        "run_id": run_id, "kind": "screen", "region": region, "resolution": resolution,
        "started_at": started.isoformat(), "finished_at": dt.datetime.now(dt.UTC).isoformat(),
        "code_version": code_version(), "profile": prof.to_dict(), "cells": result.surface.height,
        "zones": 0 if result.zones is None else result.zones.height,
        "sources": ref.vintages.with_columns(pl.col(pl.Datetime("us", "UTC")).dt.to_string("%Y-%m-%dT%H:%M:%SZ"))
                   .to_dicts() if ref.vintages.height else [],
        "timings_s": {k: round(v, 3) for k, v in result.timings_s.items()},
    })
    if render and (run_dir / "scores.parquet").exists():
        from gridscout.report.outputs import write_gis_outputs
        from gridscout.report.render import render_report

        write_gis_outputs(run_dir)
        render_report(run_dir)
    return run_dir
