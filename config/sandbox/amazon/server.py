"""The fake Selling Partner API server: a threaded http.server on 127.0.0.1.

In tests (fake clock frozen; nothing sleeps)::

    with FakeAmazon() as amazon:
        amazon.seed_listing("LINEN-1", 5)
        requests.post(amazon.lwa_url, data={...})        # Login with Amazon
        requests.get(amazon.base_url + "/orders/v0/orders", ...)

Standalone, for benchmarks and the demo (clock follows real time)::

    python -m config.sandbox.amazon.server --port 8765 [--demo]

It prints one JSON line with base_url, lwa_url and the credentials, then serves until interrupted.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
import uuid
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from .clock import FakeClock
from .gateway import Faults, Stats, handle
from .state import AmazonState, FakeConfig, Listing, Order


class _Handler(BaseHTTPRequestHandler):
    server_version = "FakeSellingPartnerAPI/1.0"
    protocol_version = "HTTP/1.1"

    def _serve(self) -> None:
        fake: FakeAmazon = self.server.fake  # type: ignore[attr-defined]
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        url = urlsplit(self.path)
        try:
            response = handle(fake, self.command, url.path, url.query, self.headers, raw)
        except Exception as exc:  # a bug in the fake must show up as a 500, not a hung connection
            fake.errors.append(repr(exc))
            body = json.dumps({"errors": [{"code": "InternalFailure", "message": repr(exc), "details": ""}]})
            self.send_response(500)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body.encode())
            return
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.fake.verbose:  # type: ignore[attr-defined]
            super().log_message(format, *args)


class FakeAmazon:
    """The fake Amazon seller account plus its HTTP server.

    `base_url` serves the SP-API paths, `lwa_url` the Login with Amazon token endpoint (same port),
    and `/feed-documents/...` the presigned feed-document URLs. `state` holds the account; `faults`
    injects errors and delays; `stats` counts requests and throttles per operation; `requests` logs
    every SP-API request (operation, method, path, query, json body) so tests can validate what a
    connector sent against Amazon's models.
    """

    def __init__(
        self,
        *,
        config: FakeConfig | None = None,
        clock: FakeClock | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        verbose: bool = False,
    ) -> None:
        self.state = AmazonState(config, clock)
        self.faults = Faults()
        self.stats = Stats()
        self.requests: list[dict] = []
        self.errors: list[str] = []
        self.verbose = verbose
        self._host, self._port = host, port
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._log_lock = threading.Lock()

    # ----------------------------------------------------------------- lifecycle
    def start(self) -> FakeAmazon:
        """Bind (port 0 = a free port) and serve in a daemon thread."""
        server = ThreadingHTTPServer((self._host, self._port), _Handler)
        server.daemon_threads = True
        server.fake = self  # type: ignore[attr-defined]
        self._server = server
        self.state.feeds.base_url = self.base_url
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-amazon", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeAmazon:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The bound port."""
        assert self._server is not None, "start() the fake first"
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        """SP-API endpoint, in place of https://sellingpartnerapi-na.amazon.com."""
        return f"http://{self._host}:{self.port}"

    @property
    def lwa_url(self) -> str:
        """Login with Amazon token endpoint, in place of https://api.amazon.com/auth/o2/token."""
        return f"{self.base_url}/auth/o2/token"

    # ----------------------------------------------------------------- helpers for tests
    @property
    def clock(self) -> FakeClock:
        """The fake clock shared by tokens, usage plans, orders and feeds."""
        return self.state.clock

    @property
    def config(self) -> FakeConfig:
        """Identity, credentials and timings."""
        return self.state.config

    def credentials(self) -> dict[str, Any]:
        """What a connector needs to be configured against this fake."""
        c = self.config
        return {
            "endpoint": self.base_url,
            "lwa_url": self.lwa_url,
            "client_id": c.client_id,
            "client_secret": c.client_secret,
            "refresh_token": c.refresh_token,
            "seller_id": c.seller_id,
            "marketplace_ids": list(c.marketplace_ids),
        }

    def access_token(self) -> str:
        """A live access token without going through LWA (for tests of other operations)."""
        return self.state.issue_access_token()

    def advance(self, seconds: float) -> None:
        """Move the fake clock forward and apply what happened meanwhile."""
        self.state.advance(seconds)

    def notifications_attach(self, sqs: Any, *, with_items: bool = True) -> str:
        """Subscribe ORDER_CHANGE to a destination: the fake SQS queue ``sqs`` (anything with
        ``send(body)``). Every order status change is then published there (see
        ``notifications``); ``with_items=False`` leaves ``Summary.OrderItems`` empty. Returns the
        subscription id."""
        from .notifications import Destination

        subscription_id = f"subscription-{uuid.uuid4()}"
        with self.state.lock:
            self.state.destination = Destination(
                send=sqs.send, subscription_id=subscription_id, with_items=with_items
            )
        return subscription_id

    def seed_listing(self, sku: str, quantity: int | None, **kwargs: Any) -> Listing:
        """See AmazonState.seed_listing."""
        return self.state.seed_listing(sku, quantity, **kwargs)

    def place_order(self, sku: str | None = None, qty: int = 1, **kwargs: Any) -> Order:
        """See AmazonState.place_order."""
        return self.state.place_order(sku, qty, **kwargs)

    def cancel_order(self, order_id: str, **kwargs: Any) -> Order:
        """See AmazonState.cancel_order."""
        return self.state.cancel_order(order_id, **kwargs)

    def quantity(self, sku: str) -> int | None:
        """The quantity the marketplace shows for `sku` now."""
        return self.state.quantity(sku)

    def listing(self, sku: str) -> Listing | None:
        """The listing of `sku` now."""
        return self.state.listing(sku)

    def order(self, order_id: str) -> Order:
        """The order now."""
        return self.state.order(order_id)

    def log_request(self, *, operation: str, method: str, path: str, query: dict, raw: bytes) -> None:
        """Record an SP-API request (called by the gateway)."""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw
        with self._log_lock:
            self.requests.append(
                {"operation": operation, "method": method, "path": path, "query": query, "body": body,
                 "at": time.time()}
            )  # fmt: skip


def fake_amazon_fixture(**kwargs: Any):
    """A pytest fixture yielding a started FakeAmazon: `amazon = fake_amazon_fixture()` in a test module."""
    import pytest

    @pytest.fixture
    def _fixture():
        with FakeAmazon(**kwargs) as fake:
            yield fake

    return _fixture


def _seed_demo(fake: FakeAmazon) -> None:
    for sku, quantity in (
        ("LINEN-SHEET-Q", 12),
        ("LINEN-SHEET-K", 8),
        ("LINEN-PILLOW", 30),
        ("LINEN-DUVET", 1),
    ):
        fake.seed_listing(sku, quantity, item_name=sku.replace("-", " ").title())
    fake.seed_listing("LINEN-FBA-TOWEL", 40, fulfillment_channel_code="AMAZON_NA")


def main(argv: list[str] | None = None) -> None:
    """Run the fake standalone until interrupted."""
    parser = argparse.ArgumentParser(description="Fake Amazon Selling Partner API on 127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--demo", action="store_true", help="seed a small linen catalogue")
    parser.add_argument("--no-rate-limits", action="store_true", help="disable usage plans")
    parser.add_argument("--pending-seconds", type=float, default=FakeConfig.pending_seconds)
    parser.add_argument("--feed-queue-seconds", type=float, default=FakeConfig.feed_queue_seconds)
    parser.add_argument("--feed-processing-seconds", type=float, default=FakeConfig.feed_processing_seconds)
    parser.add_argument("--report-queue-seconds", type=float, default=FakeConfig.report_queue_seconds)
    parser.add_argument(
        "--report-processing-seconds", type=float, default=FakeConfig.report_processing_seconds
    )
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    config = FakeConfig(
        pending_seconds=args.pending_seconds,
        feed_queue_seconds=args.feed_queue_seconds,
        feed_processing_seconds=args.feed_processing_seconds,
        report_queue_seconds=args.report_queue_seconds,
        report_processing_seconds=args.report_processing_seconds,
    )
    fake = FakeAmazon(
        config=config,
        # Real time from now, so that a client's "orders since <real time>" is not in the future.
        clock=FakeClock(start=datetime.now(UTC), frozen=False),
        host=args.host,
        port=args.port,
        verbose=args.verbose,
    )
    if args.no_rate_limits:
        fake.state.rate_limiter.enabled = False
    if args.demo:
        _seed_demo(fake)
    fake.start()
    print(json.dumps(fake.credentials()), flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        fake.stop()
        sys.stdout.flush()


if __name__ == "__main__":
    main()
