"""The fake Magento store (single source, MSI) as a demo store: orders reach us by poll."""

from __future__ import annotations

from channels_app.demo.stores.base import AccountSpec, DemoStore

CREDENTIALS = {
    "consumer_key": "demo-magento-consumer-key",
    "consumer_secret": "demo-magento-consumer-secret",
    "access_token": "demo-magento-access-token",
    "access_token_secret": "demo-magento-access-token-secret",
}


def _start(*, host: str, port: int):
    from channels_app.demo.catalog import DEMO_ITEMS, DEMO_KIT
    from config.sandbox.magento import FakeMagento

    fake = FakeMagento(mode="single", host=host, port=port, bulk_consumer=True)
    for key, value in CREDENTIALS.items():
        setattr(fake.integration, key, value)
    for item in (*DEMO_ITEMS, DEMO_KIT):
        fake.store.product_add(item.code, name=item.name)  # no source item: 0 until we publish
    fake.start()
    return fake, fake.url


def _account(*, url: str) -> AccountSpec:
    return AccountSpec(
        base_url=url,
        credentials=dict(CREDENTIALS),
        options={"source_code": "default"},
        poll_interval_seconds=15,
    )


STORE = DemoStore(name="magento", kind="magento", label="Magento store", start=_start, account=_account)
