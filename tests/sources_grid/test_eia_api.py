"""EIA API v2 retail-sales connector against a REAL local HTTP server (no patched client).

The server answers in the shape of EIA's documentation example (numbers as strings, "total" as a
string) with rows built from the real EIA annual price file for Colorado, whose 2001 residential
price is the documentation's own example: 7.47 cents/kWh.
"""

from __future__ import annotations

import json
import logging

import polars as pl
import pytest

from gridscout.errors import SourceFetchError, SourceMissingError
from gridscout.sources import eia_api
from tests.httpserver import JSON, ScriptedServer

KEY = "TESTKEY-0123456789abcdef"
SECTOR_IDS = {"Residential": "RES", "Commercial": "COM", "Industrial": "IND", "Transportation": "TRA",
              "Other": "OTH", "Total": "ALL"}


def colorado_rows(raw_dir) -> list[dict]:
    df = pl.read_csv(raw_dir / "eia_prices" / "eia_avgprice_annual_by_state_sector_1990_2019.csv", infer_schema=False)
    df = df.filter((pl.col("State") == "CO") & (pl.col("Industry Sector Category") == "Total Electric Industry")
                   & (pl.col("Year").cast(pl.Int32) >= 2001)).sort("Year")
    rows = []
    for r in df.iter_rows(named=True):
        for name, sid in SECTOR_IDS.items():
            rows.append({"period": r["Year"], "stateid": "CO", "stateDescription": "Colorado", "sectorid": sid,
                         "sectorName": name.lower(), "price": r[name] or None, "price-units": "cents per kilowatthour"})
    return rows


class EIAServer:
    """Serves /v2/electricity/retail-sales/data/ with offset/length paging; can fail the first N calls.
    A handler on the one test HTTP server (:mod:`tests.httpserver`)."""

    def __init__(self, rows: list[dict], fail_first: int = 0):
        self.rows, self.fail_left, self.calls = rows, fail_first, []
        self.srv = ScriptedServer().__enter__()
        self.srv.add("/v2/electricity/retail-sales/data/", self._answer)
        self.base_url = self.srv.url("/v2")

    def _answer(self, req):
        self.calls.append((req.target, req.header("X-Api-Key")))
        if self.fail_left > 0:
            self.fail_left -= 1
            return _json(500, {"error": "internal"})
        if req.header("X-Api-Key") != KEY:
            return _json(403, {"error": {"code": "API_KEY_MISSING", "message": "No api_key was supplied."}})
        q = req.query
        sel = [r for r in self.rows if not q.get("facets[sectorid][]") or r["sectorid"] in q["facets[sectorid][]"]]
        off, length = int(q["offset"][0]), int(q["length"][0])
        return _json(200, {"response": {"total": str(len(sel)), "dateFormat": "YYYY", "frequency": "annual",
                                        "data": sel[off:off + length]},
                           "request": {"command": "/v2/electricity/retail-sales/data/"}, "apiVersion": "2.1.0"})

    def close(self):
        self.srv.__exit__(None, None, None)


def _json(status: int, body) -> tuple:
    return status, JSON, json.dumps(body).encode()


@pytest.fixture
def server(raw_dir):
    srv = EIAServer(colorado_rows(raw_dir))
    yield srv
    srv.close()


def test_documented_example_value_through_two_pages(server):
    rows = eia_api.fetch_retail_sales(KEY, base_url=server.base_url, states=["CO"], sector="RES",
                                      start=2001, end=2019, page_length=10)
    assert len(rows) == 19 and len(server.calls) == 2  # 19 years, pages of 10 → 2 calls
    assert "offset=10" in server.calls[1][0] and "facets%5Bsectorid%5D%5B%5D=RES" in server.calls[0][0]
    first = rows[0]
    assert (first["period"], first["stateid"], first["sectorid"], first["price"]) == ("2001", "CO", "RES", "7.47")
    out = eia_api.records_to_retail_prices(rows).tables["retail_prices"]
    co = out.filter(pl.col("year") == 2001).row(0, named=True)
    assert (co["region_kind"], co["region_code"], co["sector"]) == ("us_state", "CO", "residential")
    assert co["price_usd_per_mwh"] == pytest.approx(74.7)  # 7.47 ¢/kWh × 10


def test_all_sectors_match_the_annual_file_and_blank_is_null(server):
    rows = eia_api.fetch_retail_sales(KEY, base_url=server.base_url, states=["CO"], page_length=5000)
    parsed = eia_api.records_to_retail_prices(rows)
    out = parsed.tables["retail_prices"]
    assert out.height == 19 * 6
    ind = out.filter((pl.col("year") == 2001) & (pl.col("sector") == "industrial"))["price_usd_per_mwh"].item()
    assert ind == pytest.approx(44.8)  # CO industrial 2001: 4.48 ¢/kWh
    tra = out.filter((pl.col("year") == 2001) & (pl.col("sector") == "transportation"))["price_usd_per_mwh"].item()
    assert tra is None  # EIA blank: no sales, not a free price
    assert parsed.vintage == "2001-2019"


def test_retry_500_then_success_and_key_never_leaks(raw_dir, caplog):
    srv = EIAServer(colorado_rows(raw_dir), fail_first=1)
    caplog.set_level(logging.DEBUG)  # httpx logs every request URL at INFO/DEBUG
    try:
        rows = eia_api.fetch_retail_sales(KEY, base_url=srv.base_url, sector="ALL", retry_delays=(0.01, 0.01))
    finally:
        srv.close()
    assert len(rows) == 19 and len(srv.calls) == 2  # one 500, then the page
    assert all(KEY not in path for path, _ in srv.calls)  # key only in the header
    assert "retrying" in caplog.text and KEY not in caplog.text


def test_errors_are_scrubbed(raw_dir, caplog):
    srv = EIAServer(colorado_rows(raw_dir), fail_first=10)
    caplog.set_level(logging.DEBUG)
    try:
        with pytest.raises(SourceFetchError, match="after 3 attempts") as info:
            eia_api.fetch_retail_sales(KEY, base_url=srv.base_url, retry_delays=(0.01, 0.01))
        wrong = "WRONG-" + KEY  # a 403 body/URL that echoes a key must still be scrubbed
        with pytest.raises(SourceFetchError, match="HTTP 403") as info403:
            srv.fail_left = 0
            eia_api.fetch_retail_sales(wrong, base_url=srv.base_url, retry_delays=())
    finally:
        srv.close()
    for text in (str(info.value), repr(info.value), str(info403.value), caplog.text):
        assert KEY not in text


def test_parse_without_files_or_key_says_set_the_key(monkeypatch):
    monkeypatch.delenv("EIA_API_KEY", raising=False)
    with pytest.raises(SourceMissingError, match="(?i)set EIA_API_KEY"):
        eia_api.parse({})


def test_saved_response_ingests_idempotently(raw_dir, tmp_path):
    from gridscout.jobs.ingest import ingest_source
    from gridscout.warehouse import connect

    srv = EIAServer(colorado_rows(raw_dir))
    try:
        eia_api.download_retail_sales(tmp_path / "raw" / "eia_api", KEY, base_url=srv.base_url, states=["CO"])
    finally:
        srv.close()
    assert KEY not in (tmp_path / "raw" / "eia_api" / "retail_sales_annual.json").read_text()
    db = tmp_path / "w.duckdb"
    first = ingest_source(eia_api.SPEC, db=db, raw=tmp_path / "raw")
    second = ingest_source(eia_api.SPEC, db=db, raw=tmp_path / "raw")
    assert (first.status, second.status) == ("loaded", "unchanged")
    con = connect(db, read_only=True)
    try:
        assert con.execute("select count(*) from retail_prices where source_id = 'eia_api'").fetchone()[0] == 19 * 6
        assert con.execute("select price_usd_per_mwh from stg_retail_prices where source_id = 'eia_api' and "
                           "region_code = 'CO' and year = 2001 and sector = 'residential'").fetchone()[0] == pytest.approx(74.7)
        assert con.execute("select count(distinct load_id) from source_loads where source_id = 'eia_api'").fetchone()[0] == 1
    finally:
        con.close()


def test_ingest_with_key_fetches_saves_then_loads_purely(raw_dir, tmp_path, monkeypatch):
    """No saved response + EIA_API_KEY: ingest fetches (the spec's fetcher, I/O), saves the response as
    the raw file, and the pure parser loads it; the load's provenance names the saved file."""
    from gridscout.jobs.ingest import ingest_source
    from gridscout.warehouse import connect

    srv = EIAServer(colorado_rows(raw_dir))
    monkeypatch.setenv("EIA_API_KEY", KEY)
    monkeypatch.setenv(eia_api.URL_ENV, srv.base_url)
    monkeypatch.delenv("GRIDSCOUT_OFFLINE", raising=False)
    from gridscout.sources.fetch import refresh

    try:
        res = ingest_source(eia_api.SPEC, db=tmp_path / "w.duckdb", raw=tmp_path / "raw")
        # a scheduled refresh re-fetches; the same answer leaves the saved file's content as it was
        assert [r.status for r in refresh(eia_api.SPEC, tmp_path / "raw")] == ["same-content"]
        assert ingest_source(eia_api.SPEC, db=tmp_path / "w.duckdb", raw=tmp_path / "raw").status == "unchanged"
    finally:
        srv.close()
    saved = tmp_path / "raw" / "eia_api" / "retail_sales_annual.json"
    assert res.status == "loaded" and saved.is_file() and KEY not in saved.read_text()
    assert all(key == KEY for _, key in srv.calls)
    con = connect(tmp_path / "w.duckdb", read_only=True)
    try:
        assert con.execute("select file from source_loads where source_id = 'eia_api'").fetchone()[0] \
            .endswith("retail_sales_annual.json")
        assert con.execute("select price_usd_per_mwh from stg_retail_prices where source_id = 'eia_api' and "
                           "region_code = 'CO' and year = 2001 and sector = 'residential'").fetchone()[0] \
            == pytest.approx(74.7)
    finally:
        con.close()
