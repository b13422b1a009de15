"""The Shopify fake as a rush channel, and the listings import every rush channel shares."""

from __future__ import annotations

import time

from bench.rush.catalog import Item
from bench.rush.channels import ChannelBase, Deliverer, Sale, WebhookFaults


def _import_listings(account) -> None:
    """The engine's listings import, again after the vendor's "retry later" (bounded)."""
    from channels_app.connectors.errors import RetryableError
    from channels_app.services.onboarding import account_listings_import

    for _ in range(60):
        try:
            account_listings_import(account=account)
            return
        except RetryableError as exc:
            time.sleep(min(getattr(exc, "retry_after", None) or 2.0, 15.0))
    raise SystemExit(f"listings import of {account} kept being refused")


class ShopifyChannel(ChannelBase):
    """The fake Shopify shop: it delivers its own webhooks (faults set on its dispatcher)."""

    kind = "shopify"

    def __init__(self, name: str) -> None:
        super().__init__(name=name)
        from config.sandbox.shopify.server import FakeShopify

        self.fake = FakeShopify(
            access_token=f"shpat_{name}",
            client_secret=f"secret-{name}",
            bucket=(20000, 2000),  # the 2,000 points/s tier Shopify documents for its largest plans
            webhook_retry_schedule=(1, 2, 4, 8, 16, 32, 64, 128),  # Shopify's, divided by ~60
        ).start()
        self.location = self.fake.state.add_location("Main")

    def setup(self, *, items: list[Item], location_ids: list[int]) -> None:
        from channels_app.services.accounts import account_create

        for item in items:
            self.fake.state.add_product(item.code, [{"sku": item.code, "quantities": {self.location.id: 0}}])
        self.account = account_create(
            kind="shopify",
            name=self.name,
            base_url=self.fake.url,
            credentials={"access_token": self.fake.access_token, "webhook_secret": self.fake.client_secret},
            options={"api_version": "2026-10", "location_id": self.location.gid, "throttle_wait_seconds": 60},
            location_ids=location_ids,
            poll_interval_seconds=30,
        )
        _import_listings(self.account)  # a long import waits for the bucket; the run uses the default
        self.account.options = {k: v for k, v in self.account.options.items() if k != "throttle_wait_seconds"}
        self.account.save(update_fields=["options"])
        state = self.fake.state
        self.item_ids = {v.sku: v.inventory_item_id for v in state.variants.values()}

    def webhooks_start(self, *, base_url: str, deliverer: Deliverer, faults: WebhookFaults, rng) -> None:
        from channels_app.notifications.webhook_subscriptions import account_webhooks_register

        account_webhooks_register(account_id=self.account.pk, base_url=base_url)
        self.faults, self.rng = faults, rng

    def shows(self, item: Item) -> int:
        with self.fake.state.lock:
            return self.fake.state.levels[(self.item_ids[item.code], self.location.id)].get("available")

    def buy(self, item: Item, qty: int) -> Sale | None:
        from config.sandbox.shopify import OutOfStock

        hooks = self.fake.webhooks.faults
        hooks.duplicates = 1 if self.rng.random() < self.faults.duplicate else 0
        hooks.jitter = self.faults.delay_max_s if self.rng.random() < self.faults.delay else 0.0
        if hooks.duplicates:
            self.inject("webhook_duplicate")
        if hooks.jitter:
            self.inject("webhook_delay")
        try:
            with self.fake.state.lock:
                if self.shows(item) < qty:
                    return None
                order = self.fake.place_order(
                    lines=[{"sku": item.code, "quantity": qty}], location_id=self.location.id
                )
        except OutOfStock:
            return None
        return Sale(channel=self.name, order_id=str(order.id), at=time.time(), item=item, qty=qty)

    def vendor_fault(self, kind: str) -> None:
        if kind == "429":
            self.fake.faults.rate_limit_next(1, retry_after=1)
        elif kind == "5xx":
            self.fake.faults.fail_next(1, status=503)
        elif kind == "slow":
            self.fake.faults.latency = 1.5
        elif kind == "fast":
            self.fake.faults.latency = 0.0
            return
        self.inject(f"vendor_{kind}")

    def _vendor_faults_drop(self) -> int:
        return self.fake.faults.clear()

    def api_calls(self) -> dict:
        counters = self.fake.counters
        limited = counters.get("status_429", 0) + counters.get("throttled", 0)
        return {"calls": counters.get("requests", 0), "rate_limited": limited}

    def order_ids(self) -> list[str]:
        with self.fake.state.lock:
            return [str(i) for i in self.fake.state.orders]

    def stop(self) -> None:
        self.fake.stop()
