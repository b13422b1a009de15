"""The fake WooCommerce store as a demo store (orders reach us by signed webhooks, and by poll)."""

from __future__ import annotations

from channels_app.demo.stores.base import AccountSpec, DemoStore

# The fake's fixed demo keys (a real store's are generated in WP admin).
CONSUMER_KEY = "ck_" + "a1" * 20
CONSUMER_SECRET = "cs_" + "b2" * 20


def _start(*, host: str, port: int):
    from channels_app.demo.catalog import DEMO_ITEMS, DEMO_KIT
    from config.sandbox.woocommerce import FakeWooCommerce

    fake = FakeWooCommerce(port=port)
    for item in (*DEMO_ITEMS, DEMO_KIT):
        fake.store.product_add(sku=item.code, quantity=0, name=item.name)
    fake.start()
    return fake, fake.url.rstrip("/")


def _account(*, url: str) -> AccountSpec:
    return AccountSpec(
        base_url=url + "/",
        credentials={"consumer_key": CONSUMER_KEY, "consumer_secret": CONSUMER_SECRET},
        poll_interval_seconds=30,
        register_webhooks=True,
    )


STORE = DemoStore(name="woocommerce", kind="woocommerce", label="WooCommerce", start=_start, account=_account)
