"""Failing sources through a real local HTTP server: after a good load, a faulty round leaves the
previous good data loaded (rows, vintage and every table's hash unchanged), says which source
failed and why, and never half-loads; a 500 followed by success loads the new release whole."""

from __future__ import annotations

import pytest

from tests.reliability.faults import CARBON_FILE, SOURCE_FAULTS, source_fault_round

WHY = {
    "http_500_always": "HTTP 500",
    "timeout": "Timeout",
    "truncated": "truncated",
    "checksum_mismatch": "sha256",
    "html_page": "HTML page",
    "schema_drift": "missing column(s) ['carbon_intensity_gco2eq_per_kwh']",
    "missing_column": "missing column(s) ['renewable_pct']",
    "empty_file": "empty body",
    "value_out_of_range": "column 'carbon_intensity_gco2eq_per_kwh': value -430.0 outside [0, 2000]",
    "wrong_host_redirect": "outside the declared hosts",
}


@pytest.fixture(scope="module")
def good(raw_dir) -> bytes:
    return (raw_dir / "carbon_yearly" / CARBON_FILE).read_bytes()


@pytest.mark.parametrize("fault", [f for f in SOURCE_FAULTS if f != "http_500_then_ok"])
def test_fault_keeps_previous_good_load(tmp_path, good, fault):
    o = source_fault_round(fault, tmp_path, good)
    assert o.failed, o
    assert "carbon_yearly_mirror" in o.message and WHY[fault] in o.message, o.message
    assert o.unchanged and o.lost == 0
    assert (o.rows_after, o.vintage_after) == (o.rows_before, o.vintage_before)
    assert o.rows_before == len(good.decode().splitlines()) - 1
    assert o.extra["checks"] == {}


def test_500_then_success_is_retried_and_loads_the_new_release_whole(tmp_path, good):
    o = source_fault_round("http_500_then_ok", tmp_path, good)
    assert not o.failed and not o.unchanged, o
    assert o.rows_after == o.loaded_rows_expected == o.rows_before - 1
    assert o.extra["checks"] == {}


def test_redirect_loop_is_a_clear_fetch_error(tmp_path):
    from gridscout.errors import SourceFetchError
    from gridscout.sources.fetch import download
    from tests.httpserver import ScriptedServer

    with ScriptedServer() as srv:
        srv.add("/loop.csv", (302, {"Location": srv.url("/loop.csv")}, b"", None))
        with pytest.raises(SourceFetchError):
            download(srv.url("/loop.csv"), tmp_path / "f.csv", allowed_hosts=frozenset({"127.0.0.1"}),
                     max_bytes=10**6, retry_delays=(0.01,))
    assert not (tmp_path / "f.csv").exists()
