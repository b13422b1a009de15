"""A threaded HTTP server on 127.0.0.1 (port 0) for the fake shipping vendors.

Subclasses implement ``handle(request) -> Answer``. The scaffold counts requests per route, keeps
a log, and serves injected faults first: ``fault("POST /transactions", 429, headers={...})``
answers the next matching request with that status instead of handling it (``times=n`` for n
requests). Use as a context manager.
"""

from __future__ import annotations

import json
import threading
from collections import Counter, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit


@dataclass
class Request:
    """One request as the fake saw it."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    raw_query: str = ""

    @property
    def route(self) -> str:
        return f"{self.method} {self.path}"

    def json(self):
        return json.loads(self.body or b"null")


@dataclass
class Answer:
    """What the fake answers: status, JSON-able data (or raw bytes), extra headers."""

    status: int
    data: object = None
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None
    content_type: str = "application/json; charset=utf-8"


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # quiet
        return

    def _handle(self, method: str) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        request = Request(
            method=method,
            path=parts.path,
            query=dict(parse_qsl(parts.query, keep_blank_values=True)),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
            raw_query=parts.query,
        )
        answer = self.server.fake._serve(request)
        payload = answer.raw if answer.raw is not None else json.dumps(answer.data).encode()
        self.send_response(answer.status)
        self.send_header("Content-Type", answer.content_type)
        self.send_header("Content-Length", str(len(payload)))
        for key, value in answer.headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(payload)

    def do_GET(self):
        self._handle("GET")

    def do_POST(self):
        self._handle("POST")

    def do_PUT(self):
        self._handle("PUT")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class FakeVendor:
    """Base of the fake vendors: start/stop, counters, request log, injected faults."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.counts: Counter[str] = Counter()
        self.log: list[Request] = []
        self._faults: dict[str, deque[Answer]] = {}
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle
    def __enter__(self):
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.fake = self
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05})
        self._thread.daemon = True
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()

    @property
    def base_url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    # -- faults and counters
    def fault(
        self, route: str, status: int, *, data: object = None, headers: dict | None = None, times: int = 1
    ) -> None:
        """Answer the next ``times`` requests of ``route`` ("METHOD /path") with this status."""
        with self.lock:
            queue = self._faults.setdefault(route, deque())
            for _ in range(times):
                queue.append(Answer(status, data if data is not None else {}, dict(headers or {})))

    def count(self, route: str) -> int:
        """How many requests of ``route`` arrived (faulted ones included)."""
        with self.lock:
            return self.counts[route]

    def _serve(self, request: Request) -> Answer:
        with self.lock:
            self.counts[request.route] += 1
            self.log.append(request)
            queue = self._faults.get(request.route)
            if queue:
                return self.decorate(request, queue.popleft())
        return self.decorate(request, self.handle(request))

    def decorate(self, request: Request, answer: Answer) -> Answer:
        """Hook: add headers every answer carries (rate-limit headers...)."""
        return answer

    def handle(self, request: Request) -> Answer:  # pragma: no cover - subclasses
        raise NotImplementedError
