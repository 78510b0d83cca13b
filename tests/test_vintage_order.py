"""The current vintage is the greatest by a parsed key (sql/migrations/0270_vintage_order.sql), not by text."""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl
import pytest

from gridscout.sources import registry
from gridscout.warehouse.db import migrate


@pytest.fixture
def con(tmp_path):
    c = duckdb.connect(str(tmp_path / "w.duckdb"))
    migrate(c)
    yield c
    c.close()


def _current(con, *labels: str) -> str:
    """Record one load per label of a source (in the order given) and return its current vintage."""
    con.execute("delete from source_loads")
    for i, label in enumerate(labels):
        con.execute("insert into source_loads (load_id, source_id, vintage, file, sha256, bytes, rows, loaded_at, "
                    "code_version) values (?, 's', ?, 'f', 'x', 1, 1, ?, 'v')",
                    [f"l{i}", label, dt.datetime(2026, 1, 1, tzinfo=dt.UTC) + dt.timedelta(hours=i)])
    return con.execute("select vintage from current_vintages where source_id = 's'").fetchone()[0]


@pytest.mark.parametrize(("older", "newer"), [
    ("1.9", "1.10"),  # versions: as text '1.9' > '1.10'
    ("2022-2024", "2021-2025"),  # periods: the later end year wins, whatever the start
    ("2021-2025", "2022-2025"),  # same end year: the later start
    ("2015-01..2025-06", "2014-06..2025-12"),  # month ranges: the later end month
    ("2026-04-26", "2026-08-21"),  # dates (weather_stations, electricitymaps_zones)
    ("1990-2019", "1990-2020"),  # eia_prices: one more year
    ("4.0-y2023m07d05", "4.1-y2023m07d05"),  # aqueduct: same date, later version
    ("eGRID2022", "eGRID2023"),
    ("tmy", "2019"),  # a label with a number beats one without
])
def test_the_greater_parsed_key_is_current_in_either_load_order(con, older, newer):
    assert _current(con, older, newer) == newer
    assert _current(con, newer, older) == newer


def test_a_future_year_never_makes_a_vintage_current(con):
    future = dt.date.today().year + 1
    assert _current(con, "2021-2025", f"2021-{future}") == "2021-2025"
    assert _current(con, "1.3.0", f"{future}-01") == "1.3.0"
    assert _current(con, "2205") == "2205"  # a source's only vintage is still current (shown, not hidden)


def test_every_registered_vintage_label_has_a_key(con):
    labels = sorted({spec.vintage for spec in registry().values()})
    keys = con.execute("select v, vintage_key(v) from unnest(?::varchar[]) t(v)", [labels]).fetchall()
    by = dict(keys)
    assert by["2021-2025"]["end_year"] == 2025 and by["2021-2025"]["start_year"] == 2021
    assert by["4.0-y2023m07d05"]["end_part"] == [2023, 7, 5]
    assert by["ne4.1.0-census2017"]["end_year"] == 2017
    assert by["1.3.0"]["numbers"] == [1, 3, 0] and by["1.3.0"]["end_year"] == 0
    assert by["2015-01..2025-12"]["end_part"] == [2025, 12]
    assert all(k["plausible"] for k in by.values())  # no declared vintage lies in the future


def test_site_vintages_all_stay_current(con):
    con.execute("insert into source_loads (load_id, source_id, vintage, file, sha256, bytes, rows, code_version) "
                "values ('a', 'pvgis', 'site:45.000_8.000:2005-2023', 'f', 'x', 1, 1, 'v'), "
                "('b', 'pvgis', 'site:41.850_-87.650:2005-2023', 'g', 'y', 1, 1, 'v')")
    got = con.execute("select vintage from current_vintages where source_id = 'pvgis' order by 1").fetchall()
    assert got == [("site:41.850_-87.650:2005-2023",), ("site:45.000_8.000:2005-2023",)]


def test_stg_view_follows_the_parsed_order_with_real_releases(tmp_path, raw_dir):
    """The real 2021–2025 carbon file, then a release holding only its 2022–2024 rows loaded later:
    as text '2022-2024' > '2021-2025', but the current vintage stays the one that reaches 2025."""
    from gridscout.jobs.ingest import ingest_source

    src = raw_dir / "carbon_yearly" / "electricitymaps_yearly_zone_2021_2025.csv"
    real = pl.read_csv(src)
    part = tmp_path / "raw" / "carbon_yearly"
    part.mkdir(parents=True)
    real.filter(pl.col("year").is_between(2022, 2024)).write_csv(part / src.name)
    db = tmp_path / "w.duckdb"
    assert ingest_source("carbon_yearly", db=db, raw=raw_dir).vintage == "2021-2025"
    assert ingest_source("carbon_yearly", db=db, raw=tmp_path / "raw").vintage == "2022-2024"
    c = duckdb.connect(str(db), read_only=True)
    try:
        assert c.execute("select vintage from current_vintages where source_id = 'carbon_yearly'").fetchone()[0] \
            == "2021-2025"
        years = c.execute("select min(year), max(year), count(*) from stg_zone_carbon_yearly "
                          "where source_id = 'carbon_yearly'").fetchone()
    finally:
        c.close()
    assert years == (2021, 2025, real.height)
