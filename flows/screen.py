"""Region screening in partitions: one Prefect task per H3 parent cell, on a Dask cluster.

:func:`screen_flow` wraps the partitioned screening job (:mod:`gridscout.jobs.screen`): it plans the
partitions (:func:`~gridscout.jobs.screen.plan_partitions`), runs
:func:`~gridscout.jobs.screen.screen_partition` as one task per parent (on ``DaskTaskRunner``: a
local cluster of processes by default, or a real cluster with ``dask_address="tcp://scheduler:8786"``),
each writing ``<out>/surface/parent=<h3>/part.parquet`` (the hive-partitioned dataset the streamed
single-process run writes too), then clusters zones over the union
(:func:`~gridscout.jobs.screen.finish_partitions`) and writes ``run.json`` like the single-process run.

Screening profiles are pointwise (a cell's score does not depend on the other cells), so the
union of the partitions equals the single-process surface exactly (tests/ops/test_screen_flow.py).

Partition tasks are cached (Prefect ``cache_key_fn``) on region, resolution, parent, the
profile's sha256, the loaded data vintages and file hashes, the screening code's digest, the
warehouse path and the output file: a re-run with nothing changed skips the work; a changed
profile, a new data vintage, other code, another warehouse or another output folder recomputes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.context import TaskRunContext

from gridscout import config
from gridscout.jobs.screen import (cached_reference, dataset_water_stress, finish_partitions, part_path,
                                   plan_partitions, screen_manifest, screen_partition, write_dataset_geoparquet)
from gridscout.runs import new_run_id, write_manifest
from gridscout.scoring.profiles import load_profile

#: local cluster: 2 worker processes, 1 thread each; the dashboard on a free port of 127.0.0.1 only (8787 may
#: be taken; ":0" listened on every interface). ``cluster_kwargs={"dashboard_address": ...}`` overrides it.
DEFAULT_CLUSTER = {"n_workers": 2, "threads_per_worker": 1, "processes": True, "dashboard_address": "127.0.0.1:0"}


def partition_cache_key(context: TaskRunContext, parameters: dict) -> str:
    """Cache key of one partition: every input that changes its output file, including where it goes."""
    keyed = {k: parameters[k] for k in ("region", "resolution", "parent", "fingerprint")}
    keyed["db"] = str(config.db_path(parameters["db"]))
    keyed["out"] = str(part_path(Path(parameters["out"]).resolve(), parameters["parent"]))
    return "screen-part-" + hashlib.sha256(json.dumps(keyed, sort_keys=True).encode()).hexdigest()


@task(name="screen-partition", cache_key_fn=partition_cache_key, persist_result=True,
      task_run_name="screen-{region}-r{resolution}-{parent}")
def screen_partition_task(region: str, resolution: int, profile: str, parent: str, out: str, db: str | None,
                          fingerprint: str) -> dict:
    """Score the cells of ``region`` under one H3 parent (``fingerprint`` only keys the cache)."""
    return screen_partition(region, resolution, profile, parent, out, db)


@flow(name="gridscout-screen-partitions")
def _partitions_flow(region: str, resolution: int, profile: str, out: str, db: str | None, parents: list[str],
                     fingerprint: str) -> list[dict]:
    futures = [screen_partition_task.submit(region, resolution, profile, p, out, db, fingerprint) for p in parents]
    results = [f.result() for f in futures]
    # A cached result whose file was deleted since: compute that partition again.
    lost = [r["parent"] for r in results if r["path"] and not Path(r["path"]).is_file()]
    if lost:
        get_run_logger().warning("recomputing %d cached partition(s) whose files are gone: %s", len(lost), lost)
        redo = screen_partition_task.with_options(refresh_cache=True)
        again = {p: redo.submit(region, resolution, profile, p, out, db, fingerprint) for p in lost}
        results = [again[r["parent"]].result() if r["parent"] in again else r for r in results]
    return results


def _task_runner(use_dask: bool, dask_address: str | None, cluster_kwargs: dict | None):
    if not use_dask:
        from prefect.task_runners import ThreadPoolTaskRunner

        return ThreadPoolTaskRunner(max_workers=1)
    from prefect_dask import DaskTaskRunner

    if dask_address:
        return DaskTaskRunner(address=dask_address)
    return DaskTaskRunner(cluster_kwargs={**DEFAULT_CLUSTER, **(cluster_kwargs or {})})


@flow(name="gridscout-screen", flow_run_name="screen-{region}-r{resolution}", log_prints=True)
def screen_flow(region: str, resolution: int = 7, profile: str = config.DEFAULT_PROFILE, out: str | None = None,
                db: str | None = None, partitions_resolution: int = config.DASK_PARTITIONS_RESOLUTION, use_dask: bool = True,
                dask_address: str | None = None, cluster_kwargs: dict | None = None, geoparquet: bool = False) -> dict:
    """Screen ``region`` at H3 ``resolution`` in partitions by parent cell at ``partitions_resolution``.

    Writes ``<out>/surface/parent=<h3>/part.parquet`` (one per non-empty partition), ``<out>/zones.parquet``
    (zones over the whole surface), with ``geoparquet`` ``<out>/surface.geoparquet`` (the hexagons, from the
    parts one at a time: :func:`gridscout.jobs.screen.write_dataset_geoparquet`) and ``<out>/run.json``
    (the single-process run's keys plus the partition figures); returns a summary dict.
    """
    started = dt.datetime.now(dt.UTC)
    plan = plan_partitions(region, resolution, profile, out, db, partitions_resolution)
    out_dir, db, parents, fingerprint = plan["out"], plan["db"], plan["parents"], plan["fingerprint"]
    logger = get_run_logger()
    logger.info("%s at r%d: %d candidate partitions at r%d (fingerprint %s)", region, resolution, len(parents),
                partitions_resolution, fingerprint)
    t0 = time.perf_counter()
    runner = _task_runner(use_dask, dask_address, cluster_kwargs)
    results = _partitions_flow.with_options(task_runner=runner)(
        region=region, resolution=resolution, profile=profile, out=str(out_dir), db=db, parents=parents,
        fingerprint=fingerprint)
    wall = time.perf_counter() - t0
    t1 = time.perf_counter()
    n_cells, zones = finish_partitions(out_dir, db, prof := load_profile(profile))
    t_zones = time.perf_counter() - t1
    t_geo = write_dataset_geoparquet(out_dir) if geoparquet and n_cells else None
    summary = {"region": region, "resolution": resolution, "profile": profile, "profile_sha256": plan["profile_sha256"],
               "partitions_resolution": partitions_resolution, "partitions": len(parents),
               "partitions_nonempty": sum(1 for r in results if r["cells"]), "cells": n_cells,
               "zones": zones.height, "fingerprint": fingerprint, "wall_s": round(wall, 2),
               "dask": bool(use_dask), "dask_address": dask_address, "out": str(out_dir),
               "partition_stats": sorted(({k: v for k, v in r.items() if k != "unknown_medians"} for r in results),
                                         key=lambda r: r["parent"])}
    ref = cached_reference(db)
    timings = {"partitions": wall, "zones": t_zones,
               **{k: sum(r["timings_s"].get(k, 0.0) for r in results) for k in ("polyfill", "features", "score")}}
    if t_geo is not None:
        timings["geoparquet"] = t_geo
    write_manifest(out_dir, screen_manifest(
        new_run_id(started), started, region, resolution, prof, ref.vintages, summary["cells"], summary["zones"],
        timings, dataset_water_stress(out_dir, ref.water_stress_basins),
        unknown_medians=next((r["unknown_medians"] for r in results if r.get("unknown_medians")), None),
        **{k: summary[k] for k in ("partitions_resolution", "partitions", "partitions_nonempty", "fingerprint",
                                   "dask", "dask_address", "partition_stats")}))
    logger.info("%s: %d cells in %d partitions, %d zones → %s", region, summary["cells"],
                summary["partitions_nonempty"], zones.height, out_dir)
    return summary
