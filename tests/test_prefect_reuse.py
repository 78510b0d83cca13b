"""One-off CLI runs reuse a running local Prefect server and keep Prefect quiet (issue 16)."""

from __future__ import annotations

import socket

import pytest

from gridscout import prefect_env
from tests.httpserver import ScriptedServer


@pytest.fixture()
def env(monkeypatch):
    for k in ("PREFECT_API_URL", "PREFECT_LOGGING_LEVEL", prefect_env.ENV_PORT):
        monkeypatch.delenv(k, raising=False)
    return monkeypatch


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_healthy_local_server_is_reused(env):
    with ScriptedServer() as srv:
        srv.add("/api/health", (200, {"Content-Type": "application/json"}, b"true", None))
        env.setenv(prefect_env.ENV_PORT, str(srv.port))
        assert prefect_env.configure_cli() == "local"
        assert prefect_env.os.environ["PREFECT_API_URL"] == f"http://127.0.0.1:{srv.port}/api"
        assert [r.path for r in srv.requests] == ["/api/health"]


def test_an_unhealthy_or_absent_server_means_a_temporary_one(env):
    with ScriptedServer() as srv:
        srv.add("/api/health", (503, {}, b"starting", None))
        env.setenv(prefect_env.ENV_PORT, str(srv.port))
        assert prefect_env.configure_cli() == "temporary"
    env.setenv(prefect_env.ENV_PORT, str(_free_port()))  # nothing listens there
    assert prefect_env.configure_cli() == "temporary"
    assert "PREFECT_API_URL" not in prefect_env.os.environ


def test_an_explicit_api_url_wins_without_probing(env):
    with ScriptedServer() as srv:
        srv.add("/api/health", (200, {}, b"true", None))
        env.setenv(prefect_env.ENV_PORT, str(srv.port))
        env.setenv("PREFECT_API_URL", "http://127.0.0.1:9/api")
        assert prefect_env.configure_cli() == "configured"
        assert prefect_env.os.environ["PREFECT_API_URL"] == "http://127.0.0.1:9/api" and srv.requests == []


def test_prefect_log_lines_are_hidden_unless_verbose(env):
    env.setenv(prefect_env.ENV_PORT, str(_free_port()))
    prefect_env.configure_cli(verbose=True)
    assert "PREFECT_LOGGING_LEVEL" not in prefect_env.os.environ
    prefect_env.configure_cli(verbose=False)
    assert prefect_env.os.environ["PREFECT_LOGGING_LEVEL"] == "WARNING"
