"""A real local HTTP server (127.0.0.1, random port) whose responses a test scripts in advance."""

from __future__ import annotations

import threading
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class ScriptedServer:
    """Serve scripted responses per path: each entry is (status, headers, body, behaviour).

    behaviour: None, "truncate" (announce a longer Content-Length than sent), "hang" (sleep past the
    client's timeout). The last response of a path repeats once the script is used up.
    """

    def __init__(self):
        self.script: dict[str, deque] = {}
        self.requests: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output quiet
                pass

            def do_GET(self):  # noqa: N802 - http.server API
                server.requests.append(self.path)
                path = self.path.split("?")[0]
                queue = server.script.get(path)
                if not queue:
                    self.send_response(404)
                    self.end_headers()
                    return
                status, headers, body, behaviour = queue[0] if len(queue) == 1 else queue.popleft()
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
                    import time

                    time.sleep(3)
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

    def add(self, path: str, *responses):
        self.script[path] = deque(responses)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
