"""Shared fixtures: the real raw-data folder, an isolated Prefect home, a first-slice warehouse."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.warehouses import build_warehouse

REPO = Path(__file__).resolve().parent.parent
#: the sources scoring needs for every criterion; the GridKit maps give the power criterion its substations
FIRST_SLICE = ("boundaries", "carbon_yearly", "eia_prices", "electricitymaps_zones", "gppd", "weather_stations", "koppen",
               "weather_hourly", "entsoe_gridkit", "gridkit_north_america")


#: folders of the shared data set that the suites read; all must be there, else the folder is wrong
RAW_SENTINELS = ("gppd", "weather_hourly", "codecarbon", "ember", "pvlib", "api_responses")


def _raw() -> Path:
    return Path(os.environ.get("GRIDSCOUT_RAW_DIR") or REPO.parent / "shared" / "data").resolve()


@pytest.fixture(scope="session")
def raw_dir() -> Path:
    """The real raw-data folder (``GRIDSCOUT_RAW_DIR``, default ``../shared/data``).

    The ONE way tests find real data: a wrong folder FAILS every test that needs it, with the
    folder and the fix in the message; it never skips.
    """
    path = _raw()
    missing = [d for d in RAW_SENTINELS if not (path / d).is_dir()]
    if missing:
        pytest.fail(f"real raw data not found at {path} (no {', '.join(missing)} folder): set GRIDSCOUT_RAW_DIR "
                    "to the shared data folder", pytrace=False)
    return path


@pytest.fixture(scope="session", autouse=True)
def _isolated_env(tmp_path_factory):
    """Isolate Prefect state and keep tests from touching the user's warehouse or reports."""
    home = tmp_path_factory.mktemp("prefect_home")
    old = {k: os.environ.get(k) for k in ("PREFECT_HOME", "GRIDSCOUT_DB", "GRIDSCOUT_REPORTS_DIR",
                                          "GRIDSCOUT_PREFECT_PORT")}
    os.environ["PREFECT_HOME"] = str(home)
    # CLI subprocesses must not reuse a developer's local Prefect server (gridscout.prefect_env.configure_cli):
    # port 9 (discard) has no Prefect API, so they start their own temporary one
    os.environ["GRIDSCOUT_PREFECT_PORT"] = "9"
    os.environ["GRIDSCOUT_DB"] = str(tmp_path_factory.mktemp("db") / "default.duckdb")
    os.environ["GRIDSCOUT_REPORTS_DIR"] = str(tmp_path_factory.mktemp("reports"))
    from gridscout import prefect_env

    prefect_env.apply()
    yield
    # while pytest's output is open: left to Prefect's atexit hook, its "Stopping temporary server" line
    # went to a closed stream and printed a ``--- Logging error ---`` traceback after the test summary
    prefect_env.stop_temporary_servers()
    for k, v in old.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


@pytest.fixture(scope="session")
def first_slice_db(tmp_path_factory, raw_dir) -> Path:
    """A warehouse with the first slice of sources loaded from the real files (read-only use)."""
    return build_warehouse(tmp_path_factory.mktemp("warehouse") / "first_slice.duckdb", raw_dir, FIRST_SLICE)
