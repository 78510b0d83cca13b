"""Freshness by data age (issue 17): loads and vintages backdated in real warehouses.

* data age counts from the end of the data period (EIA prices of 2019 are old even when loaded today);
  a forced reload of the same data does not reset it;
* a stale file-only source is flagged "manual update needed" and does not block the weekly report's
  freshness step (unless the profile says ``[freshness] block_on_manual = true``);
* a stale refreshable source is refreshed by its family's ingest deployment flow (served by the one
  local test HTTP server) and is fresh afterwards;
* ``gridscout sources --fail-on-stale`` exits 1.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil

import duckdb
import pytest
from typer.testing import CliRunner

from gridscout.errors import WarehouseError
from gridscout.ops import freshness as fresh
from gridscout.sources import registry
from gridscout.sources.base import RawFile, vintage_period_end
from tests.httpserver import ScriptedServer
from tests.warehouses import build_warehouse

CARBON_FILE = "electricitymaps_yearly_zone_2021_2025.csv"


@pytest.fixture(scope="module")
def prices_db(tmp_path_factory, raw_dir):
    """eia_prices (file-only, 1990-2019) and ember_prices (file-only, monthly) loaded today."""
    return build_warehouse(tmp_path_factory.mktemp("fresh") / "prices.duckdb", raw_dir, ["eia_prices", "ember_prices"])


@pytest.fixture
def db(prices_db, tmp_path):
    dest = tmp_path / "w.duckdb"
    shutil.copy(prices_db, dest)
    return dest


def _sql(db, sql: str, params=()) -> None:
    con = duckdb.connect(str(db))
    try:
        con.execute(sql, list(params))
    finally:
        con.close()


def test_vintage_strings_name_their_period_end():
    assert vintage_period_end("1990-2019") == dt.date(2019, 12, 31)
    assert vintage_period_end("2015-01..2025-12") == dt.date(2025, 12, 31)
    assert vintage_period_end("2007-S1..2024-S2") == dt.date(2024, 12, 31)
    assert vintage_period_end("2025-01-23") == dt.date(2025, 1, 23)
    assert vintage_period_end("4.0-y2023m07d05") == dt.date(2023, 7, 5)
    assert vintage_period_end("eGRID2023") == dt.date(2023, 12, 31)
    assert vintage_period_end("1.3.0") is None and vintage_period_end("live") is None  # unknown, not zero


def test_period_end_comes_from_the_data_where_declared(raw_dir):
    """Ember's OWID export is named 2022 but its mix ends in 2021 (data README: 1965-2021)."""
    from gridscout.sources.base import data_period_end
    from gridscout.sources.fetch import locate

    spec = registry()["ember"]
    parsed = spec.parse({f.name: f.path for f in locate(spec, raw_dir, allow_download=False)})
    assert data_period_end(spec, parsed, parsed.vintage or spec.vintage) == dt.date(2021, 12, 31)
    zones = registry()["electricitymaps_zones"]  # a snapshot of a latest file: dated by its fetch
    fetched = dt.datetime(2026, 8, 21, 12, tzinfo=dt.UTC).timestamp()
    assert data_period_end(zones, None, "2026-08-21", [fetched, fetched + 86400]) == dt.date(2026, 8, 21)


def test_every_source_declares_a_cadence_with_a_reason():
    for sid, spec in registry().items():
        pub = spec.publication
        assert pub is not None and len(pub.why) > 20, sid
        if pub.cadence in ("static", "one-off", "discontinued"):
            assert spec.max_age_days is None, sid
    # the examples: a monthly file-only price series, a monthly queue report, static boundaries
    assert registry()["ember_prices"].max_age_days == 61 and not registry()["ember_prices"].refreshable
    assert registry()["iso_queue_pjm"].max_age_days == 61 and not registry()["iso_queue_pjm"].refreshable
    assert registry()["boundaries"].max_age_days is None and registry()["cities"].max_age_days is None


def test_eia_prices_of_2019_loaded_today_are_old_data(db, raw_dir):
    rows = {f.source_id: f for f in fresh.freshness(db, raw=raw_dir)}
    eia = rows["eia_prices"]
    assert eia.vintage == "1990-2019" and eia.period_end == dt.date(2019, 12, 31)
    assert eia.load_age_days < 1 and eia.data_age_days > 6 * 365  # loaded today, data to 2019
    assert eia.stale and not eia.refreshable and eia.status == "manual update needed"
    assert eia.action == ("manual update needed: download the newer data from https://www.eia.gov/electricity/data/state/ "
                          f"into {raw_dir / 'eia_prices'}/ as eia_avgprice_annual_by_state_sector_1990_2019.csv "
                          "then `gridscout ingest eia_prices`")
    # a forced reload of the same file gives a new load, not newer data
    from gridscout.jobs.ingest import ingest_source

    assert ingest_source("eia_prices", db=db, raw=raw_dir, force=True).status == "loaded"
    again = {f.source_id: f for f in fresh.freshness(db)}["eia_prices"]
    assert again.period_end == eia.period_end and again.data_age_days >= eia.data_age_days and again.stale


def test_file_only_stale_sources_warn_but_do_not_block_the_weekly_freshness_step(db, tmp_path):
    from flows.deployments import freshness_task, score_report_flow

    # backdate ember_prices' load by a year and its data by 13 months
    _sql(db, "update source_loads set loaded_at = loaded_at - interval 365 days, period_end = date '2024-11-30' "
             "where source_id = 'ember_prices'")
    rows = {r["source_id"]: r for r in freshness_task(str(db), True)}  # fail_on_stale=True: does not raise
    em = rows["ember_prices"]
    assert em["status"] == "manual update needed" and em["stale"] and not em["refreshable"]
    assert 365 <= em["load_age_days"] < 366 and em["data_age_days"] > 61
    assert "into" in em["action"] and "`gridscout ingest ember_prices`" in em["action"]
    # a profile that blocks on manual updates stops the weekly flow at its freshness step, before scoring
    prof = tmp_path / "strict.toml"
    prof.write_text((registry_profile_text()).replace("block_on_manual = false", "block_on_manual = true"))
    with pytest.raises(WarehouseError, match=r"2 stale source\(s\) .* block scoring") as err:
        score_report_flow(profile=str(prof), db=str(db), out=str(tmp_path / "out"))
    assert "ember_prices (prices): vintage 2015-01..2025-12, data to 2024-11-30" in str(err.value)
    assert not (tmp_path / "out").exists()


def registry_profile_text() -> str:
    from gridscout.scoring.profiles import PROFILES_DIR

    text = (PROFILES_DIR / "balanced.toml").read_text()
    assert "block_on_manual = false" in text
    return text


def test_sources_fail_on_stale_exits_1_with_a_one_line_summary(db, raw_dir, monkeypatch):
    from gridscout.cli import app

    monkeypatch.setenv("GRIDSCOUT_RAW_DIR", str(raw_dir))
    runner = CliRunner()
    ok = runner.invoke(app, ["sources", "--db", str(db)])
    assert ok.exit_code == 0, ok.output
    assert "manual update needed" in ok.output and "not loaded" in ok.output and "no limit" not in ok.output
    res = runner.invoke(app, ["sources", "--db", str(db), "--fail-on-stale"])
    assert res.exit_code == 1
    assert "2 stale source(s): 2 manual update needed (eia_prices, ember_prices)" in res.output


@pytest.mark.parametrize("how", ["deployment", "cli"])
def test_a_stale_refreshable_source_is_refreshed_by_what_its_message_names(how, tmp_path, raw_dir, monkeypatch):
    """carbon_yearly served with a download URL from the local HTTP server (its family's other sources
    left out): an old release is loaded and backdated, the publisher releases the current file, and
    the ingest-carbon deployment's flow (or `gridscout ingest --refresh carbon_yearly`, the other fix
    the message names) re-downloads and loads it."""
    from flows.deployments import ingest_family_flow
    from gridscout.jobs.ingest import ingest_source
    from gridscout.sources.fetch import locate

    reg = registry()
    real = (raw_dir / "carbon_yearly" / CARBON_FILE).read_bytes()
    old = b"\n".join(real.split(b"\n")[:-50]) + b"\n"  # an earlier publication: fewer rows
    monkeypatch.delenv("GRIDSCOUT_OFFLINE", raising=False)
    for sid in [s for s, spec in reg.items() if spec.family == "carbon" and s != "carbon_yearly"]:
        monkeypatch.delitem(reg, sid)
    raw, db = tmp_path / "raw", tmp_path / "w.duckdb"
    with ScriptedServer() as srv:
        srv.add("/carbon.csv", (200, {"ETag": '"old"'}, old))
        spec = dataclasses.replace(reg["carbon_yearly"], files=(RawFile(CARBON_FILE, url=srv.url("/carbon.csv")),),
                                   extra_hosts=("127.0.0.1",))
        monkeypatch.setitem(reg, "carbon_yearly", spec)
        locate(spec, raw, allow_download=True)
        assert ingest_source("carbon_yearly", db=db, raw=raw).status == "loaded"
        # backdate: the load two years ago, its data to 2023
        _sql(db, "update source_loads set loaded_at = loaded_at - interval 730 days, vintage = '2019-2023', "
                 "period_end = date '2023-12-31' where source_id = 'carbon_yearly'")
        _sql(db, "update zone_carbon_yearly set vintage = '2019-2023' where source_id = 'carbon_yearly'")
        before = {f.source_id: f for f in fresh.freshness(db)}["carbon_yearly"]
        assert before.stale and before.refreshable and before.status == "STALE"
        assert before.action.startswith("run the deployment ingest-carbon (or `gridscout ingest --refresh carbon_yearly`)")
        with pytest.raises(WarehouseError, match="ingest-carbon"):
            fresh.fail_on_stale(db)
        srv.add("/carbon.csv", (200, {"ETag": '"new"'}, real))  # the publisher's new release
        if how == "deployment":
            results = ingest_family_flow(family="carbon", db=str(db), raw=str(raw))
            assert [(r["source_id"], r["status"]) for r in results] == [("carbon_yearly", "loaded")]
        else:
            from gridscout.cli import app

            res = CliRunner().invoke(app, ["ingest", "--refresh", "carbon_yearly", "--db", str(db), "--raw", str(raw)])
            assert res.exit_code == 0, res.output
            assert "refresh carbon_yearly/electricitymaps_yearly_zone_2021_2025.csv: downloaded" in res.output
    after = {f.source_id: f for f in fresh.freshness(db)}["carbon_yearly"]
    assert after.vintage == "2021-2025" and after.period_end == dt.date(2025, 12, 31)
    assert not after.stale and after.status == "ok" and after.load_age_days < 1
    assert fresh.fail_on_stale(db)
