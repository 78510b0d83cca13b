"""Fixtures for the climate/carbon/water/places sources: the real raw folder and a REAL local HTTP
server (http.server on 127.0.0.1, random port) that replays recorded API bodies by path + query."""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def raw(raw_dir) -> Path:
    """The real raw folder (the session fixture ``raw_dir`` of tests/conftest.py, which fails when wrong)."""
    return raw_dir


@pytest.fixture(scope="session")
def recorded(raw) -> Path:
    return raw / "api_responses"


@dataclass
class Route:
    query: dict[str, list[str]] | None  # None: any query
    responses: deque  # of (status, headers, body bytes)


@dataclass
class Replay:
    """A real HTTP server on 127.0.0.1 serving scripted responses, matched by path and exact query."""

    routes: dict[str, list[Route]] = field(default_factory=dict)
    requests: list[dict] = field(default_factory=list)
    port: int = 0

    def add(self, path: str, *responses: tuple[int, dict, bytes], query: str | dict | None = None) -> None:
        q = parse_qs(query, keep_blank_values=True) if isinstance(query, str) else query
        self.routes.setdefault(path, []).append(Route(q, deque(responses)))

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@pytest.fixture
def replay():
    state = Replay()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):  # noqa: N802
            parts = urlsplit(self.path)
            query = parse_qs(parts.query, keep_blank_values=True)
            state.requests.append({"path": parts.path, "query": query, "headers": dict(self.headers)})
            for route in state.routes.get(parts.path, []):
                if route.query is None or route.query == query:
                    q = route.responses
                    status, headers, body = q[0] if len(q) == 1 else q.popleft()
                    self.send_response(status)
                    for k, v in headers.items():
                        self.send_header(k, v)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
            body = b'{"message": "no recorded response for this path and query"}'
            self.send_response(404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    class Server(ThreadingHTTPServer):
        daemon_threads = True

    httpd = Server(("127.0.0.1", 0), Handler)
    state.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def warehouse(tmp_path):
    """A fresh, migrated DuckDB warehouse in a temp folder."""
    from gridscout.warehouse.db import connect, migrate

    con = connect(tmp_path / "w.duckdb")
    migrate(con)
    yield con
    con.close()
