"""Read a run directory (the pipeline's contract with the report) and keep outputs inside it.

A run directory holds ``scores.parquet`` and ``run.json`` (required) and optionally
``hourly.parquet``, ``monthly.parquet``, ``fuel_mix.parquet``, ``carbon_years.parquet``, ``boundaries.parquet`` and
``surface.parquet``. Any scores column may be missing or null: the report shows that as UNKNOWN and
never fills it in.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from gridscout.errors import GridscoutError

SCORES_FILE = "scores.parquet"
RUN_FILE = "run.json"
OPTIONAL_FILES = {
    "hourly": "hourly.parquet",
    "monthly": "monthly.parquet",
    "fuel_mix": "fuel_mix.parquet",
    "carbon_years": "carbon_years.parquet",
    "boundaries": "boundaries.parquet",
    "surface": "surface.parquet",
}
#: a streamed or partitioned screening run's surface (read for the map when ``surface.parquet`` is absent)
SURFACE_DATASET_GLOB = "surface/parent=*/part.parquet"


class ReportError(GridscoutError):
    """A run directory cannot be reported as given (missing file, unsafe output path)."""


@dataclass
class RunData:
    """Everything the report reads from one run directory (absent optional files are ``None``)."""

    run_dir: Path
    scores: pl.DataFrame
    run: dict[str, Any]
    hourly: pl.DataFrame | None = None
    monthly: pl.DataFrame | None = None
    fuel_mix: pl.DataFrame | None = None
    carbon_years: pl.DataFrame | None = None
    boundaries: pl.DataFrame | None = None
    surface: pl.DataFrame | None = None
    files_read: list[str] = field(default_factory=list)

    @property
    def run_id(self) -> str:
        return str(self.run.get("run_id") or self.run_dir.name)

    def col(self, name: str) -> bool:
        """True when ``scores`` has the column (it may still be all null)."""
        return name in self.scores.columns


def _read_parquet(path: Path) -> pl.DataFrame:
    try:
        return pl.read_parquet(path)
    except Exception as exc:  # noqa: BLE001 - polars raises several types for a bad file
        raise ReportError(f"{path}: cannot be read as Parquet ({exc}); re-run the pipeline step that wrote it") from exc


def load_run(run_dir: str | Path) -> RunData:
    """Read a run directory; raises :class:`ReportError` naming the missing or unreadable file."""
    run_dir = Path(run_dir).expanduser().resolve()
    if not run_dir.is_dir():
        raise ReportError(f"run directory {run_dir} does not exist")
    scores_path = run_dir / SCORES_FILE
    if not scores_path.is_file():
        raise ReportError(f"{scores_path} is missing: a run directory needs {SCORES_FILE} "
                          "(run `gridscout score` first)")
    run_path = run_dir / RUN_FILE
    run: dict[str, Any] = {}
    files = [SCORES_FILE]
    if run_path.is_file():
        try:
            run = json.loads(run_path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ReportError(f"{run_path}: not valid UTF-8 JSON ({exc})") from exc
        if not isinstance(run, dict):
            raise ReportError(f"{run_path}: a JSON object is expected, got {type(run).__name__}")
        files.append(RUN_FILE)
    data = RunData(run_dir=run_dir, scores=_read_parquet(scores_path), run=run)
    for attr, name in OPTIONAL_FILES.items():
        path = run_dir / name
        if path.is_file():
            setattr(data, attr, _read_parquet(path))
            files.append(name)
    if data.surface is None and (dataset := sorted(run_dir.glob(SURFACE_DATASET_GLOB))):
        data.surface = _read_surface_dataset(dataset)
        files.append(SURFACE_DATASET_GLOB)
    data.files_read = files
    return data


def _read_surface_dataset(parts: list[Path]) -> pl.DataFrame:
    """The map columns (``h3_int``, ``score``, ``latitude``, ``longitude``) of a streamed or partitioned
    screening run's hive-partitioned surface (``surface/parent=<h3>/part.parquet``); the whole surface
    stays on disk (tens of millions of rows at r8)."""
    want = ("h3_int", "score", "latitude", "longitude")
    cols = [c for c in want if c in pl.read_parquet_schema(parts[0])]
    try:
        return pl.scan_parquet(parts).select(cols).collect()
    except Exception as exc:  # noqa: BLE001 - polars raises several types for a bad file
        raise ReportError(f"{parts[0].parent.parent}: the surface dataset cannot be read ({exc}); "
                          "re-run the screening") from exc


def safe_output_path(run_dir: Path, out: str | Path | None, default: str, *, allow_outside: bool = False) -> Path:
    """Resolve an output path and refuse one outside ``run_dir`` unless ``allow_outside``.

    Symlinks are resolved first, so ``run_dir/link -> /etc`` cannot be used to escape.
    """
    run_dir = Path(run_dir).resolve()
    target = run_dir / default if out is None else Path(out).expanduser()
    if not target.is_absolute():
        target = run_dir / target
    target = target.resolve()
    if not allow_outside and not target.is_relative_to(run_dir):
        raise ReportError(
            f"output {target} is outside the run directory {run_dir}; write inside it or pass allow_outside=True"
        )
    if target.exists() and target.is_dir():
        raise ReportError(f"output {target} is a directory; give a file name such as {default}")
    return target
