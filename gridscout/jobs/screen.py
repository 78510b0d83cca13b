"""Region screening: score every H3 cell of a region, find candidate zones, write a run folder.

Steps (:func:`screen_region`): region polygon (:func:`gridscout.geo.regions.region_geometry`) → H3
cells whose centre is inside it (:func:`gridscout.geo.hexgrid.polyfill`) → the same features as
candidate sites (:func:`gridscout.features.assemble.cell_features`) → the per-station climate model
of each cell's nearest station (:func:`gridscout.models.climate_model.add_station_cooling`, the
model sites use where no hourly year stands for them) → the same
profile scoring (:func:`gridscout.scoring.engine.score_frame`) → ``surface.parquet``,
``surface.geoparquet`` and ``zones.parquet`` (:func:`gridscout.scoring.zones.cluster_zones`).

:func:`run_screen` makes that a run (run folder, run.json, report); the scored candidate zones are
also written as ``scores.parquet`` (one row per zone, placed at its best cell) so the same report
shows the suitability surface and the zones worth a look.

Screening requires a *pointwise* profile (every sub-criterion ``utility`` or ``minmax`` with
``lo``/``hi``): a cell's score must not depend on which other cells are scored. For the same reason
a factor scored ``neutral`` or ``uncertain`` when UNKNOWN takes the median of the whole region, not
of the cells scored with it: of a systematic sample of the region's cells (:func:`region_medians`,
recorded in run.json as ``unknown_medians``), so that a region
run in partitions (``partition=[H3 parents]``, :func:`screen_partition`, one Prefect task per parent
in ``flows/screen.py``) unions to exactly the single-process surface. Ranks, Monte Carlo and zones
depend on the whole population; they are not part of the surface: with ``partition`` given, zones
are not computed — :func:`finish_partitions` clusters the union of the partition surfaces.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import inspect
import json
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl

from gridscout import config
from gridscout.errors import GridscoutError, ProfileError
from gridscout.features.assemble import cell_features, cell_place_features
from gridscout.features.keyed import compact_text
from gridscout.features.power import prefetch_ba_models, with_ba_curtailment
from gridscout.features.water_stress import basin_tier_available, run_summary
from gridscout.geo import hexgrid
from gridscout.geo.nearest import run_starts
from gridscout.geo.regions import RegionError, region_geometry, region_parents
from gridscout.kernels import start_warm_kernels
from gridscout.models.climate_model import add_station_cooling
from gridscout.models.designs import get_design
from gridscout.peak_memory import peak_rss_mb
from gridscout.read_ahead import read_ahead
from gridscout.reference import Reference, check_reference
from gridscout.report.outputs import SURFACE_FILE, write_geoparquet, write_geoparquet_parts
from gridscout.runs import code_version, new_run_id, safe_out_dir, write_manifest
from gridscout.safe_write import finish_run, write_file, write_parquet
from gridscout.scoring.engine import score_frame
from gridscout.scoring.normalise import median_factors, unknown_medians
from gridscout.scoring.profiles import Profile, load_profile
from gridscout.scoring.zones import ZONE_COLUMNS, ZONE_STAT_COLUMNS, cluster_zones, zone_score_columns
from gridscout.scoring.zones import zone_threshold as threshold_of
from gridscout.warehouse.readers.reference import read_places, read_reference

#: the partitioned surface: a hive-partitioned Parquet dataset, one file per H3 parent, read with one
#: glob by DuckDB (``read_parquet('<out>/surface/*/*.parquet', hive_partitioning = true)``), Polars
#: (``pl.scan_parquet``) and Dask (``dd.read_parquet``); the files hold no ``parent`` column, the path does
PART_GLOB = "parent=*/part.parquet"

@dataclass
class ScreenResult:
    """``surface``: one row per cell (``h3``, ``h3_int``, ``latitude``, ``longitude``, features, scores);
    ``zones``: candidate zones (None for a partition run); ``paths``: written files;
    ``timings_s``: wall time per stage."""

    region: str
    resolution: int
    surface: pl.DataFrame
    zones: pl.DataFrame | None
    paths: dict[str, Path]
    timings_s: dict[str, float] = field(default_factory=dict)
    #: :func:`region_medians`: the UNKNOWN medians the cells were scored with
    unknown_medians: dict = field(default_factory=dict)

    @property
    def n_cells(self) -> int:
        return self.surface.height


def screen_region(region: str, resolution: int, profile: Profile, ref: Reference, out_dir: Path, *,
                  partition: list[str] | None = None, geoparquet: bool = True, zone_threshold: float | None = None,
                  cover: tuple[np.ndarray, np.ndarray] | None = None, geom=None) -> ScreenResult:
    """Score every H3 cell (``resolution`` 0–15) of ``region`` and write the surface and zones
    (``cover``: the region's :func:`~gridscout.geo.hexgrid.coarse_cover` at ``resolution``, ``geom`` its
    :func:`~gridscout.geo.regions.region_geometry`, when already computed).

    Files in ``out_dir``: ``surface.parquet`` (``h3`` string, ``h3_int`` uint64, lat/lon, features,
    scores, gates), ``surface.geoparquet`` (same rows and hexagon polygons, EPSG:4326; skipped with
    ``geoparquet=False``) and ``zones.parquet`` (unless ``partition`` is given).
    """
    if not 0 <= resolution <= 15:
        raise RegionError(f"resolution must be 0..15, got {resolution}")
    _require_pointwise(profile)
    t = {}
    t0 = time.perf_counter()
    start_warm_kernels()  # a no-op when the job started it (run_screen: beside reading the warehouse)
    prefetch_ba_models(ref.ba_demand)  # beside the polyfill (see prefetch_ba_models)
    geom = region_geometry(region, ref.boundaries) if geom is None else geom
    if cover is None:  # for the cells and the median sample
        cover = hexgrid.coarse_cover(geom, resolution)
    cells, lat, lon = hexgrid.polyfill(geom, resolution, partition, cover=cover)
    t["polyfill"] = time.perf_counter() - t0
    t1 = time.perf_counter()
    med = region_medians(geom, resolution, profile, ref, cover)
    t["medians"] = time.perf_counter() - t1
    surface = score_cells(cells, lat, lon, profile, ref, t, medians=med["medians"])
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {"surface": out_dir / "surface.parquet"}
    t1 = time.perf_counter()
    surface.write_parquet(paths["surface"], **SURFACE_PARQUET)
    t["parquet"] = time.perf_counter() - t1
    if geoparquet:
        t1 = time.perf_counter()
        paths["geoparquet"] = out_dir / "surface.geoparquet"
        write_geoparquet(surface, paths["geoparquet"])
        t["geoparquet"] = time.perf_counter() - t1
    zones = None
    if partition is None:
        t1 = time.perf_counter()
        zones = zones_of(surface, profile, ref.places, threshold=zone_threshold)
        paths["zones"] = out_dir / "zones.parquet"
        zones.write_parquet(paths["zones"])
        t["zones"] = time.perf_counter() - t1
    t["total"] = time.perf_counter() - t0
    return ScreenResult(region, resolution, surface, zones, paths, t, medians_record(med))


def _require_pointwise(profile: Profile) -> None:
    if not profile.pointwise:
        bad = [f"criteria.{c.name}.sub[{i}]" for c in profile.criteria for i, s in enumerate(c.subs) if not s.pointwise]
        raise ProfileError(f"{profile.source or profile.name}: [{bad[0]}] region screening needs pointwise "
                           "normalisation (utility, or minmax with lo/hi), so cell scores do not depend on the "
                           "region or partition")


#: most cells per :func:`cell_features` call: its temporaries (~4 kB per cell with its text columns)
#: scale with the call, each call costs a fixed ~0.07–0.15 s (indexes are cached per reference)
SCORE_BATCH_CELLS = 350_000


def cell_batches(cells: np.ndarray, size: int = SCORE_BATCH_CELLS) -> list[tuple[int, int]]:
    """``(start, stop)`` spans: the fewest batches of at most ~``size`` cells (⌈n / size⌉), of about
    equal size (so no call is a small tail paying the fixed cost for a few cells), each cut where an
    H3 parent three levels up starts (the coarse groups of
    :func:`~gridscout.features.assemble.cell_groups`, so batches group cells as one call would; cells
    sorted by index; a batch may pass its share by up to one such group), else at the share."""
    n = len(cells)
    k = -(-n // size)
    if k <= 1:
        return [(0, n)]
    res = hexgrid.resolution_of(cells)
    starts = run_starts(hexgrid.cell_parents(cells, max(0, res - 3)))
    cuts = [0]
    for i in range(1, k):
        target = round(n * i / k)
        nxt = int(starts[np.searchsorted(starts, target)]) if starts is not None and target <= starts[-1] else target
        if cuts[-1] < nxt < n:
            cuts.append(nxt)
    return list(zip(cuts, cuts[1:] + [n]))


def score_cells(cells, lat, lon, profile: Profile, ref: Reference, timings: dict[str, float] | None = None,
                *, medians: dict[str, float] | None = None) -> pl.DataFrame:
    """Features, cooling, curtailment and profile scores of the given cells (the one scoring path of
    :func:`screen_region`, :func:`screen_streamed` and :func:`screen_partition`), text labels as
    categoricals (:func:`~gridscout.features.keyed.compact_text`); adds stage seconds to ``timings``.
    ``medians``: the region's UNKNOWN medians (:func:`region_medians`), so that a cell's score does not
    depend on the cells scored with it; None: these cells' own.

    Features, cooling and curtailment are per cell, so they run in batches (:func:`cell_batches`;
    memory bounded by the batch, not the region); with the region's ``medians`` each batch is scored
    as it comes (a screening profile is pointwise), otherwise the joined batches are scored at once —
    the same values either way."""
    t = timings if timings is not None else {}
    t1 = time.perf_counter()
    t.setdefault("features", 0.0)
    score_before = t.setdefault("score", 0.0)

    def scored(feat: pl.DataFrame) -> pl.DataFrame:
        t2 = time.perf_counter()
        out = compact_text(score_frame(feat, profile, medians=medians))
        t["score"] += time.perf_counter() - t2
        return out

    # with the region's medians a row's score depends on its own row only, so each batch is scored as
    # it comes (CONUS r7 in memory: score 1.7 s over the whole frame, 1.3 s over its five batches);
    # with the cells' own medians the profile scores them all at once
    surface = cell_frame(cells, lat, lon, profile, ref, then=None if medians is None else scored)
    if medians is None:
        surface = scored(surface)
    t["features"] += time.perf_counter() - t1 - (t["score"] - score_before)
    return surface


def cell_frame(cells, lat, lon, profile: Profile, ref: Reference, then=None) -> pl.DataFrame:
    """What the profile scores for each cell: :func:`cell_features`, the climate-model cooling of the
    profile's design and the BA curtailment of its facility, in batches (:func:`cell_batches`), text
    as categoricals; ``then``: a function applied to each batch's frame (e.g. scoring it) before the
    batches are joined."""
    design = get_design(profile.facility.cooling, profile.facility.envelope)
    parts = []
    for lo, hi in cell_batches(np.asarray(cells)):
        feat = cell_features(cells[lo:hi], lat[lo:hi], lon[lo:hi], ref, carbon_year=profile.carbon_year)
        feat = add_station_cooling(feat, design)
        # each batch's columns in one chunk, so the joined frame's columns are chunked alike: Polars
        # realigns a frame of differently chunked columns at every frame-level operation (CONUS r7:
        # score_frame 2.4 s → 1.0 s for 0.2 s of rechunking). Columns as materialised Series: a
        # constant column (e.g. ``carbon_year_requested``) can stay a scalar column that joins
        # batches into fewer chunks than the others
        batch = compact_text(with_ba_curtailment(feat, ref, profile.facility)).rechunk()  # needs the PUE, as for sites
        if then is not None:
            batch = then(batch).rechunk()
        parts.append(pl.DataFrame(batch.get_columns()))
        del feat
    return parts[0] if len(parts) == 1 else pl.concat(parts, how="vertical")


#: most cells in the sample a screened region's UNKNOWN medians are taken over (:func:`median_sample`)
MEDIAN_SAMPLE_CELLS = 50_000


def median_sample(geom, resolution: int, cover: tuple[np.ndarray, np.ndarray] | None = None
                  ) -> tuple[int, np.ndarray, np.ndarray, np.ndarray]:
    """``(sample resolution, cells, lat, lon)``: the cells a region's UNKNOWN medians are taken over —
    the region's H3 cells (centre inside) at the finest resolution up to ``resolution`` − 2 that holds
    at most :data:`MEDIAN_SAMPLE_CELLS` (a systematic sample over the whole region, the same whatever
    part of it a run scores); a region too small to hold a cell there takes the coarsest resolution
    up to ``resolution`` that holds one.

    ``cover``: the region's :func:`~gridscout.geo.hexgrid.coarse_cover` at ``resolution`` (computed
    when not given). Its coarse cells, ``resolution`` − 3, also fill the sample at ``resolution`` − 2
    and − 3 (:func:`~gridscout.geo.hexgrid.fill_cover`: the same cells as a polyfill there), which
    is where the sample lies unless the region is tiny or vast (CONUS r7: r5, 30 k cells, 0.02 s
    instead of 0.36 s for polyfills at r0–r5); otherwise each resolution is polyfilled in turn."""
    rc = max(0, resolution - hexgrid.COARSE_STEP)
    if resolution - 2 >= rc:
        inner, edge = cover if cover is not None else hexgrid.coarse_cover(geom, resolution)
        for r in range(resolution - 2, rc - 1, -1):
            cells, lat, lon = hexgrid.fill_cover(geom, r, inner, edge)
            if not len(cells):
                break
            if len(cells) <= MEDIAN_SAMPLE_CELLS:  # a coarser level holds fewer still: this is the finest
                return r, cells, lat, lon
    best = (0, np.zeros(0, dtype=np.uint64), np.zeros(0), np.zeros(0))
    for r in range(resolution + 1):
        if len(best[1]) and r > resolution - 2:
            break
        cells, lat, lon = hexgrid.polyfill(geom, r)
        if len(best[1]) and len(cells) > MEDIAN_SAMPLE_CELLS:
            break
        best = (r, cells, lat, lon)
    return best


def region_medians(geom, resolution: int, profile: Profile, ref: Reference,
                   cover: tuple[np.ndarray, np.ndarray] | None = None) -> dict:
    """The UNKNOWN medians every cell of a screened region is scored with, whatever the run (in
    memory, streamed, on Dask): :func:`~gridscout.scoring.normalise.unknown_medians` of the region's
    :func:`median_sample` (``cover`` as there). ``{"medians": {column: median sub-score or NaN},
    "sample_resolution", "sample_cells"}``; no sample is scored when the profile scores no factor
    under ``neutral`` or ``uncertain``."""
    if not median_factors(profile):
        return {"medians": {}, "sample_resolution": None, "sample_cells": 0}
    r, cells, lat, lon = median_sample(geom, resolution, cover)
    medians = unknown_medians(median_frame(cells, lat, lon, profile, ref), profile) if len(cells) else \
        {sub.column: float("nan") for sub in median_factors(profile)}
    return {"medians": medians, "sample_resolution": r, "sample_cells": len(cells)}


def median_frame(cells, lat, lon, profile: Profile, ref: Reference) -> pl.DataFrame:
    """What the UNKNOWN medians of ``profile`` are taken over for these cells: their
    :func:`~gridscout.features.assemble.cell_place_features` when every column of every median factor
    (fallbacks included) is among them — the same values :func:`cell_frame` gives those columns, for
    a fraction of the work (the shipped profiles' median factors, price and water stress, are what a
    cell's place brings) — else the whole :func:`cell_frame`."""
    needed = {link.column for sub in median_factors(profile) for link in sub.chain()}
    places = cell_place_features(cells, lat, lon, ref, carbon_year=profile.carbon_year)
    return places if needed <= set(places.columns) else cell_frame(cells, lat, lon, profile, ref)


def medians_record(m: dict) -> dict:
    """:func:`region_medians` for run.json (NaN, no known value in the sample, as null)."""
    return {**m, "medians": {k: None if np.isnan(v) else round(v, 6) for k, v in m["medians"].items()}}


def zones_as_sites(zones: pl.DataFrame) -> pl.DataFrame:
    """Candidate zones in the shape of a scores table, for the report and GIS outputs: ``site_id`` (the
    zone's rank), ``site_name``, best-cell ``latitude``/``longitude``, ``score`` (the zone's mean, as
    ranked), ``rank`` = ``zone_id``, and each per-zone estimate's mean under the site column name
    (``pue_annual`` = ``pue_annual_mean``; its ``_min``/``_max`` kept beside it)."""
    means = {c.removesuffix("_mean"): c for c in zones.columns if c.endswith("_mean") and c != "mean_score"}
    return zones.with_columns(
        pl.col("zone_id").cast(pl.String).alias("site_id"), pl.col("zone_name").alias("site_name"),
        pl.col("best_latitude").alias("latitude"), pl.col("best_longitude").alias("longitude"),
        pl.col("mean_score").alias("score"), pl.lit(False).alias("excluded"),
        pl.col("zone_id").cast(pl.Int64).alias("rank"),
        *[pl.col(m).alias(c) for c, m in means.items()],
    ).drop([c for c in zones.columns if c.startswith(("score_", "contrib_")) and c.endswith(("_mean", "_min", "_max"))]
           ).sort("rank")


def stream_by_default(geom, resolution: int, cover: tuple[np.ndarray, np.ndarray] | None = None
                      ) -> tuple[bool, str]:
    """Whether a screening of ``geom`` at ``resolution`` streams when the user did not say: when the
    region may hold more than :data:`gridscout.config.STREAM_ABOVE_CELLS` cells (an upper bound from
    its coarse cover, :func:`~gridscout.geo.hexgrid.cover_cells_at_most`), so that a large region does
    not need its whole surface in memory (CONUS r7: 2.6 GB in memory, 1.5 GB streamed); ``cover``: that
    coarse cover when already computed. Returns the choice and the reason, in words."""
    inner, edge = cover if cover is not None else hexgrid.coarse_cover(geom, resolution)
    at_most = hexgrid.cover_cells_at_most(inner, edge, resolution)
    if at_most > config.STREAM_ABOVE_CELLS:
        return True, f"at most {at_most:,} cells > {config.STREAM_ABOVE_CELLS:,}: streamed"
    return False, f"at most {at_most:,} cells <= {config.STREAM_ABOVE_CELLS:,}: in memory"


def run_screen(region: str, resolution: int, profile: str | Path, out: str | Path | None = None, *,
               db: str | Path | None = None, render: bool = True, stream: bool | None = None,
               partitions_resolution: int | None = None, geoparquet: bool = False) -> Path:
    """A screening run folder: surface, zones, ``scores.parquet`` (zones as report rows), ``run.json``
    and the report. ``stream``: score one H3 parent at a time (:func:`screen_streamed`), writing the
    hive-partitioned ``surface/parent=<h3>/part.parquet`` instead of one ``surface.parquet``, so memory
    stays flat at any region size (``partitions_resolution``: the parents' resolution, default 6
    levels up); None (the default): streamed when the region may hold more than
    :data:`gridscout.config.STREAM_ABOVE_CELLS` cells (:func:`stream_by_default`), recorded in
    ``run.json`` (``streamed``, ``stream_reason``). An in-memory run writes ``surface.geoparquet``;
    a streamed one only with ``geoparquet`` (from its parts, one at a time:
    :func:`~gridscout.report.outputs.write_geoparquet_parts`)."""
    started = dt.datetime.now(dt.UTC)
    prof = load_profile(profile or config.DEFAULT_PROFILE)
    start_warm_kernels()  # numba's kernels load beside reading the warehouse (gridscout.kernels)
    ref = read_reference(db)
    check_reference(ref)
    prefetch_ba_models(ref.ba_demand)  # beside the region's cover (see prefetch_ba_models)
    if not 0 <= resolution <= 15:
        raise RegionError(f"resolution must be 0..15, got {resolution}")
    geom = region_geometry(region, ref.boundaries)  # a bad region is refused before any folder is made
    cover = None
    if stream is None:  # the coarse cover decides, and is handed on to the screening
        cover = hexgrid.coarse_cover(geom, resolution)
        stream, reason = stream_by_default(geom, resolution, cover)
    else:
        reason = "--stream" if stream else "--no-stream"
    run_id = new_run_id(started)
    run_dir = safe_out_dir(out, run_id)
    if stream:
        summary = screen_streamed(region, resolution, prof, ref, run_dir, partitions_resolution=partitions_resolution,
                                  cover=cover, geom=geom)
        zones_path = run_dir / "zones.parquet"
        zones = pl.read_parquet(zones_path) if zones_path.is_file() else None
        cells, timings = summary["cells"], summary["timings_s"]
        if geoparquet and cells:
            timings = {**timings, "geoparquet": round(write_dataset_geoparquet(run_dir), 3)}
        water = dataset_water_stress(run_dir, ref.water_stress_basins)
        extra = {"streamed": True, "stream_reason": reason, "partitions_resolution": summary["partitions_resolution"],
                 "partitions_nonempty": summary["partitions_nonempty"], "unknown_medians": summary["unknown_medians"]}
    else:
        result = screen_region(region, resolution, prof, ref, run_dir, cover=cover, geom=geom)
        zones, cells, timings = result.zones, result.surface.height, result.timings_s
        extra = {"streamed": False, "stream_reason": reason, "unknown_medians": result.unknown_medians}
        water = (run_summary(result.surface, basins_available=basin_tier_available(ref.water_stress_basins))
                 if "water_stress_method" in result.surface.columns else None)
        del result
    if zones is not None and zones.height:
        write_parquet(zones_as_sites(zones), run_dir, "scores.parquet")
    write_parquet(ref.boundaries, run_dir, "boundaries.parquet")
    write_manifest(run_dir, screen_manifest(run_id, started, region, resolution, prof, ref.vintages, cells,
                                            0 if zones is None else zones.height, timings, water, **extra))
    if render and (run_dir / "scores.parquet").exists():
        from gridscout.report.outputs import write_gis_outputs
        from gridscout.report.render import render_report

        write_gis_outputs(run_dir)
        render_report(run_dir)
    finish_run(run_dir, run_id)
    return run_dir


# --- partitioned screening (wrapped by flows/screen.py: one Prefect task per H3 parent) -----------

_REF_CACHE: dict[tuple, Reference] = {}
_MEDIANS_CACHE: dict[tuple, dict] = {}


def surface_dir(out: str | Path) -> Path:
    return Path(out) / "surface"


def write_dataset_geoparquet(out: str | Path) -> float:
    """``<out>/surface.geoparquet`` from a partitioned surface (``surface/parent=<h3>/part.parquet``,
    streamed or Dask), one part at a time (:func:`~gridscout.report.outputs.write_geoparquet_parts`),
    written atomically; returns the seconds it took."""
    t0 = time.perf_counter()
    parts = sorted(surface_dir(out).glob(PART_GLOB))
    if not parts:
        raise GridscoutError(f"no surface parts under {surface_dir(out)}: nothing to write as GeoParquet")
    write_file(Path(out), SURFACE_FILE, lambda fh: write_geoparquet_parts((pl.read_parquet(p) for p in parts), fh))
    return time.perf_counter() - t0


def part_path(out: str | Path, parent: str) -> Path:
    return surface_dir(out) / f"parent={parent}" / "part.parquet"


#: how a screening surface is written: zstd at level 1, not Polars' default 3 — the same size (CONUS r7
#: 300 k cells: 30.7 against 30.4 MB) for 15 % less encoding CPU (0.40 against 0.47 CPU-s), which a
#: streamed run spends on its writer thread beside the scoring
SURFACE_PARQUET = {"compression": "zstd", "compression_level": 1}


def write_part(surface: pl.DataFrame, out: str | Path, parent: str) -> Path | None:
    """Write one parent's cells to ``surface/parent=<parent>/part.parquet`` atomically (None, and any
    older file removed, when the parent holds no cell of the region)."""
    dest = part_path(out, parent)
    if not surface.height:
        dest.unlink(missing_ok=True)
        return None
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".part-{os.getpid()}.tmp")  # not matched by the dataset's *.parquet glob
    surface.write_parquet(tmp, **SURFACE_PARQUET)
    os.replace(tmp, dest)
    return dest


def read_surface(out: str | Path, columns: list[str] | tuple[str, ...] | None = None) -> pl.DataFrame:
    """The partitioned surface of a screening folder as one frame, sorted by cell (``h3_int``).

    ``columns`` limits what is read (a continent at r8 is tens of millions of rows: read only what
    you need, or scan ``<out>/surface/*/*.parquet`` lazily).
    """
    parts = sorted(surface_dir(out).glob(PART_GLOB))
    if not parts:
        raise GridscoutError(f"{surface_dir(out)} has no {PART_GLOB}: run the screening flow first")
    frames = [pl.read_parquet(p, columns=list(columns) if columns else None) for p in parts]
    return pl.concat(frames, how="diagonal_relaxed").sort("h3_int")


def cached_reference(db: str | Path | None) -> Reference:
    """The warehouse's reference frames, read once per worker process (keyed on the file's identity)."""
    path = config.db_path(db)
    st = path.stat()
    key = (str(path), st.st_mtime_ns, st.st_size)
    if key not in _REF_CACHE:
        _REF_CACHE.clear()
        _REF_CACHE[key] = read_reference(path)
    return _REF_CACHE[key]


def partition_parents(region: str, resolution: int, partitions_resolution: int, db: str | Path | None) -> list[str]:
    """H3 parents at ``partitions_resolution`` that may hold cells of ``region`` (see
    :func:`gridscout.geo.regions.region_parents`)."""
    if not 0 <= partitions_resolution <= resolution:
        raise GridscoutError(f"partitions_resolution must be between 0 and the resolution ({resolution}), "
                             f"got {partitions_resolution}")
    return region_parents(region_geometry(region, cached_reference(db).boundaries), partitions_resolution)


def code_digest() -> str:
    """Digest of the modules that decide a cell's score (a change invalidates cached partitions)."""
    import gridscout
    from gridscout.features import assemble, grid_zone, location, power, weather_link
    from gridscout.models import climate_model, headroom
    from gridscout.scoring import engine, profiles
    from gridscout.warehouse.readers import eia930, reference

    h = hashlib.sha256(gridscout.__version__.encode())
    for mod in (assemble, location, grid_zone, power, weather_link, hexgrid, climate_model, headroom, engine, profiles,
                reference, eia930, sys.modules[__name__]):
        h.update(inspect.getsource(mod).encode())
    h.update(climate_model.COEFFICIENTS_PATH.read_bytes())  # the fitted climate model decides cell cooling
    return h.hexdigest()[:16]


def data_fingerprint(db: str | Path | None, profile_sha256: str) -> str:
    """Profile sha256 + current data vintages and file hashes + code digest, as one short hash."""
    ref = cached_reference(db)
    vint = ref.vintages.select("source_id", "vintage", "files").sort("source_id").rows()
    doc = {"profile": profile_sha256, "vintages": vint, "code": code_digest()}
    return hashlib.sha256(json.dumps(doc, sort_keys=True, default=str).encode()).hexdigest()[:24]


def screen_partition(region: str, resolution: int, profile: str, parent: str, out: str | Path,
                     db: str | Path | None) -> dict:
    """Score the cells of ``region`` under one H3 parent; write ``surface/parent=<parent>/part.parquet``."""
    t0 = time.perf_counter()
    start_warm_kernels()  # once per worker process, beside its first reading of the warehouse
    ref = cached_reference(db)
    prefetch_ba_models(ref.ba_demand)  # beside the polyfill; a no-op once the worker has them
    prof = load_profile(profile)
    geom = region_geometry(region, ref.boundaries)
    cells, lat, lon = hexgrid.polyfill(geom, resolution, [parent])
    timings = {"polyfill": time.perf_counter() - t0}
    t1 = time.perf_counter()
    key = (region, resolution, prof.sha256, id(ref))  # once per worker process and region
    if key not in _MEDIANS_CACHE:
        _MEDIANS_CACHE.clear()
        _MEDIANS_CACHE[key] = region_medians(geom, resolution, prof, ref)
    med = _MEDIANS_CACHE[key]
    timings["medians"] = time.perf_counter() - t1
    surface = score_cells(cells, lat, lon, prof, ref, timings, medians=med["medians"])
    dest = write_part(surface, out, parent)
    return {"parent": parent, "cells": surface.height, "path": str(dest) if dest else None,
            "unknown_medians": medians_record(med),
            "seconds": time.perf_counter() - t0, "timings_s": timings,
            "worker_peak_rss_mb": peak_rss_mb()}


def plan_partitions(region: str, resolution: int, profile: str, out: str | Path | None, db: str | Path | None,
                    partitions_resolution: int) -> dict:
    """Validate a partitioned screening and prepare its folder: returns ``out`` (absolute), ``db``
    (absolute, so workers get the same file whatever their environment), ``parents``,
    ``fingerprint`` and the loaded profile's sha256. Part files of other partitionings are removed
    so they are never read back."""
    if not 0 <= resolution <= 15:
        raise RegionError(f"resolution must be 0..15, got {resolution}")
    if partitions_resolution not in range(7):
        raise GridscoutError(f"partitions_resolution must be 0..6 (3 or 4 is usual), got {partitions_resolution}")
    prof = load_profile(profile)
    if not prof.pointwise:
        raise GridscoutError(f"profile {profile!r} is not pointwise: it cannot be screened in partitions")
    out_dir = (Path(out) if out else config.reports_dir() / f"screen-{region}-r{resolution}").resolve()
    db = str(config.db_path(db))
    surface_dir(out_dir).mkdir(parents=True, exist_ok=True)
    parents = partition_parents(region, resolution, min(partitions_resolution, resolution), db)
    keep = {part_path(out_dir, p) for p in parents}
    for stale in surface_dir(out_dir).glob(PART_GLOB):
        if stale not in keep:
            stale.unlink()
    return {"out": out_dir, "db": db, "parents": parents, "fingerprint": data_fingerprint(db, prof.sha256),
            "profile_sha256": prof.sha256}


def zones_of(surface: pl.DataFrame, profile: Profile, places: pl.DataFrame | None, *,
             threshold: float | None = None) -> pl.DataFrame:
    """Candidate zones of a surface under the profile's ``[zones]`` settings (the one call of
    :func:`~gridscout.scoring.zones.cluster_zones` for single-process and partitioned screening)."""
    z = profile.zones
    return cluster_zones(surface, threshold=threshold, top_fraction=z.top_fraction, min_area_km2=z.min_area_km2,
                         max_area_km2=z.max_area_km2, places=places)


def finish_partitions(out_dir: Path, db: str | Path | None, profile: Profile, *,
                      places: pl.DataFrame | None = None, threshold: float | None = None
                      ) -> tuple[int, pl.DataFrame]:
    """Cluster zones over the partitioned surface and write ``zones.parquet``; returns (cells in the
    surface, zones). Reads two columns of every cell (``score``, ``excluded``) for the threshold
    (:func:`~gridscout.scoring.zones.zone_threshold`, as :func:`~gridscout.scoring.zones.cluster_zones`
    computes it), then only the cells at or above it, with only the columns zones need
    (:data:`ZONE_COLUMNS`, :data:`ZONE_STAT_COLUMNS`, score parts): a continent at r8 stays small.
    ``places``: the towns that name zones (default: read from ``db``)."""
    parts = sorted(surface_dir(out_dir).glob(PART_GLOB))
    if not parts:
        raise GridscoutError(f"{surface_dir(out_dir)} has no {PART_GLOB}: run the screening flow first")
    schema = pl.read_parquet_schema(parts[0])
    scan = pl.scan_parquet(parts)
    elig = ~pl.col("excluded") & pl.col("score").is_not_null()
    scores = scan.select("score", "excluded").collect()
    n_cells = scores.height
    if threshold is None:
        threshold = threshold_of(scores.filter(elig)["score"], profile.zones.top_fraction)
    del scores
    cols = [*ZONE_COLUMNS, *(c for c in ZONE_STAT_COLUMNS if c in schema), *zone_score_columns(schema)]
    cols = list(dict.fromkeys(cols))
    sel = scan.filter(elig & (pl.col("score") >= threshold)).select(cols).collect().sort("h3_int") \
        if threshold is not None else pl.DataFrame(schema={c: schema[c] for c in cols})
    zones = zones_of(sel, profile, read_places(db) if places is None else places, threshold=threshold)
    zones.write_parquet(Path(out_dir) / "zones.parquet")
    return n_cells, zones


def _parent_cells(geom, resolution: int, pres: int, cover: tuple[np.ndarray, np.ndarray]):
    """(parent, cells, lat, lon) for each H3 parent at ``pres`` holding cells of ``geom`` at ``resolution``,
    in parent order, from the region's ``cover`` (:func:`~gridscout.geo.hexgrid.coarse_cover`): each
    parent's cells are filled only when it is its turn (:func:`screen_streamed` reads one group of
    parents ahead, :func:`~gridscout.read_ahead.read_ahead`), so no more than two groups' cells are in
    memory (when ``pres`` is at or above the cover's resolution; otherwise the region is filled once
    and cut)."""
    inner, edge = cover
    if pres <= max(0, resolution - hexgrid.COARSE_STEP):
        pin, pedge = hexgrid.cell_parents(inner, pres), hexgrid.cell_parents(edge, pres)
        for parent in np.unique(np.concatenate([pin, pedge])):
            cells, lat, lon = hexgrid.fill_cover(geom, resolution, inner[pin == parent], edge[pedge == parent])
            if len(cells):
                yield int(parent), cells, lat, lon
        return
    cells, lat, lon = hexgrid.fill_cover(geom, resolution, inner, edge)
    parents = hexgrid.cell_parents(cells, pres)
    cuts = np.r_[0, np.flatnonzero(parents[1:] != parents[:-1]) + 1, len(cells)] if len(cells) else [0]
    for a, b in zip(cuts[:-1], cuts[1:], strict=True):
        yield int(parents[a]), cells[a:b], lat[a:b], lon[a:b]


def parent_groups(parents, small: int):
    """Lists of ``(parent, cells, lat, lon)`` to score in one call: each parent of at least ``small``
    cells alone, as it comes; smaller ones held back and scored together once they reach ``small``
    cells (and at the end), in parent order, so a few-cell parent on the region's edge does not pay
    a scoring call's fixed cost alone (CONUS r7 at r0 parents: 40, 113, 177 and 13,721 cells). At
    most one group of held parents (< 2 × ``small`` cells) waits beside the parent being scored."""
    held, n = [], 0
    for p in parents:
        if len(p[1]) >= small:
            yield [p]
            continue
        held.append(p)
        n += len(p[1])
        if n >= small:
            yield held
            held, n = [], 0
    if held:
        yield held


def write_parts(surface: pl.DataFrame, out: str | Path, parents: list[str], sizes: list[int]) -> list[Path | None]:
    """:func:`write_part` of each parent's rows of a surface scored for several parents at once
    (rows in parent order, ``sizes`` cells each)."""
    offsets = np.r_[0, np.cumsum(sizes)]
    if offsets[-1] != surface.height:
        raise GridscoutError(f"surface has {surface.height} rows for {offsets[-1]} cells of {len(parents)} parents")
    return [write_part(surface.slice(int(a), int(b - a)), out, name)
            for name, a, b in zip(parents, offsets[:-1], offsets[1:], strict=True)]


def stream_parents_resolution(resolution: int) -> int:
    """Default parent resolution of a streamed run: 6 levels up (7⁶ = 117,649 cells per full parent).
    Parents smaller than half a batch are scored together (:func:`parent_groups`), so each scoring
    call holds ~175–290 k cells whatever the parents: a call has a fixed cost (~0.1 s), and its
    temporaries grow with it (CONUS r7: peak 2.0 GB with parents 7 levels up, whose largest held
    637 k cells, against 1.6 GB; same or less time, measured on the shared 2-core machine)."""
    return max(0, resolution - 6)


def screen_streamed(region: str, resolution: int, profile: Profile, ref: Reference, out_dir: str | Path, *,
                    partitions_resolution: int | None = None, zone_threshold: float | None = None,
                    cover: tuple[np.ndarray, np.ndarray] | None = None, geom=None) -> dict:
    """Screen ``region`` in one process, one H3 parent at a time, so memory stays flat at any size
    (``cover``: the region's :func:`~gridscout.geo.hexgrid.coarse_cover` at ``resolution``, ``geom`` its
    :func:`~gridscout.geo.regions.region_geometry`, when already computed).

    The region's coarse cover is computed once; each parent's cells are filled from it on a
    background thread while the parents before are scored (:func:`~gridscout.read_ahead.read_ahead`;
    the ``polyfill`` stage counts the cover and the waits for fills), then scored (:func:`score_cells`) and written to
    ``<out>/surface/parent=<h3>/part.parquet`` by another background thread while the next parents are
    scored (at most one surface waits; the ``parquet`` stage counts only the seconds spent waiting for
    it) — the same dataset the Dask flow writes. Zones are then clustered over the dataset read back
    with only the columns they need (:func:`finish_partitions`). Returns the run summary (cells,
    parents, zones, seconds per stage); the surface equals :func:`screen_region`'s (pointwise profiles).
    """
    if not 0 <= resolution <= 15:
        raise RegionError(f"resolution must be 0..15, got {resolution}")
    _require_pointwise(profile)
    pres = stream_parents_resolution(resolution) if partitions_resolution is None else partitions_resolution
    if not 0 <= pres <= resolution:
        raise GridscoutError(f"partitions_resolution must be between 0 and the resolution ({resolution}), got {pres}")
    out_dir = Path(out_dir)
    t = {}
    t0 = time.perf_counter()
    start_warm_kernels()  # a no-op when the job started it (run_screen: beside reading the warehouse)
    prefetch_ba_models(ref.ba_demand)  # beside the polyfill (see prefetch_ba_models)
    geom = region_geometry(region, ref.boundaries) if geom is None else geom
    for stale in surface_dir(out_dir).glob(PART_GLOB):
        stale.unlink()
    written = []
    t["parquet"] = 0.0

    def settle(pending) -> None:  # wait for the writer; its seconds count only where they are not hidden
        if pending is not None:
            t1 = time.perf_counter()
            written.extend(path for path in pending.result() if path)
            t["parquet"] += time.perf_counter() - t1

    # each parent's Parquet is written by a background thread (Polars releases the GIL) while the next
    # parents are scored; at most one scored set waits to be written
    t1 = time.perf_counter()
    if cover is None:  # once, for the median sample and every parent
        cover = hexgrid.coarse_cover(geom, resolution)
    t["polyfill"] = time.perf_counter() - t1
    t1 = time.perf_counter()
    med = region_medians(geom, resolution, profile, ref, cover)
    t["medians"] = time.perf_counter() - t1
    with ThreadPoolExecutor(max_workers=1) as writer:
        pending = None
        # each group's cells are filled on a background thread while the group before is scored (H3
        # children, centres and the point-in-polygon test release the GIL); ``polyfill`` counts the waits
        groups = read_ahead(parent_groups(_parent_cells(geom, resolution, pres, cover), SCORE_BATCH_CELLS // 2))
        while True:
            t1 = time.perf_counter()
            group = next(groups, None)
            t["polyfill"] += time.perf_counter() - t1
            if group is None:
                break
            names = hexgrid.cells_to_str(np.array([g[0] for g in group], dtype=np.uint64)).to_list()
            cells, lat, lon = (group[0][1:] if len(group) == 1 else [np.concatenate([g[i] for g in group])
                                                                  for i in (1, 2, 3)])
            surface = score_cells(cells, lat, lon, profile, ref, t, medians=med["medians"])
            settle(pending)
            pending = writer.submit(write_parts, surface, out_dir, names, [len(g[1]) for g in group])
            del surface, cells, lat, lon, group
        settle(pending)
    t1 = time.perf_counter()
    n_cells, zones = finish_partitions(out_dir, None, profile, places=ref.places, threshold=zone_threshold) \
        if written else (0, None)
    t["zones"] = time.perf_counter() - t1
    t["total"] = time.perf_counter() - t0
    return {"region": region, "resolution": resolution, "partitions_resolution": pres,
            "cells": n_cells, "partitions_nonempty": len(written),
            "zones": 0 if zones is None else zones.height, "out": str(out_dir),
            "timings_s": {k: round(v, 3) for k, v in t.items()}, "unknown_medians": medians_record(med)}


def screen_manifest(run_id: str, started: dt.datetime, region: str, resolution: int, profile: Profile,
                    ref_vintages: pl.DataFrame, cells: int, zones: int, timings_s: dict[str, float],
                    water_stress: dict | None, **extra) -> dict:
    """The ``run.json`` of a screening run — single process, streamed or on Dask (same keys; ``extra``
    adds the partitioned runs' figures)."""
    return {
        "run_id": run_id, "kind": "screen", "region": region, "resolution": resolution,
        "started_at": started.isoformat(), "finished_at": dt.datetime.now(dt.UTC).isoformat(),
        "code_version": code_version(), "profile": profile.to_dict(), "cells": cells, "zones": zones,
        "sources": ref_vintages.with_columns(pl.col(pl.Datetime("us", "UTC")).dt.to_string("%Y-%m-%dT%H:%M:%SZ"))
                   .to_dicts() if ref_vintages.height else [],
        "timings_s": {k: round(v, 3) for k, v in timings_s.items()},
        "water_stress": water_stress, **extra,
    }


def dataset_water_stress(out_dir: str | Path, water_stress_basins: pl.DataFrame) -> dict | None:
    """:func:`~gridscout.features.water_stress.run_summary` of a partitioned surface (two columns read)."""
    cols = ["water_stress_method", "water_stress_year"]
    parts = sorted(surface_dir(out_dir).glob(PART_GLOB))
    if not parts or not set(cols) <= set(pl.read_parquet_schema(parts[0])):
        return None
    return run_summary(read_surface(out_dir, columns=["h3_int", *cols]),
                       basins_available=basin_tier_available(water_stress_basins))
