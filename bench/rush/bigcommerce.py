"""The fake BigCommerce store as a rush channel: its signed hook deliveries go through the rush's
Deliverer (duplicates, delays, out of order), its store quota is the vendor fault."""

from __future__ import annotations

import json
import threading
import time

from bench.rush.adapters import _import_listings
from bench.rush.catalog import Item
from bench.rush.channels import ChannelBase, Deliverer, Sale, WebhookFaults

# An Enterprise-sized store quota (Standard/Plus 150, Pro 450 a 30 s window; Enterprise is by
# arrangement): the rush's 25 % of buyers cost each a re-fetch of the order and its products.
QUOTA, WINDOW_MS = 1500, 30_000
# The "429" fault: other apps of the store spend 1/50 of the window (at 0.5 faults a second,
# 30 % of the quota; 1/10 spent 1.5 times the quota and kept the store at 429 the whole run).
OTHER_APPS_SHARE = 50


def _relay_dispatcher(fake, channel: BigCommerceChannel):
    """The fake's own dispatcher (it signs each delivery as BigCommerce does), whose POST hands the
    delivery to the rush's Deliverer with the channel's faults; the Deliverer retries failures."""
    from config.sandbox.bigcommerce.hooks import HookDispatcher

    class Relay(HookDispatcher):
        def _post(self, url: str, headers: dict, body: bytes) -> int:
            channel.relay(url=url, headers=headers, body=body)
            return 200

    return Relay(fake.state, retry_schedule=fake.hooks.retry_schedule)


class BigCommerceChannel(ChannelBase):
    """The fake BigCommerce store (``config/sandbox/bigcommerce``); its stock follows
    ``order_placed``: taken when a buyer orders, as BigCommerce does by default."""

    kind = "bigcommerce"

    def __init__(self, name: str) -> None:
        super().__init__(name=name)
        from config.sandbox.bigcommerce import FakeBigCommerce

        self.fake = FakeBigCommerce(quota=QUOTA, window_ms=WINDOW_MS)
        self.fake.hooks = _relay_dispatcher(self.fake, self)
        self.fake.start()
        self.reordered: set[int] = set()
        self.relay_lock = threading.Lock()
        self.deliverer = None
        self.faults, self.rng = WebhookFaults(), None

    def setup(self, *, items: list[Item], location_ids: list[int]) -> None:
        from channels_app.services.accounts import account_create

        for item in items:
            self.fake.state.add_product(item.code, sku=item.code, tracking="product", quantity=0)
        self.account = account_create(
            kind="bigcommerce",
            name=self.name,
            base_url=self.fake.url,
            credentials=self.fake.credentials(),
            options={"quota_wait_seconds": 10},
            location_ids=location_ids,
            poll_interval_seconds=30,
        )
        _import_listings(self.account)

    def webhooks_start(self, *, base_url: str, deliverer: Deliverer, faults: WebhookFaults, rng) -> None:
        from channels_app.notifications.webhook_subscriptions import account_webhooks_register

        self.deliverer, self.faults, self.rng = deliverer, faults, rng
        account_webhooks_register(account_id=self.account.pk, base_url=base_url)

    def relay(self, *, url: str, headers: dict, body: bytes) -> None:
        """One signed delivery into the Deliverer: late, twice, or a created callback held back
        behind its order's statusUpdated (out of order)."""
        data = json.loads(body)
        at = time.time()
        with self.relay_lock:
            if data["scope"] == "store/order/created" and data["data"].get("id") in self.reordered:
                self.reordered.discard(data["data"]["id"])
                at += 0.3
            if self.rng.random() < self.faults.delay:
                self.inject("webhook_delay")
                at += self.rng.uniform(0.2, self.faults.delay_max_s)
            twice = self.rng.random() < self.faults.duplicate
        self.deliverer.put(at, url, body, headers)
        if twice:
            self.inject("webhook_duplicate")
            self.deliverer.put(at + 0.5, url, body, headers)

    def shows(self, item: Item) -> int:
        return self.fake.state.available(item.code) or 0

    def buy(self, item: Item, qty: int) -> Sale | None:
        from config.sandbox.bigcommerce import OutOfStock

        with self.fake.state.lock:
            try:
                order = self.fake.state.buy(item.code, qty)
            except OutOfStock:
                return None
        if self.rng.random() < self.faults.reorder:
            self.inject("webhook_reorder")
            with self.relay_lock:
                self.reordered.add(order.id)
        self.fake.hooks.emit("store/order/created", {"type": "order", "id": order.id})
        self.fake.hooks.emit(
            "store/order/statusUpdated",
            {"type": "order", "id": order.id, "status": {"previous_status_id": 0, "new_status_id": 11}},
        )
        return Sale(channel=self.name, order_id=str(order.id), at=time.time(), item=item, qty=qty)

    def vendor_fault(self, kind: str) -> None:
        """``429``: other apps of the store spend part of the shared window (our pacer reads it in
        the quota headers; past it, real 429s with the headers). ``5xx``/``slow``: not modelled
        by the fake, so not injected."""
        if kind == "429":
            self.fake.quota.consume(QUOTA // OTHER_APPS_SHARE)
            self.inject("vendor_quota_spent_by_other_apps")

    def api_calls(self) -> dict:
        with self.fake.lock:
            calls = len(self.fake.requests)
        return {"calls": calls, "rate_limited": self.fake.quota.rejected}

    def order_ids(self) -> list[str]:
        with self.fake.state.lock:
            return [str(i) for i in self.fake.state.orders]

    def burst_orders(self, *, sku: str, count: int) -> list[tuple[str, bytes, dict]]:
        """``count`` orders of ``sku`` taken at once, their created deliveries (signed now) held
        for the burst to post itself: (url, body, headers)."""
        captured: list[tuple[str, bytes, dict]] = []
        relay, self.relay = self.relay, lambda *, url, headers, body: captured.append((url, body, headers))
        try:
            for _ in range(count):
                order = self.fake.state.buy(sku, 1)
                self.fake.hooks.emit("store/order/created", {"type": "order", "id": order.id})
            self.fake.hooks.wait_idle(timeout=60)
        finally:
            self.relay = relay
        return captured

    def stop(self) -> None:
        self.fake.stop()
