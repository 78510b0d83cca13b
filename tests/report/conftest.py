"""Session fixtures for the report tests: a real-data run directory and headless Chromium."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.warehouses import build_warehouse

REPO = Path(__file__).resolve().parents[2]
INSTALL_CHROMIUM = REPO / "scripts" / "install_chromium.sh"


@pytest.fixture(scope="session")
def chromium() -> str:
    """Path to Debian's chromium, installed by scripts/install_chromium.sh when missing."""
    exe = shutil.which("chromium")
    if exe is None:
        proc = subprocess.run(["bash", str(INSTALL_CHROMIUM)], capture_output=True, text=True, timeout=900)
        exe = shutil.which("chromium")
        if exe is None:
            pytest.skip(f"chromium could not be installed with apt (rc={proc.returncode}): {proc.stderr[-500:]}")
    return exe


SOURCES = ["boundaries", "carbon_yearly", "eia_prices", "electricitymaps_zones", "gppd", "weather_stations",
           "weather_hourly"]
WEIGHTS_A = {"power": 0.25, "cooling": 0.25, "carbon": 0.3, "price": 0.2}
WEIGHTS_B = {"power": 0.1, "cooling": 0.2, "carbon": 0.6, "price": 0.1}


@pytest.fixture(scope="session")
def warehouse(tmp_path_factory, raw_dir) -> Path:
    """A real warehouse with the first-slice sources (about 8 s)."""
    return build_warehouse(tmp_path_factory.mktemp("wh") / "gridscout.duckdb", raw_dir, SOURCES)


@pytest.fixture(scope="session")
def features(warehouse):
    """Real features of the 72 markets plus two hostile names; and the reference data."""
    from gridscout.candidates import load_candidates
    from gridscout.warehouse.readers.reference import read_reference
    from gridscout.features.assemble import site_features

    from tests.report.rundir_fixture import add_xss_sites

    cands = load_candidates(REPO / "data" / "candidates" / "markets.csv")
    ref = read_reference(warehouse)
    return site_features(add_xss_sites(cands.sites), ref), ref


@pytest.fixture(scope="session")
def run_dir(tmp_path_factory, features, warehouse) -> Path:
    from tests.report.rundir_fixture import build_run_dir

    feats, ref = features
    return build_run_dir(tmp_path_factory.mktemp("runs") / "run-a", feats, ref, warehouse,
                         run_id="run-a", weights=WEIGHTS_A, seed=1)


@pytest.fixture(scope="session")
def run_dir_b(tmp_path_factory, features, warehouse) -> Path:
    from tests.report.rundir_fixture import build_run_dir

    feats, ref = features
    return build_run_dir(tmp_path_factory.mktemp("runs") / "run-b", feats, ref, warehouse,
                         run_id="run-b", weights=WEIGHTS_B, seed=2, profile_name="carbon-first")
