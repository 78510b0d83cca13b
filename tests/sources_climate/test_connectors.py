"""Live connectors replayed through a REAL local HTTP server (no client patching)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from urllib.parse import urlsplit

import pytest

from gridscout.errors import SourceFetchError
from gridscout.sources import electricitymaps_api as em
from gridscout.sources import http, nasa_power, pvgis
from gridscout.sources.fetch import fetch_live, sha256_file
from gridscout.jobs.ingest import ingest_source
from gridscout.warehouse.db import connect

JSON = {"Content-Type": "application/json"}
NO_WAIT = (0.0, 0.0)


# --- shared HTTP helper -----------------------------------------------------------------------

def test_http_retries_5xx_then_succeeds_and_never_retries_4xx(replay):
    replay.add("/flaky", (503, JSON, b'{"message": "busy"}'), (200, JSON, b'{"ok": 1}'))
    assert http.get_json(f"{replay.base}/flaky", retry_delays=NO_WAIT) == {"ok": 1}
    assert len(replay.requests) == 2
    replay.add("/bad", (400, JSON, b'{"message": "Location over the sea. Please, select another location"}'))
    with pytest.raises(SourceFetchError, match="HTTP 400: Location over the sea"):
        http.get(f"{replay.base}/bad", retry_delays=NO_WAIT)
    assert len(replay.requests) == 3  # one attempt only


def test_http_host_allow_list_and_html(replay):
    with pytest.raises(SourceFetchError, match="not among"):
        http.get(f"{replay.base}/x", allowed_hosts={"re.jrc.ec.europa.eu"})
    replay.add("/html", (200, {"Content-Type": "text/html"}, b"<!DOCTYPE html><html><title>Maintenance</title></html>"))
    with pytest.raises(SourceFetchError, match="HTML page.*Maintenance"):
        http.get_json(f"{replay.base}/html", retry_delays=NO_WAIT)


def test_scrub_hides_keys():
    text = "GET https://api.eia.gov/v2/x?api_key=SECRET123&frequency=annual failed; auth-token: TOK9"
    out = http.scrub(text, ["TOK9"])
    assert "SECRET123" not in out and "TOK9" not in out and "frequency=annual" in out


# --- PVGIS ------------------------------------------------------------------------------------

@pytest.fixture
def pvgis_server(replay, recorded):
    body = (recorded / "pvgis_nsrdb" / "tmy_45.000_8.000_2005_2023.json").read_bytes()
    replay.add("/api/v5_3/tmy", (200, JSON, body),
               query="lat=45.0000&lon=8.0000&outputformat=json&usehorizon=1")
    return replay


def test_pvgis_saves_the_response_as_received_then_parses_it(pvgis_server, recorded, tmp_path):
    body = (recorded / "pvgis_nsrdb" / "tmy_45.000_8.000_2005_2023.json").read_bytes()
    [saved] = fetch_live(pvgis.SPEC, tmp_path, sites=[(45.0, 8.0)], base_url=f"{pvgis_server.base}/api/v5_3")
    assert saved.name == "requests/tmy_45.000_8.000.json" and saved.path.read_bytes() == body
    assert (saved.sha256, saved.bytes) == (hashlib.sha256(body).hexdigest(), len(body))  # the real file
    assert saved.url.endswith("/api/v5_3/tmy?lat=45.0000&lon=8.0000&outputformat=json&usehorizon=1")
    parsed = pvgis.parse({saved.name: saved.path})
    df = parsed.tables["weather_hourly"]
    assert df.row(0, named=True)["dry_bulb_c"] == 2.04 and df.row(9, named=True)["ghi_w_per_m2"] == 149.0
    assert parsed.vintage == "site:45.000_8.000:2005-2023" and df["station_key"][0] == "pvgis:45.000_8.000"


def test_pvgis_site_load_is_idempotent_and_records_the_saved_file(pvgis_server, tmp_path):
    base = f"{pvgis_server.base}/api/v5_3"
    db, request = tmp_path / "w.duckdb", {"sites": [(45.0, 8.0)], "base_url": base}
    first = ingest_source(pvgis.SPEC, db=db, raw=tmp_path, request=request)
    again = ingest_source(pvgis.SPEC, db=db, raw=tmp_path, request=request)
    assert (first.status, again.status) == ("loaded", "unchanged")
    assert first.vintage == "site:45.000_8.000:2005-2023"
    saved = tmp_path / "pvgis" / "requests" / "tmy_45.000_8.000.json"
    con = connect(db, read_only=True)
    try:
        rows = con.execute("select count(*), round(avg(dry_bulb_c), 4) from weather_hourly "
                           "where station_key = 'pvgis:45.000_8.000'").fetchone()
        f = con.execute("select source_id, latitude, longitude, hours from weather_files").fetchall()
        prov = con.execute("select file, sha256, bytes, url from source_loads where source_id = 'pvgis'").fetchall()
    finally:
        con.close()
    assert rows == (8760, pytest.approx(13.5641))
    assert f == [("pvgis", 45.0, 8.0, 8760)]
    assert prov == [("requests/tmy_45.000_8.000.json", sha256_file(saved), saved.stat().st_size,
                     f"{base}/tmy?lat=45.0000&lon=8.0000&outputformat=json&usehorizon=1")]
    # a plain ingest of the pvgis folder never picks up the per-site response
    from gridscout.sources.fetch import locate

    assert locate(pvgis.SPEC, tmp_path, allow_download=False) == []


def test_pvgis_errors_save_nothing(replay, tmp_path):
    replay.add("/api/v5_3/tmy", (400, JSON, b'{"message": "Location over the sea. Please, select another location", '
                                            b'"status": 400}'))
    with pytest.raises(SourceFetchError, match="over the sea"):
        pvgis.save_tmy(tmp_path, 40.0, -30.0, base_url=f"{replay.base}/api/v5_3", retry_delays=NO_WAIT)
    assert len(replay.requests) == 1
    replay.reset()
    replay.add("/api/v5_3/tmy", (502, {"Content-Type": "text/html"}, b"<html>bad gateway</html>"))
    with pytest.raises(SourceFetchError, match="3 attempts"):
        pvgis.save_tmy(tmp_path, 40.0, -30.0, base_url=f"{replay.base}/api/v5_3", retry_delays=NO_WAIT)
    assert len(replay.requests) == 3
    assert not any(p.is_file() for p in tmp_path.rglob("*"))


# --- NASA POWER -------------------------------------------------------------------------------

def _cassettes(recorded):
    for path in sorted((recorded / "nasa_power").glob("*.json")):
        for it in json.loads(path.read_text())["http_interactions"]:
            yield path.stem, it


@pytest.fixture
def power_server(replay, recorded):
    for _, it in _cassettes(recorded):
        u = urlsplit(it["request"]["uri"])
        resp = it["response"]
        replay.add(u.path, (resp["status"]["code"] if isinstance(resp["status"], dict) else resp["status"],
                            {"Content-Type": "text/csv"}, resp["body"]["string"].encode()), query=u.query)
    return replay


def test_nasa_power_daily_point_replay(power_server, tmp_path):
    saved = nasa_power.save_point(tmp_path, "daily.csv", ["T2M", "T2M_MIN", "T2M_MAX", "RH2M", "WS10M", "PS"],
                                  -89.5, -179.5, "19830101", "19830101", "daily", community="ag", fmt="csv",
                                  base_url=f"{power_server.base}/api", extra_params={"user": "nasapower4r"})
    assert saved == tmp_path / "requests" / "daily.csv"
    df, meta = nasa_power.parse_csv(saved.read_text(), file=str(saved))
    row = df.row(0, named=True)
    assert row["date"] == dt.date(1983, 1, 1)
    assert (row["T2M"], row["T2M_MIN"], row["T2M_MAX"], row["RH2M"], row["WS10M"], row["PS"]) == \
        (-24.36, -25.37, -22.7, 92.61, 1.93, 69.23)
    assert (meta["latitude"], meta["longitude"], meta["elevation_m"]) == (-89.5, -179.5, 2885.03)


def test_nasa_power_lst_and_climatology_replay(power_server, tmp_path):
    base = f"{power_server.base}/api"
    saved = nasa_power.save_point(tmp_path, "lst.csv", ["T2M", "T2M_MIN", "T2M_MAX", "RH2M", "WS10M"], -89.5,
                                  -179.5, "19830101", "19830101", "daily", community="sb", fmt="csv",
                                  time_standard="LST", base_url=base, extra_params={"user": "nasapower4r"})
    lst, meta = nasa_power.parse_csv(saved.read_text())
    assert lst.row(0, named=True)["T2M"] == -25.24 and meta["time_standard"] == "LST"
    saved = nasa_power.save_point(tmp_path, "clim.csv", ["T2M"], -89.5, -179.5, temporal="climatology",
                                  community="ag", fmt="csv", time_standard="LST", base_url=base,
                                  extra_params={"user": "nasapower4r"})
    clim, _ = nasa_power.parse_csv(saved.read_text())
    by = dict(zip(clim["period"], clim["value"], strict=True))
    assert (by["JAN"], by["JUL"], by["ANN"]) == (-29.27, -62.05, -50.04)


def test_nasa_power_site_request_is_saved_and_a_wrong_body_is_refused_by_name(replay, recorded, tmp_path):
    """The fetcher asks POWER for one UTC year of the hourly parameters at the site and saves the body;
    no hourly response is recorded, so the replay answers with a real daily CSV body and the pure
    parser must refuse it naming the saved file (never load it as hourly weather)."""
    from gridscout.errors import SourceFormatError

    daily = next(it for name, it in _cassettes(recorded) if name == "daily_ag_point")
    body = daily["response"]["body"]["string"].encode()
    replay.add("/api/temporal/hourly/point", (200, {"Content-Type": "text/csv"}, body))
    request = {"sites": [(45.0, 8.0)], "year": 2021, "base_url": f"{replay.base}/api"}
    with pytest.raises(SourceFormatError, match=r"requests/power_hourly_45\.000_8\.000_2021\.json"):
        ingest_source(nasa_power.SPEC, db=tmp_path / "w.duckdb", raw=tmp_path, request=request)
    q = replay.requests[0].query
    assert q["parameters"] == [",".join(nasa_power.HOURLY_PARAMETERS)] and q["time-standard"] == ["UTC"]
    assert (q["latitude"], q["longitude"], q["start"], q["end"]) == (["45.0"], ["8.0"], ["20210101"], ["20211231"])
    assert (tmp_path / "nasa_power" / "requests" / "power_hourly_45.000_8.000_2021.json").is_file()


def test_nasa_power_every_cassette_parses(recorded):
    for name, it in _cassettes(recorded):
        df, meta = nasa_power.parse_csv(it["response"]["body"]["string"], file=name)
        assert df.height >= 1 and meta["fill_value"] == -999.0, name


def test_nasa_power_hourly_json_to_canonical_and_fill():
    """FORMAT check of the documented hourly JSON shape (API_REFERENCE.md); values are made up."""
    keys = [f"2021{m:02d}{d:02d}{h:02d}" for m, d in [(1, 1)] for h in range(24)]
    body = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [8.0, 45.0, 250.0]},
            "header": {"fill_value": -999.0},
            "properties": {"parameter": {"T2M": {k: 1.5 for k in keys}, "PS": {k: 99.5 for k in keys},
                                         "RH2M": {k: (-999.0 if i == 3 else 80.0) for i, k in enumerate(keys)}}}}
    df, meta = nasa_power.parse_json(json.dumps(body))
    assert df.height == 24 and df["RH2M"][3] is None and meta["latitude"] == 45.0
    assert df["datetime_start"][0] == dt.datetime(2021, 1, 1, 0)


# --- Electricity Maps -------------------------------------------------------------------------

# The API reference's own example record (API_REFERENCE.md, "Response latest").
DOC_RECORD = {"zone": "US-MIDW-MISO", "carbonIntensity": 466, "datetime": "2024-09-24T03:00:00.000Z",
              "updatedAt": "2024-09-24T02:52:11.000Z", "createdAt": "2024-09-21T03:50:27.000Z",
              "emissionFactorType": "lifecycle", "isEstimated": True, "estimationMethod": "TIME_SLICER_AVERAGE"}
KEY = "em-test-key-7f3a9c"


def test_electricitymaps_inactive_without_key(monkeypatch, tmp_path):
    monkeypatch.delenv(em.ENV_KEY, raising=False)
    assert not em.is_active()
    with pytest.raises(SourceFetchError, match="inactive"):
        em.save_carbon_history(tmp_path, "DE")
    assert em.fetch_saved(tmp_path) == []  # a plain ingest: no zone requested, nothing fetched


def test_electricitymaps_history_replay_and_load(replay, monkeypatch, caplog, tmp_path):
    monkeypatch.setenv(em.ENV_KEY, KEY)
    body = json.dumps({"zone": "US-MIDW-MISO", "history": [DOC_RECORD]}).encode()
    replay.add("/v3/carbon-intensity/history", (200, JSON, body), query="zone=US-MIDW-MISO")
    caplog.set_level(logging.DEBUG)
    db, request = tmp_path / "w.duckdb", {"zones": ["US-MIDW-MISO"], "base_url": f"{replay.base}/v3"}
    rep = ingest_source(em.SPEC, db=db, raw=tmp_path, request=request)
    assert (rep.status, rep.vintage) == ("loaded", "US-MIDW-MISO:2024-09-24T03")
    assert replay.requests[0].header("auth-token") == KEY
    saved = tmp_path / "electricitymaps_api" / "requests" / "carbon_intensity_US-MIDW-MISO_last24h.json"
    assert saved.read_bytes() == body
    con = connect(db, read_only=True)
    try:
        row = con.execute("select zone_key, datetime_utc, carbon_g_per_kwh, carbon_basis, is_estimated, "
                          "estimation_method from zone_carbon_hourly").fetchone()
        stored = con.execute("select file, sha256, bytes from source_loads").fetchall()
        everything = repr(con.execute("select * from source_loads").fetchall())
    finally:
        con.close()
    assert row[0] == "US-MIDW-MISO" and row[1] == dt.datetime(2024, 9, 24, 3, tzinfo=dt.UTC)
    assert row[2:] == (466.0, "lifecycle", True, "TIME_SLICER_AVERAGE")
    assert stored == [(saved.relative_to(saved.parents[1]).as_posix(), hashlib.sha256(body).hexdigest(), len(body))]
    assert KEY not in everything and KEY not in caplog.text
    assert KEY not in saved.with_name(saved.name + ".meta.json").read_text()
    assert ingest_source(em.SPEC, db=db, raw=tmp_path, request=request).status == "unchanged"


def test_electricitymaps_key_never_in_errors_or_logs(replay, monkeypatch, caplog, tmp_path):
    monkeypatch.setenv(em.ENV_KEY, KEY)
    caplog.set_level(logging.DEBUG)
    # a server that echoes the key back in its error body and fails with 5xx first
    replay.add("/v3/carbon-intensity/past-range",
               (500, JSON, b"{}"), (401, JSON, json.dumps({"error": f"invalid token {KEY}"}).encode()))
    with pytest.raises(SourceFetchError) as info:
        em.save_carbon_history(tmp_path, "FR", start=dt.datetime(2024, 9, 1, tzinfo=dt.UTC),
                               end=dt.datetime(2024, 9, 2, tzinfo=dt.UTC), base_url=f"{replay.base}/v3",
                               retry_delays=NO_WAIT)
    assert "HTTP 401" in str(info.value)
    assert KEY not in str(info.value) and KEY not in repr(info.value) and KEY not in caplog.text
    assert info.value.__cause__ is None and info.value.__context__ is None or KEY not in str(info.value.__context__)
    q = replay.requests[-1].query
    assert q["zone"] == ["FR"] and q["start"] == ["2024-09-01T00:00Z"] and "auth-token" not in q
    assert not any(p.is_file() for p in tmp_path.rglob("*"))
