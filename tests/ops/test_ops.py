"""Schedules, parameter validation at the flow boundary, freshness and the stale-data check."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest
import yaml

from gridscout.ops import freshness as fresh, schedules
from gridscout.errors import GridscoutError, WarehouseError
from gridscout.sources import registry

KEYS = {"ELECTRICITYMAPS_API_KEY": "test-key", "EIA_API_KEY": "test-key"}


def cron_max_gap_days(cron: str) -> float:
    """Longest gap between two runs of ``cron`` over two years (Prefect's own cron implementation)."""
    from prefect._vendor.croniter import croniter

    it = croniter(cron, dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    end = dt.datetime(2028, 1, 2, tzinfo=dt.UTC)
    times = [it.get_next(dt.datetime)]
    while times[-1] < end:
        times.append(it.get_next(dt.datetime))
    return max((b - a).total_seconds() for a, b in zip(times, times[1:])) / 86400


def test_one_deployment_per_family_plus_pipeline():
    table = schedules.schedule_table(env={})
    fams = [e.parameters["family"] for e in table if "family" in e.parameters]
    assert fams == list(schedules.FAMILIES)
    assert {s.family for s in registry().values()} <= set(schedules.FAMILIES)
    assert table[-1].name == schedules.PIPELINE_DEPLOYMENT and table[-1].parameters == {"fail_on_stale": True}
    assert len({e.name for e in table}) == len(table)


@pytest.mark.parametrize("env", [{}, KEYS], ids=["no-keys", "keys"])
def test_every_cron_runs_as_often_as_its_cadence_says(env):
    for e in schedules.schedule_table(env=env):
        gap = cron_max_gap_days(e.cron)
        assert gap <= e.period_days + 1e-9, (e.name, e.cron, gap)
        assert gap >= e.period_days * 0.8, (e.name, e.cron, gap)  # not needlessly more often


def test_cadences_follow_the_sources():
    plain = {e.name: e.cadence for e in schedules.schedule_table(env={})}
    keyed = {e.name: e.cadence for e in schedules.schedule_table(env=KEYS)}
    assert plain["ingest-carbon"] == "monthly" and keyed["ingest-carbon"] == "hourly"
    assert plain["ingest-prices"] == "monthly" and keyed["ingest-prices"] == "daily"
    assert plain["ingest-grid"] == "monthly" and plain["ingest-climate"] == "yearly"


@pytest.mark.parametrize("env", [{}, KEYS], ids=["no-keys", "keys"])
def test_no_refreshable_source_goes_stale_between_scheduled_ingests(env):
    """Every gap is a source no schedule can refresh (file-only, or its API key is not set), never a
    refreshable source whose schedule is too slow."""
    gaps = schedules.schedule_gaps(env=env)
    reg = registry()
    file_only = {sid for sid, spec in reg.items() if spec.max_age_days is not None and not spec.refreshable}
    assert {"ember_prices", "iso_queue_pjm", "eia_prices", "aqueduct"} <= file_only  # aqueduct: URL pinned to 4.0
    keyless = set() if env else {"eia_api", "electricitymaps_api"}
    assert {g.split(":")[0] for g in gaps} == file_only | keyless
    assert all("no schedule can refresh it" in g for g in gaps)


def test_schedule_gaps_names_a_source_that_outlives_its_schedule():
    table = [e if e.name != "ingest-carbon" else schedules.ScheduleEntry(**{**e.__dict__, "cadence": "weekly"})
             for e in schedules.schedule_table(env=KEYS)]
    gaps = schedules.schedule_gaps(table, env=KEYS)
    assert "electricitymaps_api: max age 1 d but 'carbon' ingest runs every 7 d" in gaps


def test_prefect_yaml_is_generated_from_the_table():
    from flows.deployments import prefect_yaml
    from gridscout import config

    committed = yaml.safe_load((config.PROJECT_ROOT / "prefect.yaml").read_text(encoding="utf-8"))
    assert committed == yaml.safe_load(prefect_yaml(env={})), \
        "prefect.yaml is out of date: run `uv run python -m flows.deployments yaml > prefect.yaml`"
    for d, e in zip(committed["deployments"], schedules.schedule_table(env={})):
        assert d["schedules"][0]["cron"] == e.cron and d["schedules"][0]["timezone"] == "UTC"


def test_serve_deployments_carry_the_same_schedules():
    from flows.deployments import build_deployments

    deps = build_deployments(env={})
    for d, e in zip(deps, schedules.schedule_table(env={}), strict=True):
        # never the work pool's names: serve would replace those deployments and pause them on exit
        assert d.name == f"{e.name}-serve" and d.parameters == e.parameters
        assert [s.schedule.cron for s in d.schedules] == [e.cron]
        assert d.entrypoint.startswith("flows.deployments.")


def test_unknown_family_or_source_is_a_clear_error_at_the_flow_boundary():
    from flows.deployments import ingest_family_flow

    with pytest.raises(GridscoutError, match=r"unknown source family 'powr'.*grid, prices"):
        ingest_family_flow.fn("powr")
    with pytest.raises(GridscoutError, match=r"unknown source\(s\) \['gpdd'\]"):
        schedules.resolve_sources(["gpdd"])
    with pytest.raises(GridscoutError, match="unknown source family"):
        schedules.resolve_sources(families=["weather"])
    water = [sid for sid, spec in registry().items() if spec.family == "water"]
    assert {"aqueduct", "water_stress_sdg642", "usgs_thermoelectric_2015"} <= set(water)
    assert sorted(schedules.resolve_sources(["gppd"], ["water"])) == sorted({"gppd", *water})
    assert schedules.resolve_sources() == list(registry())
    assert "carbon_yearly" in schedules.sources_of_family("carbon")


def _age(db, source_id: str, days: int) -> None:
    con = duckdb.connect(str(db))
    try:
        con.execute("update source_loads set loaded_at = loaded_at - to_days(?) where source_id = ?", [days, source_id])
    finally:
        con.close()


def test_freshness_reports_both_ages_and_the_status(warehouse_copy):
    rows = {f.source_id: f for f in fresh.freshness(warehouse_copy)}
    assert set(rows) == set(registry())
    c = rows["carbon_yearly"]  # Electricity Maps yearly 2021-2025: annual + 120 d lag
    assert c.vintage == "2021-2025" and c.period_end == dt.date(2025, 12, 31) and c.max_age_days == 486
    assert c.load_age_days < 1 and not c.stale and c.status == "ok"
    assert rows["gppd"].status == "no limit" and rows["gppd"].max_age_days is None  # discontinued by WRI
    assert rows["boundaries"].status == "no limit"  # static reference geography
    assert rows["aqueduct"].loaded_at is None and rows["aqueduct"].status == "not loaded"
    assert rows["eia_prices"].status == "manual update needed"  # data to 2019
    # a clock 487 days after its period end makes carbon_yearly stale: file-only, so a manual update
    later = dt.datetime(2027, 5, 3, tzinfo=dt.UTC)
    c = {f.source_id: f for f in fresh.freshness(warehouse_copy, now=later)}["carbon_yearly"]
    assert c.stale and not c.refreshable and c.status == "manual update needed" and 487 <= c.data_age_days < 488
    assert c.action.startswith("manual update needed: download the newer data from ")
    # the CLI's table shows the same
    from gridscout.ops.freshness import source_status

    st = {r["source_id"]: r for r in source_status(db=warehouse_copy)}
    assert st["eia_prices"]["status"] == "manual update needed" and st["carbon_yearly"]["status"] == "ok"


def test_fail_on_stale_blocks_on_refreshable_sources_and_names_the_fix(warehouse_copy):
    assert fresh.fail_on_stale(warehouse_copy)  # only file-only sources are stale: passes, returns the rows
    with pytest.raises(WarehouseError, match=r"eia_prices \(prices\): vintage 1990-2019, data to 2019-12-31"):
        fresh.fail_on_stale(warehouse_copy, block_on_manual=True)
    # electricitymaps_zones (refreshable, a snapshot dated by its fetch) fetched 400 days ago
    _age(warehouse_copy, "electricitymaps_zones", 400)
    con = duckdb.connect(str(warehouse_copy))
    con.execute("update source_loads set period_end = period_end - 400 where source_id = 'electricitymaps_zones'")
    con.close()
    with pytest.raises(WarehouseError) as err:
        fresh.fail_on_stale(warehouse_copy)
    msg = str(err.value)
    assert "1 stale source(s)" in msg and "electricitymaps_zones (grid)" in msg and "max 366 d (annual)" in msg
    assert "run the deployment ingest-grid (or `gridscout ingest --refresh electricitymaps_zones`)" in msg
    assert "eia_prices" not in msg
    # limited to the sources a run uses
    assert fresh.fail_on_stale(warehouse_copy, sources=["carbon_yearly"])


def test_freshness_of_a_missing_warehouse_is_all_not_loaded(tmp_path):
    rows = fresh.freshness(tmp_path / "none.duckdb")
    assert rows and all(f.loaded_at is None and not f.stale for f in rows)
    assert fresh.fail_on_stale(tmp_path / "none.duckdb")


def test_family_ingest_names_sources_it_could_not_ingest_after_loading_the_rest(tmp_path, raw_dir, monkeypatch):
    """Real flow run (ephemeral Prefect server): places family with an empty copy of one source's folder."""
    import shutil

    from flows.deployments import ingest_family_flow

    raw = tmp_path / "raw"
    for sid in schedules.sources_of_family("places"):
        folder = registry()[sid].folder or sid
        if sid != "cities":
            shutil.copytree(raw_dir / folder, raw / folder, dirs_exist_ok=True)  # us_counties shares boundaries/
    monkeypatch.setenv("GRIDSCOUT_OFFLINE", "1")
    db = tmp_path / "w.duckdb"
    with pytest.raises(GridscoutError, match=r"ingest-places: ingested \['boundaries', 'countries', 'us_counties'\]; "
                                             r"could not ingest \['cities'\]"):
        ingest_family_flow(family="places", db=str(db), raw=str(raw))
    loaded = {f.source_id for f in fresh.freshness(db) if f.loaded_at is not None}
    assert loaded == {"boundaries", "countries", "us_counties"}
