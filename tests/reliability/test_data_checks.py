"""Data checks: every SQL check selects the bad row it is for; ``gridscout check`` exits 1 listing
it; ``gridscout score`` refuses (exit 2) naming the check. Corruption is done on a COPY."""

from __future__ import annotations

import duckdb
import pytest

from gridscout.errors import DataCheckError
from tests.reliability.faults import cli, failing_checks, fingerprint

CORRUPTIONS = {
    # check name: SQL that plants one bad row in a copy of a real warehouse
    "plants_capacity": "update power_plants set capacity_mw = -5 where plant_id = (select min(plant_id) from power_plants)",
    "plants_coordinates": "update power_plants set latitude = 123 where plant_id = (select min(plant_id) from power_plants)",
    "stations_coordinates": "update weather_stations set longitude = 400 where wmo = (select min(wmo) from weather_stations)",
    "carbon_range": "update zone_carbon_yearly set carbon_g_per_kwh = 2500 where zone_key = 'DE' and year = 2024",
    "capacity_nonnegative": "update zone_capacity set capacity_mw = -1 where zone_key = (select min(zone_key) from zone_capacity)",
    "pue_results": "insert into run_site_results (run_id, site_id, pue_annual) values ('r', 's', 0.93)",
    # keys are primary keys, so only a broken view can duplicate them: simulate a bad migration
    "duplicate_current_keys": "create or replace view stg_weather_stations as select * from weather_stations "
                              "union all (select * from weather_stations order by wmo limit 1)",
    "orphan_rows": "insert into zone_carbon_yearly values ('ghost', 'v0', 'DE', 2024, 300, 'lifecycle', null, null)",
    "carbon_range_regions": "insert into region_carbon_yearly (source_id, vintage, region_kind, region_code, year, "
                            "carbon_g_per_kwh, carbon_basis) values ('carbon_yearly', '2021-2025', 'country', 'XXX', 2024, -3, 'lifecycle')",
}


@pytest.mark.parametrize("check", sorted(CORRUPTIONS))
def test_each_check_selects_the_planted_bad_row(wh, check):
    assert failing_checks(wh) == {}
    con = duckdb.connect(str(wh))
    con.execute(CORRUPTIONS[check])
    con.close()
    failed = failing_checks(wh)
    assert check in failed, failed


@pytest.fixture(scope="module")
def blocked(first_slice_db, tmp_path_factory):
    """A corrupted copy (one negative capacity) and ONE real ``gridscout score`` run against it."""
    import polars as pl

    from gridscout.config import DEFAULT_CANDIDATES
    from tests.reliability.faults import copy_db

    tmp = tmp_path_factory.mktemp("blocked")
    wh = copy_db(first_slice_db, tmp / "wh.duckdb")
    cands = tmp / "c.csv"
    pl.read_csv(DEFAULT_CANDIDATES).head(3).write_csv(cands)
    con = duckdb.connect(str(wh))
    plant = con.execute("select min(plant_id) from power_plants").fetchone()[0]
    con.execute(CORRUPTIONS["plants_capacity"])
    con.close()
    before = fingerprint(wh)
    out = tmp / "out"
    proc = cli("score", "--candidates", str(cands), "--db", str(wh), "--out", str(out), "--mc-draws", "10")
    return {"wh": wh, "plant": plant, "before": before, "out": out, "proc": proc, "cands": cands, "tmp": tmp}


def test_cli_check_lists_the_failing_check(blocked):
    proc = cli("check", "--db", str(blocked["wh"]))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "plants_capacity: 1 bad row(s)" in proc.stdout and blocked["plant"] in proc.stdout
    assert "carbon_range: ok" in proc.stdout


def test_score_is_blocked_naming_the_check(blocked):
    from gridscout.jobs.score import score_candidates

    with pytest.raises(DataCheckError, match="plants_capacity"):
        score_candidates(blocked["cands"], "balanced", blocked["tmp"] / "inproc", db=blocked["wh"], mc_draws=10)
    assert not (blocked["tmp"] / "inproc").exists()
    proc = blocked["proc"]
    assert proc.returncode == 2, proc.stderr[-3000:]
    msg = " ".join(proc.stderr.split())
    assert "error: data checks failed; scoring is blocked" in msg
    assert "plants_capacity" in msg and blocked["plant"] in msg
    assert not blocked["out"].exists() and fingerprint(blocked["wh"]) == blocked["before"]


def test_blocked_score_prints_no_traceback(blocked):
    assert "Traceback" not in blocked["proc"].stderr
