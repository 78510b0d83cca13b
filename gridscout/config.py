"""Where gridscout finds its raw files, its warehouse and its outputs.

Every location can be overridden from the environment so that a user can point gridscout at
an offline folder of raw files (``GRIDSCOUT_RAW_DIR``) or at another warehouse (``GRIDSCOUT_DB``).
"""

from __future__ import annotations

import os
from pathlib import Path

#: The repository root (the folder holding ``pyproject.toml``, ``sql/`` and ``data/``).
PROJECT_ROOT = Path(__file__).resolve().parent.parent
SQL_DIR = PROJECT_ROOT / "sql"
DATA_DIR = PROJECT_ROOT / "data"
PROFILES_DIR = DATA_DIR / "profiles"
CANDIDATES_DIR = DATA_DIR / "candidates"
DEFAULT_CANDIDATES = CANDIDATES_DIR / "markets.csv"
DEFAULT_PROFILE = "balanced"
#: H3 resolution of the partition parents of a partitioned (Dask) screening, for the CLI and the flow
#: alike: r2 parents hold ~118 k cells each at r8 (~0.5 GB peak per task, docs/scaling.md)
DASK_PARTITIONS_RESOLUTION = 2
#: ``gridscout screen`` streams (one H3 parent at a time, ``run_screen(stream=None)``) a region that may
#: hold more cells than this; smaller ones are scored in memory (one ``surface.parquet`` and
#: ``surface.geoparquet``). In memory, peak RSS grows ~1.1 kB per cell over ~1 GB of reference data
#: (CONUS r7, 1.47 M cells: 2.6 GB against 1.5 GB streamed, docs/scaling.md), so 500 k cells stay
#: under ~1.6 GB
STREAM_ABOVE_CELLS = 500_000

ENV_RAW_DIR = "GRIDSCOUT_RAW_DIR"
ENV_DB = "GRIDSCOUT_DB"
ENV_REPORTS_DIR = "GRIDSCOUT_REPORTS_DIR"
ENV_OFFLINE = "GRIDSCOUT_OFFLINE"
ENV_PUBLISH_DIR = "GRIDSCOUT_PUBLISH_DIR"


def raw_dir() -> Path:
    """Folder of raw source files laid out ``<raw>/<source_id>/<file>`` (default ``data/raw``)."""
    return Path(os.environ.get(ENV_RAW_DIR) or DATA_DIR / "raw").expanduser().resolve()


def db_path(override: str | os.PathLike | None = None) -> Path:
    """The DuckDB warehouse file: ``--db`` beats ``GRIDSCOUT_DB`` beats ``data/gridscout.duckdb``."""
    value = override or os.environ.get(ENV_DB) or DATA_DIR / "gridscout.duckdb"
    return Path(value).expanduser().resolve()


def publish_dir(db: str | os.PathLike | None = None) -> Path:
    """Where the analysts' snapshot is published: ``GRIDSCOUT_PUBLISH_DIR``, else ``published/`` beside
    the warehouse file (``data/published/`` for the default warehouse)."""
    value = os.environ.get(ENV_PUBLISH_DIR)
    return Path(value).expanduser().resolve() if value else db_path(db).parent / "published"


def reports_dir() -> Path:
    """Parent folder of run outputs (default ``reports/``)."""
    return Path(os.environ.get(ENV_REPORTS_DIR) or PROJECT_ROOT / "reports").expanduser().resolve()


def offline() -> bool:
    """True when downloads are forbidden (``GRIDSCOUT_OFFLINE=1``)."""
    return os.environ.get(ENV_OFFLINE, "").strip().lower() in {"1", "true", "yes"}
