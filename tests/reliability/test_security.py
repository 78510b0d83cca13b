"""Security: API keys never leave the environment; hostile site names are data, not SQL or HTML;
outputs stay inside the run folder; downloads only from declared hosts, capped in size."""

from __future__ import annotations

import logging
from pathlib import Path

import duckdb
import polars as pl
import pytest

from gridscout.errors import GridscoutError
from gridscout.runs import child_path, safe_out_dir
from tests.httpserver import ScriptedServer
from tests.reliability.faults import SECRET_EIA, SECRET_EM, fingerprint

HOSTILE = {
    "sqli-1": "'; DROP TABLE sites; --",
    "sqli-2": "Robert'); DROP TABLE power_plants;--",
    "xss-1": "<script>alert(1)</script>",
    "quote": 'O"Brien \\ campus',
}
COORDS = {"sqli-1": (39.04372, -77.48749), "sqli-2": (53.33306, -6.24889), "xss-1": (50.11552, 8.68417),
          "quote": (1.28967, 103.85007)}


@pytest.fixture
def hostile_run(wh, tmp_path, monkeypatch, caplog):
    """A real scoring run + report of hostile site names with fake API keys in the environment."""
    from gridscout.jobs.score import score_candidates
    from gridscout.report.render import render_report

    monkeypatch.setenv("EIA_API_KEY", SECRET_EIA)
    monkeypatch.setenv("ELECTRICITYMAPS_API_KEY", SECRET_EM)
    caplog.set_level(logging.DEBUG)
    p = tmp_path / "hostile.csv"
    pl.DataFrame({"site_id": list(HOSTILE), "name": list(HOSTILE.values()),
                  "latitude": [COORDS[k][0] for k in HOSTILE], "longitude": [COORDS[k][1] for k in HOSTILE]}).write_csv(p)
    data_before = fingerprint(wh, exclude=("runs", "run_site_results"))
    res = score_candidates(p, "balanced", tmp_path / "out", db=wh, mc_draws=20)
    report = render_report(res.run_dir)
    return {"res": res, "report": report, "wh": wh, "before": data_before, "caplog": caplog}


def test_api_keys_never_reach_outputs_logs_or_warehouse(hostile_run, capsys):
    res = hostile_run["res"]
    files = [p for p in res.run_dir.rglob("*") if p.is_file()]
    assert any(p.name == "report.html" for p in files) and any(p.name == "run.json" for p in files)
    captured = capsys.readouterr()
    logs = hostile_run["caplog"].text + captured.out + captured.err
    for secret in (SECRET_EIA, SECRET_EM):
        for p in files:
            assert secret.encode() not in p.read_bytes(), p
        assert secret not in logs
        con = duckdb.connect(str(hostile_run["wh"]), read_only=True)
        try:
            assert not con.execute("select count(*) from runs where manifest like ?", [f"%{secret}%"]).fetchone()[0]
        finally:
            con.close()


def test_hostile_names_are_harmless_and_round_trip(hostile_run):
    res, wh = hostile_run["res"], hostile_run["wh"]
    assert fingerprint(wh, exclude=("runs", "run_site_results")) == hostile_run["before"]  # every table intact
    got = dict(pl.read_parquet(res.run_dir / "scores.parquet").select("site_id", "site_name").iter_rows())
    assert got == HOSTILE
    con = duckdb.connect(str(wh), read_only=True)
    try:
        stored = dict(con.execute("select site_id, site_name from run_site_results where run_id = ?",
                                  [res.run_id]).fetchall())
    finally:
        con.close()
    assert stored == HOSTILE


def test_report_escapes_hostile_names(hostile_run):
    html = Path(hostile_run["report"]).read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html
    assert "&#39;; DROP TABLE sites; --" in html or "&#x27;; DROP TABLE sites; --" in html


def test_eia_key_is_scrubbed_from_errors_and_logs(tmp_path, caplog):
    from gridscout.errors import SourceFetchError
    from gridscout.sources.eia_api import fetch_retail_sales

    caplog.set_level(logging.DEBUG)
    with ScriptedServer() as srv:
        srv.add("/v2/electricity/retail-sales/data/",
                (500, {}, b"upstream error", None),
                (403, {}, f'{{"error": "API key {SECRET_EIA} is not valid"}}'.encode(), None))
        with pytest.raises(SourceFetchError) as err:
            fetch_retail_sales(SECRET_EIA, base_url=srv.url("/v2"), retry_delays=(0.01,))
    assert SECRET_EIA not in str(err.value) and SECRET_EIA not in caplog.text
    assert "HTTP 403" in str(err.value)


def test_electricitymaps_key_is_scrubbed_from_errors_and_logs(monkeypatch, caplog, tmp_path):
    from gridscout.errors import SourceFetchError
    from gridscout.sources.electricitymaps_api import save_carbon_history

    monkeypatch.setenv("ELECTRICITYMAPS_API_KEY", SECRET_EM)
    caplog.set_level(logging.DEBUG)
    with ScriptedServer() as srv:
        srv.add("/v3/carbon-intensity/history", (401, {}, f'{{"message": "bad token {SECRET_EM}"}}'.encode(), None))
        with pytest.raises(SourceFetchError) as err:
            save_carbon_history(tmp_path, "DE", base_url=srv.url("/v3"), retry_delays=(0.01,))
    assert SECRET_EM not in str(err.value) and SECRET_EM not in caplog.text


@pytest.mark.parametrize("name", ["../x", "/etc/passwd", "a/b.parquet", "..", ".", "", "x\x00y", "scores.parquet/.."])
def test_child_path_refuses_escapes(tmp_path, name):
    with pytest.raises(GridscoutError):
        child_path(tmp_path, name)


def test_child_path_refuses_a_symlink_out_of_the_run_folder(tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    (run / "scores.parquet").symlink_to(tmp_path / "elsewhere.parquet")
    with pytest.raises(GridscoutError, match="escape"):
        child_path(run, "scores.parquet")


def test_out_into_a_non_run_folder_is_refused(tmp_path, wh, markets_small):
    from gridscout.jobs.score import score_candidates

    home = tmp_path / "home"
    home.mkdir()
    (home / "thesis.docx").write_bytes(b"precious")
    with pytest.raises(GridscoutError, match="not a gridscout run folder"):
        safe_out_dir(home, "r")
    with pytest.raises(GridscoutError, match="not a gridscout run folder"):
        score_candidates(markets_small, "balanced", home, db=wh, mc_draws=10)
    assert sorted(p.name for p in home.iterdir()) == ["thesis.docx"]
    (tmp_path / "file").write_text("x")
    with pytest.raises(GridscoutError, match="not a directory"):
        safe_out_dir(tmp_path / "file", "r")


def test_every_source_downloads_only_over_https_from_declared_hosts_with_a_cap():
    from urllib.parse import urlparse

    from gridscout.sources import registry

    for sid, spec in registry().items():
        for f in spec.files:
            if f.url:
                u = urlparse(f.url)
                assert u.scheme == "https", (sid, f.url)
                assert u.hostname in spec.allowed_hosts, (sid, f.url)
            assert 0 < f.max_bytes <= 2_000_000_000, (sid, f.name)
        assert all(h and "/" not in h for h in spec.allowed_hosts), sid


def test_locate_refuses_a_redirect_to_a_foreign_host_and_writes_nothing(tmp_path):
    from gridscout.errors import SourceMissingError
    from gridscout.sources import carbon_yearly
    from gridscout.sources.base import RawFile, SourceSpec
    from gridscout.sources.fetch import locate

    with ScriptedServer() as srv:
        srv.add("/f.csv", (302, {"Location": f"http://localhost:{srv.port}/evil.csv"}, b"", None))
        srv.add("/evil.csv", (200, {}, b"zone_key,year\nDE,2024\n", None))
        spec = SourceSpec(id="hosts_test", title="t", authority="t", licence="t", homepage="t", family="carbon",
                          vintage="1", files=(RawFile("f.csv", url=srv.url("/f.csv"), max_bytes=10_000),),
                          tables=("zone_carbon_yearly",), parse=carbon_yearly.parse)
        with pytest.raises(SourceMissingError, match="outside the declared hosts"):
            locate(spec, tmp_path, allow_download=True)
    assert not any(p.is_file() for p in tmp_path.rglob("*"))
