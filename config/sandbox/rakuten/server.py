"""The fake Rakuten France web services: a threaded http.server on 127.0.0.1.

In tests (clock frozen; nothing sleeps)::

    with FakeRakuten() as rakuten:
        rakuten.state.seed_advert("LINEN-1", 5)
        rakuten.advance(30)          # stock files processed, sales two days old cancelled

Standalone, for benchmarks and the demo (clock follows real time)::

    python -m config.sandbox.rakuten.server --port 8766 [--demo]

It prints one JSON line with base_url and the credentials, then serves until interrupted.
Control endpoints (no auth, loopback only): ``POST /_fake/buy`` ``{"sku", "quantity"}`` -> 201
``{"order_id"}`` (a new sale awaiting acceptance, the advert's stock deducted) or 409
``{"error": "out of stock"}``; ``GET /_fake/quantities`` -> ``{"<sku>": qty}``.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
from collections import Counter
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from config.sandbox.amazon.clock import FakeClock

from .protocol import Answer, Faults, handle
from .state import RakutenState


def _json(status: int, payload: object) -> Answer:
    return Answer(status, json.dumps(payload).encode(), "application/json")


class _Handler(BaseHTTPRequestHandler):
    server_version = "FakeRakutenWS/1.0"
    protocol_version = "HTTP/1.1"

    def _serve(self) -> None:
        fake: FakeRakuten = self.server.fake  # type: ignore[attr-defined]
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        url = urlsplit(self.path)
        try:
            answer = fake.dispatch(self.command, url.path, url.query, self.headers, raw)
        except Exception as exc:  # a bug in the fake shows as a 500, not a hung connection
            fake.errors.append(repr(exc))
            answer = Answer(500, repr(exc).encode(), "text/plain")
        self.send_response(answer.status)
        self.send_header("Content-Type", answer.content_type)
        self.send_header("Content-Length", str(len(answer.body)))
        self.end_headers()
        self.wfile.write(answer.body)

    do_GET = do_POST = _serve

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.fake.verbose:  # type: ignore[attr-defined]
            super().log_message(format, *args)


class FakeRakuten:
    """The fake seller account (``state``) plus its HTTP server. ``faults`` injects errors;
    ``calls`` counts requests per action; ``requests`` logs (action, params) of each."""

    def __init__(self, *, state: RakutenState | None = None, host: str = "127.0.0.1", port: int = 0,
                 verbose: bool = False) -> None:  # fmt: skip
        self.state = state or RakutenState()
        self.faults = Faults()
        self.calls: Counter[str] = Counter()
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.errors: list[str] = []
        self.verbose = verbose
        self._host, self._port = host, port
        self._server: ThreadingHTTPServer | None = None
        self._log_lock = threading.Lock()

    def dispatch(self, method: str, path: str, query: str, headers, body: bytes) -> Answer:
        if path == "/_fake/buy" and method == "POST":
            try:
                wanted = json.loads(body or b"{}")
                sku, quantity = str(wanted["sku"]), int(wanted.get("quantity", 1))
            except (ValueError, KeyError, TypeError):
                return _json(400, {"error": 'expected {"sku": ..., "quantity": n}'})
            sale = self.state.buy(sku, quantity)
            if sale is None:
                return _json(409, {"error": "out of stock"})
            return _json(201, {"order_id": sale.purchase_id})
        if path == "/_fake/quantities" and method == "GET":
            return _json(200, self.state.quantities())
        params = {k: v[-1] for k, v in parse_qs(query).items()}
        with self._log_lock:
            self.calls[params.get("action", "")] += 1
            self.requests.append((params.get("action", ""), {k: v for k, v in params.items() if k != "pwd"}))
        return handle(self.state, self.faults, method, path, query, headers, body)

    def start(self) -> FakeRakuten:
        server = ThreadingHTTPServer((self._host, self._port), _Handler)
        server.daemon_threads = True
        server.fake = self  # type: ignore[attr-defined]
        self._server = server
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True,
                         name="fake-rakuten").start()  # fmt: skip
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeRakuten:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start() the fake first"
        return f"http://{self._host}:{self._server.server_address[1]}"

    def credentials(self) -> dict[str, str]:
        """What an account needs: base URL, login and token."""
        return {"base_url": self.base_url, "login": self.state.login, "token": self.state.token}

    def advance(self, seconds: float) -> None:
        """Move the clock and apply what happened meanwhile (files processed, sales expired)."""
        with self.state.lock:
            self.state.clock.advance(seconds)
            self.state.tick()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--demo", action="store_true", help="seed a few adverts")
    args = parser.parse_args(argv)
    state = RakutenState(clock=FakeClock(datetime.now(UTC), frozen=False))
    if args.demo:
        for reference, quantity in (("LINEN-1", 5), ("LINEN-2", 3), ("MUG-1", 0)):
            state.seed_advert(reference, quantity)
    fake = FakeRakuten(state=state, port=args.port).start()
    print(json.dumps(fake.credentials()), flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        fake.stop()
        sys.exit(0)


if __name__ == "__main__":
    main()
