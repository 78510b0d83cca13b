"""The analysts' snapshot (issue 17): marts published as Parquet + a read-only DuckDB file, an
analyst session on it never delays an ingest, every mart column is commented, and the data
dictionary page is the generated one.

Spot values from the data READMEs: Electricity Maps DE 2025 = 342 gCO2eq/kWh, 352 zones
(carbon_yearly/README.md, electricitymaps_yearly_zone_2021_2025.csv); EIA Virginia industrial 2019 =
6.85 cents/kWh = 68.5 USD/MWh (eia_prices, eia_avgprice_annual_by_state_sector_1990_2019.csv).
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import polars as pl
import pytest

from gridscout.warehouse import db as db_module
from tests.warehouses import build_warehouse

REPO = Path(__file__).resolve().parent.parent

#: an analyst in another process: opens the snapshot read-only, answers one query per line of stdin
#: ("old": on the connection held open since the start; "new": closes it and reconnects; DuckDB shares one
#: database instance per path within a process, so a newer publish is seen once every connection to it closed)
ANALYST = textwrap.dedent("""
    import sys, duckdb
    snap = sys.argv[1]
    held = duckdb.connect(snap, read_only=True)
    q = ("select (select count(*) from mart_us_state_industrial_price), "
         "(select max(price_usd_per_mwh) filter (where region_code = 'VA') from mart_us_state_industrial_price), "
         "(select carbon_g_per_kwh from mart_zone_carbon_latest where zone_key = 'DE')")
    print(*held.execute(q).fetchone(), flush=True)
    for line in sys.stdin:
        if line.strip() == "old":
            print(*held.execute(q).fetchone(), flush=True)
        else:
            held.close()
            held = duckdb.connect(snap, read_only=True)
            print(*held.execute(q).fetchone(), flush=True)
""")


@pytest.fixture
def lock_errors(monkeypatch) -> list[str]:
    """Every time a warehouse open in this process met another process's lock (db.connect then waits)."""
    seen: list[str] = []
    real = db_module._is_lock_error

    def counting(exc):
        hit = real(exc)
        if hit:
            seen.append(str(exc).splitlines()[0])
        return hit

    monkeypatch.setattr(db_module, "_is_lock_error", counting)
    return seen


def _ask(proc: subprocess.Popen, what: str | None = None) -> list[str]:
    if what is not None:
        proc.stdin.write(what + "\n")
        proc.stdin.flush()
    line = proc.stdout.readline()
    assert line, proc.stderr.read()
    return line.split()


def _ingest_prices(db: Path, raw: Path) -> float:
    """The ingest flow's two steps (flows/ingest.py: load-source, then publish_after_ingest), timed."""
    from gridscout.jobs.ingest import ingest_source, publish_after_ingest

    t0 = time.perf_counter()
    report = ingest_source("eia_prices", db=db, raw=raw)
    assert report.status == "loaded"
    publish_after_ingest([{"source_id": "eia_prices", "status": report.status}], db)
    return time.perf_counter() - t0


def test_every_mart_column_has_a_unit_and_source_comment():
    from gridscout.warehouse.publish import published_relations, relation_comments

    con = duckdb.connect()
    db_module.migrate(con)
    marts = published_relations(con)
    assert {"mart_zone_carbon_latest", "mart_us_state_industrial_price", "mart_ba_demand_hourly",
            "mart_latest_run_site_results"} <= set(marts)
    rel, cols = relation_comments(con, marts)
    assert all(rel.get(m) for m in marts), rel
    n_cols = con.execute("select count(*) from duckdb_columns() where table_name like 'mart\\_%' escape '\\'").fetchone()[0]
    assert len(cols) == n_cols > 20
    missing = [k for k, v in cols.items() if not (v or "").strip()]
    assert not missing, f"mart columns without a comment: {missing}"
    no_unit = [k for k, v in cols.items() if "[" not in v or "]" not in v]
    assert not no_unit, f"comments without a [unit]: {no_unit}"
    assert "[gCO2eq/kWh]" in cols[("mart_zone_carbon_latest", "carbon_g_per_kwh")]
    assert "[MW]" in cols[("mart_ba_demand_hourly", "demand_mw")]


def test_committed_data_dictionary_is_the_generated_one():
    from typer.testing import CliRunner

    from gridscout.cli import app
    from gridscout.warehouse.dictionary import DICTIONARY_PAGE, generate

    page = (REPO / DICTIONARY_PAGE).read_text(encoding="utf-8")
    assert page == generate(), "run `uv run gridscout dictionary` and commit docs/data_dictionary.md"
    assert "| `carbon_g_per_kwh` | DOUBLE |" in page
    result = CliRunner().invoke(app, ["dictionary", "--check", "--out", str(REPO / DICTIONARY_PAGE)])
    assert result.exit_code == 0, result.output


def test_analyst_on_the_snapshot_never_delays_an_ingest(tmp_path, raw_dir, lock_errors):
    from gridscout.warehouse.publish import MANIFEST, SNAPSHOT, publish_snapshot

    # the same ingest without any analyst, for comparison
    alone = build_warehouse(tmp_path / "alone" / "w.duckdb", raw_dir, ["carbon_yearly"])
    publish_snapshot(alone)
    t_alone = _ingest_prices(alone, raw_dir)

    db = build_warehouse(tmp_path / "wh" / "w.duckdb", raw_dir, ["carbon_yearly"])
    manifest = publish_snapshot(db)
    pub = tmp_path / "wh" / "published"  # the default: beside the warehouse
    assert json.loads((pub / MANIFEST).read_text())["published_at"] == manifest["published_at"]
    assert manifest["marts"]["mart_zone_carbon_latest"]["rows"] == 352
    assert [v["source_id"] for v in manifest["vintages"]] == ["carbon_yearly"]

    analyst = subprocess.Popen([sys.executable, "-c", ANALYST, str(pub / SNAPSHOT)], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert _ask(analyst) == ["0", "None", "342.0"]  # connection open, query answered: no prices yet
        t_with = _ingest_prices(db, raw_dir)  # the warehouse writer and the snapshot rename, analyst still open
        assert _ask(analyst, "old") == ["0", "None", "342.0"]  # the held session keeps its consistent old copy
        count, va, de = _ask(analyst, "new")  # a new session sees the republished data
        assert int(count) >= 50 and float(va) == pytest.approx(68.5) and de == "342.0"
    finally:
        analyst.stdin.close()
        analyst.wait(timeout=60)
    assert lock_errors == [], "an ingest waited for a lock"
    after = json.loads((pub / MANIFEST).read_text())
    assert after["trigger"] == "ingest eia_prices"
    assert {v["source_id"] for v in after["vintages"]} == {"carbon_yearly", "eia_prices"}
    va_row = pl.read_parquet(pub / "mart_us_state_industrial_price.parquet").filter(pl.col("region_code") == "VA")
    assert va_row["price_usd_per_mwh"].item() == pytest.approx(68.5) and va_row["year"].item() == 2019
    assert not [p.name for p in pub.iterdir() if p.name.startswith(".")], "staging left behind"
    print(f"\ningest eia_prices + publish: {t_alone:.2f} s alone, {t_with:.2f} s with an analyst on the snapshot")


def test_an_analyst_on_the_live_warehouse_is_what_blocks(tmp_path, raw_dir):
    """The failure the snapshot exists for: a read-only session on the live warehouse locks writers out."""
    from gridscout.errors import WarehouseError

    db = build_warehouse(tmp_path / "w.duckdb", raw_dir, ["carbon_yearly"])
    analyst = subprocess.Popen([sys.executable, "-c", "import sys, duckdb; c = duckdb.connect(sys.argv[1], "
                                "read_only=True); print(c.execute('select 1').fetchone()[0], flush=True); "
                                "sys.stdin.read()", str(db)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               text=True)
    try:
        assert analyst.stdout.readline().strip() == "1"
        with pytest.raises(WarehouseError, match="stayed locked"):
            db_module.connect(db, lock_wait_s=0.5)
    finally:
        analyst.stdin.close()
        analyst.wait(timeout=60)


def test_publish_command_and_publish_dir_setting(tmp_path, raw_dir, monkeypatch):
    from typer.testing import CliRunner

    from gridscout.cli import app

    db = build_warehouse(tmp_path / "w.duckdb", raw_dir, ["carbon_yearly"])
    monkeypatch.setenv("GRIDSCOUT_PUBLISH_DIR", str(tmp_path / "shared" / "marts"))
    result = CliRunner().invoke(app, ["publish", "--db", str(db)])
    assert result.exit_code == 0, result.output
    snap = duckdb.connect(str(tmp_path / "shared" / "marts" / "gridscout.duckdb"), read_only=True)
    try:
        assert snap.execute("select carbon_g_per_kwh from mart_zone_carbon_latest where zone_key = 'DE'"
                            ).fetchone()[0] == 342
        comment = snap.execute("select comment from duckdb_columns() where table_name = 'mart_zone_carbon_latest' "
                               "and column_name = 'carbon_g_per_kwh'").fetchone()[0]
        assert "[gCO2eq/kWh]" in comment
        assert snap.execute("select vintage from published_vintages").fetchall() == [("2021-2025",)]
    finally:
        snap.close()


def _doc_blocks(page: str, heading: str, lang: str) -> list[str]:
    """The ```lang blocks of the ``## heading`` section of a docs page."""
    text = (REPO / "docs" / page).read_text(encoding="utf-8")
    section = text.split(f"\n## {heading}", 1)[1].split("\n## ", 1)[0]
    return [b.split("\n", 1)[1] for b in section.split("```")[1::2] if b.startswith(lang + "\n")]


def test_the_analysts_section_of_operations_md_runs(tmp_path, raw_dir, monkeypatch):
    db = build_warehouse(tmp_path / "w.duckdb", raw_dir, ["carbon_yearly", "eia_prices"])
    monkeypatch.setenv("GRIDSCOUT_DB", str(db))
    monkeypatch.delenv("GRIDSCOUT_PUBLISH_DIR", raising=False)
    heading = "Analysts: query the published snapshot, never the live warehouse"
    (command,) = _doc_blocks("operations.md", heading, "bash")
    assert command.split("#")[0].split() == ["uv", "run", "gridscout", "publish"]
    res = subprocess.run(command.split("#")[0].split(), cwd=REPO, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    assert (tmp_path / "published" / "gridscout.duckdb").is_file()
    (snippet,) = _doc_blocks("operations.md", heading, "python")
    res = subprocess.run([sys.executable, "-c", snippet], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert "68.5" in res.stdout and "352" in res.stdout  # VA 2019 industrial price; zones (READMEs)


def test_the_parquet_over_http_block_of_scaling_md_runs(tmp_path, raw_dir):
    """docs/scaling.md "Past one machine", step 3: DuckDB reads the published folder over HTTP."""
    import functools
    import http.server
    import os
    import threading

    from gridscout.warehouse.publish import publish_snapshot

    db = build_warehouse(tmp_path / "w.duckdb", raw_dir, ["carbon_yearly"])
    publish_snapshot(db)
    heading = "Past one machine"
    (serve,) = [b for b in _doc_blocks("scaling.md", heading, "bash") if "http.server" in b]
    assert "data/published" in serve  # the doc serves the default publish folder; here a test's own
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path / "published"))
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        (snippet,) = _doc_blocks("scaling.md", heading, "python")
        env = {**os.environ, "GRIDSCOUT_PUBLISHED_URL": f"http://127.0.0.1:{srv.server_address[1]}"}
        res = subprocess.run([sys.executable, "-c", snippet], cwd=REPO, env=env, capture_output=True, text=True,
                             timeout=120)
    finally:
        srv.shutdown()
        srv.server_close()
    assert res.returncode == 0, res.stderr
    assert "342.0" in res.stdout and "352" in res.stdout  # DE 2025 gCO2eq/kWh; zones (carbon_yearly README)
