"""Fixtures for the climate/carbon/water/places sources: the real raw folder and a REAL local HTTP
server (:mod:`tests.httpserver`) that replays recorded API bodies by path + query."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.httpserver import ScriptedServer

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def raw(raw_dir) -> Path:
    """The real raw folder (the session fixture ``raw_dir`` of tests/conftest.py, which fails when wrong)."""
    return raw_dir


@pytest.fixture(scope="session")
def recorded(raw) -> Path:
    return raw / "api_responses"


@pytest.fixture
def replay():
    """The one test HTTP server (:mod:`tests.httpserver`), for replaying recorded API bodies."""
    with ScriptedServer() as srv:
        yield srv


@pytest.fixture
def warehouse(tmp_path):
    """A fresh, migrated DuckDB warehouse in a temp folder."""
    from gridscout.warehouse.db import connect, migrate

    con = connect(tmp_path / "w.duckdb")
    migrate(con)
    yield con
    con.close()
