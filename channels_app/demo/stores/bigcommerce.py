"""The fake BigCommerce store as a demo store (orders reach us by its signed webhooks, the poll
every 30 s as the safety net)."""

from __future__ import annotations

from channels_app.demo.stores.base import AccountSpec, DemoStore

STORE_HASH = "demo1"
ACCESS_TOKEN = "demo-bigcommerce-token"  # noqa: S105 - the fake's
CLIENT_SECRET = "demo-bigcommerce-secret"  # noqa: S105 - the fake's


def _start(*, host: str, port: int):
    from channels_app.demo.catalog import DEMO_ITEMS, DEMO_KIT
    from config.sandbox.bigcommerce import FakeBigCommerce

    fake = FakeBigCommerce(
        store_hash=STORE_HASH, access_token=ACCESS_TOKEN, client_secret=CLIENT_SECRET, host=host, port=port
    )
    for item in (*DEMO_ITEMS, DEMO_KIT):
        fake.state.add_product(item.name, sku=item.code, tracking="product", quantity=0)
    fake.start()
    return fake, fake.url.rstrip("/")


def _account(*, url: str) -> AccountSpec:
    return AccountSpec(
        base_url=url + "/",
        credentials={"store_hash": STORE_HASH, "access_token": ACCESS_TOKEN, "client_secret": CLIENT_SECRET},
        poll_interval_seconds=30,
        register_webhooks=True,
    )


STORE = DemoStore(name="bigcommerce", kind="bigcommerce", label="BigCommerce", start=_start, account=_account)
