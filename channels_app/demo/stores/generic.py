"""The generic channel's fake shop as a demo store (orders reach us by poll)."""

from __future__ import annotations

from channels_app.demo.stores.base import AccountSpec, DemoStore

API_KEY = "demo-generic-key"
WEBHOOK_SECRET = "demo-generic-secret"  # noqa: S105 - the fake's


def _start(*, host: str, port: int):
    from channels_app.demo.catalog import DEMO_ITEMS, DEMO_KIT
    from config.sandbox.generic_channel import GenericChannelServer

    fake = GenericChannelServer(api_key=API_KEY, webhook_secret=WEBHOOK_SECRET, port=port)
    for number, item in enumerate((*DEMO_ITEMS, DEMO_KIT), start=1):
        fake.listing_add(f"G{number}", sku=item.code, quantity=0, title=item.name)
    fake.start()
    return fake, fake.base_url.removesuffix("api/").rstrip("/")


def _account(*, url: str) -> AccountSpec:
    return AccountSpec(
        base_url=url + "/api/",
        credentials={"api_key": API_KEY, "webhook_secret": WEBHOOK_SECRET},
        poll_interval_seconds=15,
    )


STORE = DemoStore(name="generic", kind="generic", label="Generic shop", start=_start, account=_account)
