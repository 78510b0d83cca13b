"""Region screening in partitions: one Prefect task per H3 parent cell, on a Dask cluster.

:func:`screen_flow` splits a region's H3 cells by their parent at ``partitions_resolution`` (3 or
4), runs :func:`gridscout.scoring.screen.screen_region` with ``partition=[parent]`` as one task per
parent (on ``DaskTaskRunner``: a local cluster of processes by default, or a real cluster with
``dask_address="tcp://scheduler:8786"``), each writing ``<out>/surface/part-<parent>.parquet``. The
partitioned surface is then read back as one (:func:`read_surface`), candidate zones are computed
on it and written to ``<out>/zones.parquet``.

Screening profiles are pointwise (a cell's score does not depend on the other cells), so the
union of the partitions equals the single-process surface exactly (tests/ops/test_screen_flow.py).

Partition tasks are cached (Prefect ``cache_key_fn``) on region, resolution, parent, the
profile's sha256, the loaded data vintages and file hashes, the screening code's digest, the
warehouse path and the output file: a re-run with nothing changed skips the work; a changed
profile, a new data vintage, other code, another warehouse or another output folder recomputes.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import os
import resource
import shutil
import time
from pathlib import Path

import polars as pl
from prefect import flow, get_run_logger, task
from prefect.context import TaskRunContext

from gridscout import config
from gridscout.errors import GridscoutError

PART_GLOB = "part-*.parquet"
#: local cluster: 2 worker processes, 1 thread each; dashboard on a free port (8787 may be taken)
DEFAULT_CLUSTER = {"n_workers": 2, "threads_per_worker": 1, "processes": True, "dashboard_address": ":0"}

_REF_CACHE: dict[tuple, object] = {}


def surface_dir(out: str | Path) -> Path:
    return Path(out) / "surface"


def part_path(out: str | Path, parent: str) -> Path:
    return surface_dir(out) / f"part-{parent}.parquet"


#: columns :func:`gridscout.scoring.screen.cluster_zones` reads (the flow loads only these for zones)
ZONE_COLUMNS = ("h3", "h3_int", "latitude", "longitude", "score", "excluded", "grid_zone", "country", "us_state")


def read_surface(out: str | Path, columns: list[str] | tuple[str, ...] | None = None) -> pl.DataFrame:
    """The partitioned surface of a screening folder as one frame, sorted by cell (``h3_int``).

    ``columns`` limits what is read (a continent at r8 is tens of millions of rows: read only what
    you need, or use ``pl.scan_parquet(<out>/surface/part-*.parquet)`` lazily).
    """
    parts = sorted(surface_dir(out).glob(PART_GLOB))
    if not parts:
        raise GridscoutError(f"{surface_dir(out)} has no {PART_GLOB}: run the screening flow first")
    frames = [pl.read_parquet(p, columns=list(columns) if columns else None) for p in parts]
    return pl.concat(frames, how="diagonal_relaxed").sort("h3_int")


def _reference(db: str | None):
    """The warehouse's reference frames, read once per worker process (keyed on the file's identity)."""
    from gridscout.features.reference import read_reference

    path = config.db_path(db)
    st = path.stat()
    key = (str(path), st.st_mtime_ns, st.st_size)
    if key not in _REF_CACHE:
        _REF_CACHE.clear()
        _REF_CACHE[key] = read_reference(path)
    return _REF_CACHE[key]


def region_parents(region: str, resolution: int, partitions_resolution: int, db: str | None) -> list[str]:
    """H3 cells at ``partitions_resolution`` that may hold cells of ``region`` (a superset: the
    cover in ``overlap`` mode plus one ring, since fine cells are not exactly nested in their
    ancestors). Partitions that turn out empty write no file."""
    import h3

    from gridscout.scoring import hexgrid
    from gridscout.scoring.screen import region_geometry

    if not 0 <= partitions_resolution <= resolution:
        raise GridscoutError(f"partitions_resolution must be between 0 and the resolution ({resolution}), "
                             f"got {partitions_resolution}")
    geom = region_geometry(region, _reference(db))
    shape = hexgrid.to_h3shape(geom)
    cover = set(h3.h3shape_to_cells_experimental(shape, partitions_resolution, "overlap"))
    if not cover:
        p = geom.representative_point()
        cover = {h3.latlng_to_cell(p.y, p.x, partitions_resolution)}
    return sorted({n for c in cover for n in h3.grid_disk(c, 1)})


def code_digest() -> str:
    """Digest of the modules that decide a cell's score (a change invalidates cached partitions)."""
    import gridscout
    from gridscout.features import reference, sites
    from gridscout.scoring import engine, hexgrid, profiles, screen

    h = hashlib.sha256(gridscout.__version__.encode())
    for mod in (screen, hexgrid, engine, profiles, sites, reference):
        h.update(inspect.getsource(mod).encode())
    return h.hexdigest()[:16]


def data_fingerprint(db: str | None, profile_sha256: str) -> str:
    """Profile sha256 + current data vintages and file hashes + code digest, as one short hash."""
    ref = _reference(db)
    vint = ref.vintages.select("source_id", "vintage", "files").sort("source_id").rows()
    doc = {"profile": profile_sha256, "vintages": vint, "code": code_digest()}
    return hashlib.sha256(json.dumps(doc, sort_keys=True, default=str).encode()).hexdigest()[:24]


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
    """Score the cells of ``region`` under one H3 parent; write ``surface/part-<parent>.parquet``."""
    from gridscout.scoring.profiles import load_profile
    from gridscout.scoring.screen import screen_region

    t0 = time.perf_counter()
    ref = _reference(db)
    prof = load_profile(profile)
    work = surface_dir(out) / f"_work-{parent}-{os.getpid()}"
    try:
        res = screen_region(region, resolution, prof, ref, work, partition=[parent], geoparquet=False)
        dest = part_path(out, parent)
        if res.n_cells:
            os.replace(res.paths["surface"], dest)
        else:
            dest.unlink(missing_ok=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {"parent": parent, "cells": res.n_cells, "path": str(dest) if res.n_cells else None,
            "seconds": time.perf_counter() - t0, "timings_s": res.timings_s,
            "worker_peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


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


@flow(name="gridscout-screen", log_prints=True)
def screen_flow(region: str, resolution: int = 7, profile: str = config.DEFAULT_PROFILE, out: str | None = None,
                db: str | None = None, partitions_resolution: int = 3, use_dask: bool = True,
                dask_address: str | None = None, cluster_kwargs: dict | None = None) -> dict:
    """Screen ``region`` at H3 ``resolution`` in partitions by parent cell at ``partitions_resolution``.

    Writes ``<out>/surface/part-<parent>.parquet`` (one per non-empty partition), ``<out>/zones.parquet``
    (zones over the whole surface) and ``<out>/screen.json``; returns a summary dict.
    """
    from gridscout.scoring.profiles import load_profile
    from gridscout.features.reference import read_places
    from gridscout.scoring.screen import RegionError, cluster_zones

    if not 0 <= resolution <= 15:
        raise RegionError(f"resolution must be 0..15, got {resolution}")
    if partitions_resolution not in range(7):
        raise GridscoutError(f"partitions_resolution must be 0..6 (3 or 4 is usual), got {partitions_resolution}")
    prof = load_profile(profile)
    if not prof.pointwise:
        raise GridscoutError(f"profile {profile!r} is not pointwise: it cannot be screened in partitions")
    out_dir = Path(out) if out else config.reports_dir() / f"screen-{region}-r{resolution}"
    out_dir = out_dir.resolve()
    db = str(config.db_path(db))  # workers get the same file whatever their environment
    surface_dir(out_dir).mkdir(parents=True, exist_ok=True)
    parents = region_parents(region, resolution, min(partitions_resolution, resolution), db)
    fingerprint = data_fingerprint(db, prof.sha256)
    logger = get_run_logger()
    logger.info("%s at r%d: %d candidate partitions at r%d (fingerprint %s)", region, resolution, len(parents),
                partitions_resolution, fingerprint)
    # files of partitions outside this run (another partitions_resolution or region) must not be read back
    keep = {part_path(out_dir, p).name for p in parents}
    for stale in surface_dir(out_dir).glob(PART_GLOB):
        if stale.name not in keep:
            stale.unlink()
    t0 = time.perf_counter()
    runner = _task_runner(use_dask, dask_address, cluster_kwargs)
    results = _partitions_flow.with_options(task_runner=runner)(
        region=region, resolution=resolution, profile=profile, out=str(out_dir), db=db, parents=parents,
        fingerprint=fingerprint)
    wall = time.perf_counter() - t0
    surface = read_surface(out_dir, columns=ZONE_COLUMNS)
    zones = cluster_zones(surface, places=read_places(db))
    zones.write_parquet(out_dir / "zones.parquet")
    summary = {"region": region, "resolution": resolution, "profile": profile, "profile_sha256": prof.sha256,
               "partitions_resolution": partitions_resolution, "partitions": len(parents),
               "partitions_nonempty": sum(1 for r in results if r["cells"]), "cells": surface.height,
               "zones": zones.height, "fingerprint": fingerprint, "wall_s": round(wall, 2),
               "dask": bool(use_dask), "dask_address": dask_address, "out": str(out_dir),
               "partition_stats": sorted(results, key=lambda r: r["parent"])}
    (out_dir / "screen.json").write_text(json.dumps(summary, indent=1, default=str), encoding="utf-8")
    logger.info("%s: %d cells in %d partitions, %d zones → %s", region, surface.height,
                summary["partitions_nonempty"], zones.height, out_dir)
    return summary
