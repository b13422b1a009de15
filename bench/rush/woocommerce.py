"""The fake WooCommerce store as a rush channel: it delivers its own signed webhooks."""

from __future__ import annotations

import time

from bench.rush.adapters import _import_listings
from bench.rush.catalog import Item
from bench.rush.channels import ChannelBase, Deliverer, Sale, WebhookFaults


class WooCommerceChannel(ChannelBase):
    """The fake WooCommerce store (``config/sandbox/woocommerce``); buyers pay at checkout, so
    the store deducts its own stock when they order, as WooCommerce does."""

    kind = "woocommerce"

    def __init__(self, name: str) -> None:
        super().__init__(name=name)
        from config.sandbox.woocommerce import FakeWooCommerce

        self.fake = FakeWooCommerce(webhook_workers=4).start()

    def setup(self, *, items: list[Item], location_ids: list[int]) -> None:
        from channels_app.services.accounts import account_create

        for item in items:
            self.fake.store.product_add(sku=item.code, quantity=0, name=item.code)
        self.account = account_create(
            kind="woocommerce",
            name=self.name,
            base_url=self.fake.url,
            credentials={
                "consumer_key": self.fake.consumer_key,
                "consumer_secret": self.fake.consumer_secret,
            },
            options={"rate_per_second": 40},
            location_ids=location_ids,
            poll_interval_seconds=30,
        )
        _import_listings(self.account)

    def webhooks_start(self, *, base_url: str, deliverer: Deliverer, faults: WebhookFaults, rng) -> None:
        from channels_app.notifications.webhook_subscriptions import account_webhooks_register

        account_webhooks_register(account_id=self.account.pk, base_url=base_url)
        self.faults, self.rng = faults, rng

    def shows(self, item: Item) -> int:
        return self.fake.store.available(item.code) or 0

    def buy(self, item: Item, qty: int) -> Sale | None:
        from config.sandbox.woocommerce import OutOfStock

        hooks = self.fake.hooks
        with self.fake.store.lock:
            hooks.duplicate = self.rng.random() < self.faults.duplicate
            hooks.delay = (
                self.rng.uniform(0.2, self.faults.delay_max_s) if self.rng.random() < self.faults.delay else 0
            )
            if hooks.duplicate:
                self.inject("webhook_duplicate")
            if hooks.delay:
                self.inject("webhook_delay")
            try:
                order = self.fake.store.order_create(lines=[{"sku": item.code, "quantity": qty}])
            except OutOfStock:
                return None
            finally:
                hooks.duplicate, hooks.delay = False, 0.0
        return Sale(channel=self.name, order_id=str(order["id"]), at=time.time(), item=item, qty=qty)

    def vendor_fault(self, kind: str) -> None:
        if kind == "429":
            self.fake.fail_next(1, status=429, retry_after=1)
        elif kind == "5xx":
            self.fake.fail_next(1, status=503)
        elif kind == "slow":
            self.fake.latency = 1.5
        elif kind == "fast":
            self.fake.latency = 0.0
            return
        self.inject(f"vendor_{kind}")

    def _vendor_faults_drop(self) -> int:
        return self.fake.fail_clear()

    def api_calls(self) -> dict:
        answered = self.fake.faults_answered
        return {
            "calls": sum(self.fake.calls.values()) + sum(answered.values()),
            "rate_limited": answered[429],
        }

    def order_ids(self) -> list[str]:
        with self.fake.store.lock:
            return [str(i) for i in self.fake.store.orders]

    def stop(self) -> None:
        self.fake.stop()
