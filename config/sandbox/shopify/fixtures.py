"""Pytest fixtures for the fake Shopify shop, a pytest plugin: in the root conftest.py,

pytest_plugins = ["config.sandbox.shopify.fixtures"]
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from graphql import parse, validate

from .oauth import SimClock
from .schema import real_schema
from .server import FakeShopify

TODAY = dt.date(2026, 11, 27)  # supported: 2026-01 .. 2026-10; release candidate 2027-01


@pytest.fixture
def fake_shopify():
    """A started fake shop, seeded (seed=1: 10 products x 2 variants at 2 locations), fast webhook retries."""
    fake = FakeShopify(today=TODAY, webhook_retry_schedule=(0.05, 0.1), webhook_timeout=2.0)
    fake.state.seed(seed=1)
    fake.start()
    yield fake
    fake.stop()
    assert fake.internal_errors == [], "the fake itself failed:\n" + "\n".join(fake.internal_errors)


SIM_START = 1_800_000_000.0  # epoch seconds where simulated clocks start


@pytest.fixture
def dev_dashboard_shop():
    """A started fake shop whose only app is a Dev Dashboard app (no legacy token), its OAuth on a
    :class:`SimClock` (``fake.oauth.clock``, starting at ``SIM_START``), seeded, with a bucket
    large enough that query cost never throttles."""
    fake = FakeShopify(access_token=None, today=TODAY, bucket=(100_000.0, 100_000.0))
    fake.oauth.clock = SimClock(start=SIM_START)
    fake.state.seed(seed=1)
    fake.start()
    yield fake
    fake.stop()
    assert fake.internal_errors == [], "the fake itself failed:\n" + "\n".join(fake.internal_errors)


class ShopifyClient:
    """Minimal test client: POSTs GraphQL, returns (status, headers, body). Every query the fake
    accepts is checked against Shopify's real schema as well (when ../shared/specs is present)."""

    def __init__(self, fake: FakeShopify, version: str | None = None) -> None:
        self.fake = fake
        self.version = version
        self.token = fake.access_token

    def post(self, query: str, variables: dict | None = None, *, version: str | None = None, token=...):
        headers = {} if token is None else {"X-Shopify-Access-Token": self.token if token is ... else token}
        url = self.fake.graphql_url(version or self.version)
        response = requests.post(
            url, json={"query": query, "variables": variables or {}}, headers=headers, timeout=10
        )
        body = response.json()
        served = response.headers.get("X-Shopify-API-Version")
        accepted = response.status_code == 200 and "data" in body
        real = real_schema(served) if served and accepted else None
        if real is not None:
            problems = validate(real, parse(query))
            assert problems == [], f"the fake accepted a query Shopify rejects: {problems}"
        return response.status_code, response.headers, body

    def data(self, query: str, variables: dict | None = None, **kwargs) -> dict:
        status, _, body = self.post(query, variables, **kwargs)
        assert status == 200 and "errors" not in body, body
        return body["data"]


@pytest.fixture
def shopify_client(fake_shopify):
    return ShopifyClient(fake_shopify)


class WebhookReceiver:
    """A local HTTP endpoint that records deliveries; ``statuses`` answers the next requests."""

    def __init__(self) -> None:
        self.received: list[dict] = []
        self.statuses: deque[int] = deque()
        self._event = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            disable_nagle_algorithm = True

            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status = receiver.statuses.popleft() if receiver.statuses else 200
                with receiver._event:
                    receiver.received.append(
                        {"path": self.path, "headers": self.headers, "raw": raw, "status": status}
                    )
                    receiver._event.notify_all()
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/webhooks"

    def wait_for(self, count: int, timeout: float = 5.0) -> list[dict]:
        with self._event:
            self._event.wait_for(lambda: len(self.received) >= count, timeout=timeout)
            return list(self.received)

    def accepted(self) -> list[dict]:
        return [r for r in self.received if 200 <= r["status"] < 300]

    @staticmethod
    def json(delivery: dict) -> dict:
        return json.loads(delivery["raw"])

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def webhook_receiver():
    receiver = WebhookReceiver()
    yield receiver
    receiver.close()
