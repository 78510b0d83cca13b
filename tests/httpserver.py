"""The one test HTTP server: a real local server (127.0.0.1, random port) whose answers a test scripts.

Every HTTP test uses it (downloads, conditional fetches, live API replays, fault injection), so the
code under test talks real HTTP through httpx with no patched client::

    with ScriptedServer() as srv:
        srv.add("/f.csv", (500, {}, b"oops"), (200, {}, body))     # a script, answered in order
        srv.add("/tmy", (200, JSON, body), query="lat=45.0000&lon=8.0000")  # only for this exact query
        srv.add("/data/", handler)                                 # or a function of the request
        download(srv.url("/f.csv"), ...)
    srv.requests[-1].header("if-none-match")

A response is ``(status, headers, body)`` or ``(status, headers, body, behaviour)`` with behaviour
``"truncate"`` (announce a longer Content-Length than is sent, then hang up) or ``"hang"`` (answer
after :attr:`ScriptedServer.hang_s` seconds, past a short client timeout). The last response of a
script repeats once the script is used up. A handler is called with the :class:`Request` and
returns a response. Requests nothing answers get a 404 with a JSON message.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

JSON = {"Content-Type": "application/json"}


@dataclass(frozen=True)
class Request:
    """One request the server received."""

    path: str  # without the query string
    target: str  # as sent: path?query
    query: dict[str, list[str]]
    headers: dict[str, str]  # names in lower case

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


Response = tuple  # (status, headers, body) or (status, headers, body, behaviour)


@dataclass
class _Route:
    query: dict[str, list[str]] | None  # None: any query
    script: deque = field(default_factory=deque)  # of responses, or one handler


class ScriptedServer:
    """A real HTTP server on 127.0.0.1 answering scripted responses by path (and optionally exact query)."""

    def __init__(self, hang_s: float = 3.0):
        self.routes: dict[str, list[_Route]] = {}
        self.requests: list[Request] = []
        self.hang_s = hang_s
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output quiet
                pass

            def do_GET(self):  # noqa: N802 - http.server API
                parts = urlsplit(self.path)
                req = Request(parts.path, self.path, parse_qs(parts.query, keep_blank_values=True),
                              {k.lower(): v for k, v in self.headers.items()})
                server.requests.append(req)
                response = server._answer(req)
                status, headers, body = response[:3]
                behaviour = response[3] if len(response) > 3 else None
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                if behaviour == "truncate":
                    self.send_header("Content-Length", str(len(body) * 2))
                    self.end_headers()
                    self.wfile.write(body)
                    self.wfile.flush()
                    self.close_connection = True
                    return
                if behaviour == "hang":
                    time.sleep(server.hang_s)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        class QuietServer(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request, client_address):  # a client that hung up is expected here
                pass

        self.httpd = QuietServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def _answer(self, req: Request) -> Response:
        for route in self.routes.get(req.path, []):
            if route.query is None or route.query == req.query:
                first = route.script[0]
                if callable(first):
                    return first(req)
                return first if len(route.script) == 1 else route.script.popleft()
        return 404, JSON, b'{"message": "no scripted response for this path and query"}'

    def add(self, path: str, *responses: Response | Callable[[Request], Response],
            query: str | dict[str, list[str]] | None = None) -> None:
        """Script ``path`` (for exactly ``query`` when given): responses in order, or one handler.
        Adding a path again without a query replaces its script."""
        q = parse_qs(query, keep_blank_values=True) if isinstance(query, str) else query
        if q is None:
            self.routes[path] = [r for r in self.routes.get(path, []) if r.query is not None]
        self.routes.setdefault(path, []).append(_Route(q, deque(responses)))

    def reset(self) -> None:
        """Forget every script and every recorded request."""
        self.routes.clear()
        self.requests.clear()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
