"""The fake Shopify shop as an HTTP server on 127.0.0.1: start/stop from Python, or run standalone.

fake = FakeShopify().start()            # port 0: a free port is chosen
fake.state.seed(seed=1)
requests.post(fake.graphql_url(), headers={"X-Shopify-Access-Token": fake.access_token}, json=...)
fake.stop()

python -m config.sandbox.shopify.server --port 8787 --seed 1 --products 100
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import json
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .cost import PLANS, LeakyBucket
from .executor import handle
from .oauth import FakeOAuth
from .state import ShopifyState
from .versions import ApiVersions
from .webhooks import SHOPIFY_RETRY_SCHEDULE, WebhookDispatcher


class HttpFaults:
    """Injectable HTTP-level faults, consumed one request at a time."""

    def __init__(self) -> None:
        self.latency = 0.0  # seconds added to every request
        self._answers: collections.deque = collections.deque()
        self._throttled = 0
        self._lock = threading.Lock()

    def fail_next(
        self, count: int = 1, *, status: int = 503, body: dict | None = None, retry_after: float | None = None
    ) -> None:
        headers = {"Retry-After": f"{retry_after:g}"} if retry_after is not None else {}
        answer = (
            status,
            headers,
            body or {"errors": "Service Unavailable" if status == 503 else "Internal Server Error"},
        )
        with self._lock:
            self._answers.extend([answer] * count)

    def rate_limit_next(self, count: int = 1, *, retry_after: float = 2.0) -> None:
        """HTTP 429 with Retry-After (what Shopify sends when request rates, not cost, are exceeded)."""
        self.fail_next(
            count,
            status=429,
            retry_after=retry_after,
            body={
                "errors": "Exceeded 2 calls per second for api client. "
                "Reduce request rates to resume uninterrupted service."
            },
        )

    def throttle_next(self, count: int = 1) -> None:
        """Answer THROTTLED to the next ``count`` GraphQL requests whatever the bucket holds."""
        with self._lock:
            self._throttled += count

    def take(self):
        with self._lock:
            return self._answers.popleft() if self._answers else None

    def clear(self) -> int:
        """Drop the faults no request has taken yet; return how many."""
        with self._lock:
            dropped = len(self._answers) + self._throttled
            self._answers.clear()
            self._throttled = 0
            return dropped

    def take_throttled(self) -> bool:
        with self._lock:
            if self._throttled:
                self._throttled -= 1
                return True
            return False


class FakeShopify:
    """A fake Shopify shop: Admin GraphQL API + webhook deliveries, with state, faults and counters."""

    def __init__(
        self,
        *,
        access_token: str | None = "shpat_fake_access_token",
        client_secret: str = "fake_client_secret",
        client_id: str = "fake_client_id",
        shop_domain: str = "fake-shop.myshopify.com",
        plan: str = "standard",
        bucket: tuple[float, float] | None = None,
        supported_versions: list[str] | None = None,
        today: dt.date | None = None,
        validate_with_specs: bool = True,
        webhook_retry_schedule=SHOPIFY_RETRY_SCHEDULE,
        webhook_timeout: float = 5.0,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.access_token = access_token
        self.client_secret = client_secret
        self.plan_name = plan
        self.validate_with_specs = validate_with_specs
        self.state = ShopifyState(shop_domain=shop_domain)
        self.versions = ApiVersions(supported=supported_versions, today=today)
        self.bucket = LeakyBucket(*(bucket or PLANS[plan]))
        self.faults = HttpFaults()
        self.idempotency: dict = {}
        self.internal_errors: list[str] = []  # tracebacks of bugs in the fake itself
        self._counters: collections.Counter = collections.Counter()
        self._counter_lock = threading.Lock()
        # The shop's OAuth endpoints; ``access_token`` is the legacy custom app's static token
        # (None: the shop has no legacy app, only the Dev Dashboard app ``client_id``).
        self.oauth = FakeOAuth(self, client_id=client_id, legacy_token=access_token)
        self.webhooks = WebhookDispatcher(
            self, retry_schedule=webhook_retry_schedule, timeout=webhook_timeout
        )
        self.state.listeners.append(self.webhooks.on_event)
        self._address = (host, port)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ------------------------------------------------------------------------------------
    def start(self) -> FakeShopify:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms stall

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                if fake.faults.latency:
                    time.sleep(fake.faults.latency)
                try:
                    status, headers, payload = handle(fake, self.command, self.path, self.headers, body)
                except Exception:  # a bug in the fake: answer 500 and keep the traceback for the test
                    fake.internal_errors.append(traceback.format_exc())
                    status, headers, payload = 500, {}, {"errors": "Internal Server Error"}
                raw = json.dumps(payload).encode()
                fake.count(f"status_{status}")
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(raw)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(raw)

            do_POST = do_GET = do_PUT = do_DELETE = _serve

            def log_message(self, *args) -> None:  # keep test output quiet
                return

        self._server = ThreadingHTTPServer(self._address, Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True, name="fake-shopify"
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        self.webhooks.stop()

    def __enter__(self) -> FakeShopify:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def graphql_url(self, version: str | None = None) -> str:
        return f"{self.url}/admin/api/{version or self.versions.latest}/graphql.json"

    # --- conveniences ------------------------------------------------------------------------------------
    def place_order(self, **kwargs):
        """A buyer orders (see ``ShopifyState.place_order``); webhooks go out to subscribers."""
        return self.state.place_order(**kwargs)

    def cancel_order(self, order_id: int, **kwargs):
        return self.state.cancel_order(order_id, **kwargs)

    def refund_order(self, order_id: int, **kwargs):
        return self.state.refund_order(order_id, **kwargs)

    def count(self, name: str, amount: int = 1) -> None:
        with self._counter_lock:
            self._counters[name] += amount

    @property
    def counters(self) -> dict:
        """Snapshot: requests, status_<code>, throttled, cost_requested, cost_actual, query:<field>, ..."""
        with self._counter_lock:
            return dict(self._counters)

    def reset_counters(self) -> None:
        with self._counter_lock:
            self._counters.clear()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Fake Shopify Admin GraphQL API on 127.0.0.1")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--products", type=int, default=10)
    parser.add_argument("--variants", type=int, default=2)
    parser.add_argument("--locations", type=int, default=2)
    parser.add_argument("--plan", choices=sorted(PLANS), default="standard")
    parser.add_argument("--token", default="shpat_fake_access_token")
    parser.add_argument("--secret", default="fake_client_secret")
    parser.add_argument("--client-id", default="fake_client_id")
    parser.add_argument("--no-spec-validation", action="store_true")
    args = parser.parse_args(argv)
    fake = FakeShopify(
        access_token=args.token,
        client_secret=args.secret,
        client_id=args.client_id,
        plan=args.plan,
        validate_with_specs=not args.no_spec_validation,
        host=args.host,
        port=args.port,
    )
    fake.state.seed(
        seed=args.seed, products=args.products, variants_per_product=args.variants, locations=args.locations
    )
    fake.start()
    print(
        json.dumps(
            {
                "url": fake.url,
                "graphql_url": fake.graphql_url(),
                "access_token": fake.access_token,
                "client_secret": fake.client_secret,
                "client_id": fake.oauth.client_id,
                "shop_domain": fake.state.shop["domain"],
            }
        ),
        flush=True,
    )
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        fake.stop()


if __name__ == "__main__":
    main()
