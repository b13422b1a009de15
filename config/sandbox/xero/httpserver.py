"""Threaded HTTP plumbing shared by the fake accounting vendors (Xero, QuickBooks Online).

A fake subclasses :class:`FakeVendor` and implements ``handle(request) -> Reply``. The server
listens on 127.0.0.1 with port 0 (a free port), counts requests, and supports fault injection:
``inject(...)`` answers the next matching requests with a canned status/headers/body, and
``drop_after(...)`` lets the next matching request be fully processed, then closes the socket
without an answer (a vendor that accepted the document, whose answer never arrived).
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


def _json_default(value):
    from decimal import Decimal

    if isinstance(value, Decimal):
        return float(value)  # vendors answer numbers, not strings
    return str(value)


@dataclass
class Request:
    """One parsed request."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    def json(self):
        from decimal import Decimal

        return json.loads(self.body or b"null", parse_float=Decimal)

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")


@dataclass
class Reply:
    """One answer."""

    status: int
    body: object = None
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None

    def encoded(self) -> bytes:
        if self.raw is not None:
            return self.raw
        if self.body is None:
            return b""
        return json.dumps(self.body, default=_json_default).encode()


@dataclass
class Fault:
    """A canned answer (or a drop) for the next ``times`` requests matching method and path part."""

    method: str
    path_contains: str
    times: int
    reply: Reply | None = None
    drop_after: bool = False


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # quiet
        return

    def _serve(self) -> None:
        fake: FakeVendor = self.server.fake  # type: ignore[attr-defined]
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        url = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        request = Request(self.command, url.path, query, {k.lower(): v for k, v in self.headers.items()}, raw)
        fault = fake._fault_for(request)
        try:
            reply = fault.reply if fault is not None and fault.reply is not None else fake.dispatch(request)
        except Exception as exc:  # a bug in the fake shows as a 500, not a hang
            fake.errors.append(repr(exc))
            reply = Reply(500, {"error": repr(exc)})
        with fake.lock:
            fake.answered.append((request.method, request.path, reply.status))
        if fault is not None and fault.drop_after:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(2)
            return
        body = reply.encoded()
        self.send_response(reply.status)
        headers = {"Content-Type": "application/json", **reply.headers}
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_DELETE = _serve


class FakeVendor:
    """Base of a fake vendor server: start/stop, counters, faults. Use as a context manager."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.calls: Counter[str] = Counter()
        self.requests: list[Request] = []
        self.errors: list[str] = []
        self.answered: list[tuple[str, str, int]] = []  # (method, path, status) of every answer
        self.faults: list[Fault] = []
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeVendor:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.fake = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def inject(
        self, method: str, path_contains: str, *, status: int, body=None, headers=None, times: int = 1
    ) -> None:
        """Answer the next ``times`` matching requests with this reply instead of handling them."""
        with self.lock:
            self.faults.append(Fault(method, path_contains, times, Reply(status, body, dict(headers or {}))))

    def drop_after(self, method: str, path_contains: str, *, times: int = 1) -> None:
        """Process the next matching requests, then close the connection without answering."""
        with self.lock:
            self.faults.append(Fault(method, path_contains, times, None, drop_after=True))

    def _fault_for(self, request: Request) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.times > 0 and fault.method == request.method and fault.path_contains in request.path:
                    fault.times -= 1
                    return fault
        return None

    def dispatch(self, request: Request) -> Reply:
        with self.lock:
            self.calls[f"{request.method} {request.path}"] += 1
            self.requests.append(request)
        return self.handle(request)

    def handle(self, request: Request) -> Reply:  # pragma: no cover - abstract
        raise NotImplementedError
