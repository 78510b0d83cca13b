"""Fixtures for the reliability tests: private copies of a real first-slice warehouse."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.reliability.faults import copy_db


@pytest.fixture
def wh(first_slice_db, tmp_path) -> Path:
    """A private, writable copy of the real first-slice warehouse."""
    return copy_db(first_slice_db, tmp_path / "wh" / "gridscout.duckdb")


@pytest.fixture
def markets_small(tmp_path) -> Path:
    """Six real markets from the shipped candidates (GeoNames coordinates)."""
    import polars as pl

    from gridscout.config import DEFAULT_CANDIDATES

    df = pl.read_csv(DEFAULT_CANDIDATES).filter(pl.col("site_id").is_in(
        ["us-va-ashburn", "us-tx-dallas", "ie-dublin", "de-frankfurt", "se-lulea", "sg-singapore"]))
    assert df.height >= 5
    p = tmp_path / "markets_small.csv"
    df.write_csv(p)
    return p
