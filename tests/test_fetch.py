"""Downloads through a real local HTTP server: retries, truncation, HTML pages, checksums, hosts."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import httpx
import pytest

from gridscout.errors import SourceFetchError, SourceMissingError
from gridscout.sources import get
from gridscout.sources.base import RawFile, SourceSpec
from gridscout.sources.fetch import download, locate
from tests.httpserver import ScriptedServer

HOSTS = frozenset({"127.0.0.1"})


@pytest.fixture
def real_bytes(raw_dir) -> bytes:
    return (raw_dir / "carbon_yearly" / "electricitymaps_yearly_zone_2021_2025.csv").read_bytes()


def test_download_ok_records_hash(tmp_path, real_bytes):
    with ScriptedServer() as srv:
        srv.add("/f.csv", (200, {}, real_bytes, None))
        digest = download(srv.url("/f.csv"), tmp_path / "f.csv", allowed_hosts=HOSTS, max_bytes=10**8)
    assert digest == hashlib.sha256(real_bytes).hexdigest()
    assert (tmp_path / "f.csv").read_bytes() == real_bytes


def test_500_then_success_is_retried(tmp_path, real_bytes):
    with ScriptedServer() as srv:
        srv.add("/f.csv", (500, {}, b"oops", None), (200, {}, real_bytes, None))
        download(srv.url("/f.csv"), tmp_path / "f.csv", allowed_hosts=HOSTS, max_bytes=10**8, retry_delays=(0.01, 0.01))
        assert len(srv.requests) == 2


def test_truncated_body_never_leaves_a_file(tmp_path, real_bytes):
    with ScriptedServer() as srv:
        srv.add("/f.csv", (200, {}, real_bytes[:1000], "truncate"))
        with pytest.raises(SourceFetchError, match="truncated"):
            download(srv.url("/f.csv"), tmp_path / "f.csv", allowed_hosts=HOSTS, max_bytes=10**8,
                     retry_delays=(0.01,))
    assert not (tmp_path / "f.csv").exists() and not list(tmp_path.glob("*.part"))


def test_html_error_page_is_refused(tmp_path):
    with ScriptedServer() as srv:
        srv.add("/f.csv", (200, {"Content-Type": "text/html"}, b"<!DOCTYPE html><html><body>Maintenance</body></html>", None))
        with pytest.raises(SourceFetchError, match="HTML page"):
            download(srv.url("/f.csv"), tmp_path / "f.csv", allowed_hosts=HOSTS, max_bytes=10**8)
    assert not (tmp_path / "f.csv").exists()


def test_checksum_mismatch_is_refused(tmp_path, real_bytes):
    with ScriptedServer() as srv:
        srv.add("/f.csv", (200, {}, real_bytes, None))
        with pytest.raises(SourceFetchError, match="sha256"):
            download(srv.url("/f.csv"), tmp_path / "f.csv", allowed_hosts=HOSTS, max_bytes=10**8,
                     expected_sha256="0" * 64)
    assert not (tmp_path / "f.csv").exists()


def test_size_cap_and_host_allow_list(tmp_path, real_bytes):
    with ScriptedServer() as srv:
        srv.add("/f.csv", (200, {}, real_bytes, None))
        with pytest.raises(SourceFetchError, match="cap"):
            download(srv.url("/f.csv"), tmp_path / "f.csv", allowed_hosts=HOSTS, max_bytes=1000)
        with pytest.raises(SourceFetchError, match="not among"):
            download(srv.url("/f.csv"), tmp_path / "f.csv", allowed_hosts=frozenset({"example.org"}), max_bytes=10**8)


def test_timeout_is_retried_then_reported(tmp_path):
    with ScriptedServer() as srv:
        srv.add("/slow.csv", (200, {}, b"a,b\n1,2\n", "hang"))
        client = httpx.Client(timeout=httpx.Timeout(0.5))
        with pytest.raises(SourceFetchError, match="attempts"):
            download(srv.url("/slow.csv"), tmp_path / "s.csv", allowed_hosts=HOSTS, max_bytes=10**8,
                     client=client, retry_delays=(0.01,))


def test_missing_file_downloads_from_declared_url(tmp_path, real_bytes):
    from gridscout.sources.carbon_yearly import parse

    with ScriptedServer() as srv:
        srv.add("/carbon.csv", (200, {}, real_bytes, None))
        spec = SourceSpec(id="carbon_test", title="t", authority="a", licence="l", homepage="h", family="carbon",
                          vintage="v", files=(RawFile("electricitymaps_yearly_zone_2021_2025.csv", url=srv.url("/carbon.csv")),),
                          tables=("zone_carbon_yearly",), parse=parse)
        files = locate(spec, tmp_path, allow_download=True)
    assert files[0].sha256 == hashlib.sha256(real_bytes).hexdigest()
    assert files[0].url.endswith("/carbon.csv")
    assert parse({f.name: f.path for f in files}).tables["zone_carbon_yearly"].height == 1760


def test_offline_missing_file_names_source_file_url_and_variable(tmp_path):
    spec = get("gppd")
    t = time.perf_counter()
    with pytest.raises(SourceMissingError) as err:
        locate(spec, tmp_path, allow_download=False)
    msg = str(err.value)
    assert "gppd" in msg and "global_power_plant_database.csv" in msg
    assert "https://wri-dataportal-prod.s3.amazonaws.com" in msg and "GRIDSCOUT_RAW_DIR" in msg
    assert time.perf_counter() - t < 5


# --- one retry loop (gridscout.sources.retry) for downloads and live API GETs ----------------------


def test_every_request_path_makes_the_same_number_of_attempts(tmp_path, real_bytes):
    """Downloads, live GETs (PVGIS, NASA POWER, Electricity Maps) and EIA pages share one retry loop:
    1 + one attempt per delay, then one clear error naming the count."""
    from gridscout.sources import eia_api, http
    from gridscout.sources.retry import RETRY_DELAYS_S

    assert len(RETRY_DELAYS_S) + 1 == 4  # the documented attempt count per request
    delays = (0.0, 0.0, 0.0)
    with ScriptedServer() as srv:
        srv.add("/f.csv", (503, {}, b"busy"))
        srv.add("/v2/electricity/retail-sales/data/", (503, {}, b"busy"))
        calls = [
            lambda: download(srv.url("/f.csv"), tmp_path / "f.csv", allowed_hosts=HOSTS, max_bytes=10**8,
                             retry_delays=delays),
            lambda: http.get(srv.url("/f.csv"), retry_delays=delays),
            lambda: eia_api.fetch_retail_sales("k", base_url=srv.url("/v2"), retry_delays=delays),
        ]
        for call in calls:
            before = len(srv.requests)
            with pytest.raises(SourceFetchError, match="failed after 4 attempts: HTTP 503"):
                call()
            assert len(srv.requests) - before == 4
        srv.add("/gone.csv", (404, {}, b"no"))
        with pytest.raises(SourceFetchError, match="HTTP 404"):
            http.get(srv.url("/gone.csv"), retry_delays=delays)
        assert srv.requests[-1].path == "/gone.csv" and len(srv.requests) == 13  # a 4xx is never retried
    assert not (tmp_path / "f.csv").exists()


def test_prefect_retries_on_top_of_the_fetch_stay_bounded():
    """The ingest flow's fetch and load tasks do not retry on top of the 4 attempts per request; the
    scheduled refresh retries twice, minutes apart (a publisher briefly down), so a file gets at most
    3 x 4 = 12 requests (issue 17: a failed refresh must fail its task, and retry)."""
    from flows.deployments import REFRESH_RETRY_DELAYS_S, refresh_task
    from flows.ingest import fetch_task, load_task
    from gridscout.sources.retry import RETRY_DELAYS_S

    assert fetch_task.retries == 0 and load_task.retries == 0
    assert refresh_task.retries == 2 and refresh_task.retry_delay_seconds == REFRESH_RETRY_DELAYS_S == [60.0, 300.0]
    assert (refresh_task.retries + 1) * (len(RETRY_DELAYS_S) + 1) == 12


def test_no_other_retry_loop_in_the_sources():
    """Only gridscout/sources/retry.py sleeps between attempts."""
    import gridscout.sources as pkg

    sleepers = sorted(p.name for p in Path(pkg.__file__).parent.glob("*.py") if "time.sleep(" in p.read_text())
    assert sleepers == ["retry.py"]
