"""Issue 19 (3): an API key never follows a redirect to another origin and never appears in a
message, a log line or a body excerpt. Proved through the real local server (tests/httpserver.py):
it redirects to another origin (``localhost`` instead of ``127.0.0.1``) and echoes what it gets."""

from __future__ import annotations

import logging

import pytest

from gridscout.errors import SourceFetchError
from tests.httpserver import JSON, ScriptedServer
from tests.reliability.faults import SECRET_EIA, SECRET_EM

ROUTE = "/v2/electricity/retail-sales/data/"


def _echo(req):
    """A 200 that is not JSON and echoes every header it received (the key among them)."""
    return 200, {"Content-Type": "text/plain"}, ("echo " + repr(req.headers)).encode()


def test_eia_key_is_not_forwarded_on_a_redirect_to_another_origin(caplog):
    from gridscout.sources.eia_api import fetch_retail_sales

    caplog.set_level(logging.DEBUG)
    with ScriptedServer() as srv:
        srv.add(ROUTE, (302, {"Location": f"http://localhost:{srv.port}/stolen"}, b""))
        srv.add("/stolen", _echo)
        with pytest.raises(SourceFetchError, match="redirect") as err:
            fetch_retail_sales(SECRET_EIA, base_url=srv.url("/v2"), retry_delays=(0.01,))
        stolen = [r for r in srv.requests if r.path == "/stolen"]
        # the other origin is never asked at all, so it never sees the key
        assert stolen == [] and SECRET_EIA not in " ".join(repr(r.headers) for r in stolen)
    assert SECRET_EIA not in str(err.value) and SECRET_EIA not in caplog.text


def test_a_same_origin_redirect_is_followed_with_the_key():
    from gridscout.sources.eia_api import fetch_retail_sales

    body = b'{"response": {"total": 1, "data": [{"period": "2024", "stateid": "VA"}]}}'
    with ScriptedServer() as srv:
        srv.add(ROUTE, (301, {"Location": "/v2/moved/"}, b""))
        srv.add("/v2/moved/", (200, JSON, body))
        rows = fetch_retail_sales(SECRET_EIA, base_url=srv.url("/v2"), retry_delays=(0.01,))
        assert rows == [{"period": "2024", "stateid": "VA"}]
        assert srv.requests[-1].path == "/v2/moved/" and srv.requests[-1].header("x-api-key") == SECRET_EIA


@pytest.mark.parametrize("pad", [0, 150, 190, 197])
def test_a_non_json_200_echoing_the_key_is_scrubbed(caplog, capsys, pad):
    """A 200 that echoes the key, wherever the excerpt cut falls, never shows any of it."""
    from gridscout.sources.eia_api import fetch_retail_sales

    caplog.set_level(logging.DEBUG)
    with ScriptedServer() as srv:
        srv.add(ROUTE, (200, {"Content-Type": "text/plain"}, ("x" * pad + f"your key is {SECRET_EIA}!").encode()))
        with pytest.raises(SourceFetchError, match="invalid JSON") as err:
            fetch_retail_sales(SECRET_EIA, base_url=srv.url("/v2"), retry_delays=(0.01,))
    out = capsys.readouterr()
    text = str(err.value) + caplog.text + out.out + out.err
    # no fragment of the key (8 characters or more) survives
    assert not any(SECRET_EIA[i:i + 8] in text for i in range(len(SECRET_EIA) - 7)), text


def test_electricitymaps_token_is_not_forwarded_across_origins(tmp_path, monkeypatch, caplog):
    from gridscout.sources.electricitymaps_api import save_carbon_history

    monkeypatch.setenv("ELECTRICITYMAPS_API_KEY", SECRET_EM)
    caplog.set_level(logging.DEBUG)
    with ScriptedServer() as srv:
        srv.add("/v3/carbon-intensity/history", (307, {"Location": f"http://localhost:{srv.port}/stolen"}, b""))
        srv.add("/stolen", _echo)
        with pytest.raises(SourceFetchError) as err:
            save_carbon_history(tmp_path, "DE", base_url=srv.url("/v3"), retry_delays=(0.01,))
        assert [r for r in srv.requests if r.path == "/stolen"] == []
    assert SECRET_EM not in str(err.value) and SECRET_EM not in caplog.text
    assert not list(tmp_path.rglob("*.json"))


def test_a_redirect_to_another_port_on_the_same_host_is_another_origin():
    """Origin = scheme, host and port: the key stays with the server it was meant for."""
    from gridscout.sources import http

    with ScriptedServer() as srv, ScriptedServer() as other:
        srv.add("/a", (302, {"Location": other.url("/b")}, b""))
        other.add("/b", _echo)
        with pytest.raises(SourceFetchError, match="another origin"):
            http.get(srv.url("/a"), headers={"X-Api-Key": SECRET_EIA}, secrets=[SECRET_EIA], retry_delays=(0.01,))
        assert other.requests == []
