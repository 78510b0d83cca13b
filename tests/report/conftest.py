"""Session fixtures for the report tests: run directories written by the real scoring job, and
headless Chromium. A missing raw-data folder FAILS these tests (``raw_dir``), it never skips them."""

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
            pytest.fail(f"chromium could not be installed with apt (rc={proc.returncode}): {proc.stderr[-500:]}")
    return exe


#: the first slice (with the GridKit maps the power criterion's substations need) plus the US plant
#: source (US sites credit gppd_usa as the engine does), European retail and wholesale prices and
#: country water stress (what `gridscout run` loads by default)
SOURCES = ("boundaries", "carbon_yearly", "eia_prices", "electricitymaps_zones", "gppd", "gppd_usa",
           "weather_stations", "koppen", "weather_hourly", "entsoe_gridkit", "gridkit_north_america", "eurostat_prices",
           "ember_prices", "water_stress_sdg642")


@pytest.fixture(scope="session")
def warehouse(tmp_path_factory, raw_dir) -> Path:
    """A real warehouse with the sources above (about 15 s)."""
    return build_warehouse(tmp_path_factory.mktemp("wh") / "gridscout.duckdb", raw_dir, SOURCES)


@pytest.fixture(scope="session")
def candidates_csv(tmp_path_factory) -> Path:
    from tests.report.rundir_fixture import hostile_candidates

    return hostile_candidates(tmp_path_factory.mktemp("cands") / "markets_hostile.csv")


@pytest.fixture(scope="session")
def run_dir(tmp_path_factory, warehouse, candidates_csv) -> Path:
    """`gridscout score` on the markets (plus hostile names) under balanced, with a hostile profile name."""
    from tests.report.rundir_fixture import build_run_dir, hostile_profile

    prof = hostile_profile(tmp_path_factory.mktemp("prof") / "balanced_hostile.toml")
    return build_run_dir(tmp_path_factory.mktemp("runs") / "run-a", warehouse, candidates_csv, prof, seed=1)


@pytest.fixture(scope="session")
def run_dir_b(tmp_path_factory, warehouse, candidates_csv) -> Path:
    """The same sites under the shipped low-carbon profile (for the comparison view)."""
    from tests.report.rundir_fixture import build_run_dir

    return build_run_dir(tmp_path_factory.mktemp("runs") / "run-b", warehouse, candidates_csv, "low-carbon", seed=2)
