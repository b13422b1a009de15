"""The fake eBay as a demo store: the catalog's SKUs as Inventory API listings; the account is
connected through the fake's consent page (it approves at once); orders reach us by poll."""

from __future__ import annotations

from channels_app.demo.stores.base import AccountSpec, DemoStore

CLIENT_ID = "FakeSell-Stockmas-PRD-0123456789"  # the fake's defaults (config/sandbox/ebay)
CLIENT_SECRET = "PRD-fake-cert-0123456789abcdef"  # noqa: S105 - the fake's
RU_NAME = "Fake_Seller-FakeSell-Stockm-abcdefgh"
VERIFICATION_TOKEN = "demo-ebay-verification-token-0123456789"  # noqa: S105 - the fake's


def _start(*, host: str, port: int):
    from channels_app.demo.catalog import DEMO_ITEMS, DEMO_KIT
    from config.sandbox.ebay import FakeEbay

    fake = FakeEbay(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, ru_name=RU_NAME, host=host, port=port)
    for item in (*DEMO_ITEMS, DEMO_KIT):
        fake.item_add(item.code, 0)
    fake.start()
    return fake, fake.url


def _account(*, url: str) -> AccountSpec:
    return AccountSpec(
        base_url=url,
        credentials={
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "ru_name": RU_NAME,
            "verification_token": VERIFICATION_TOKEN,
        },
        options={"consent_url": url + "/oauth2/authorize"},
        poll_interval_seconds=10,
        connect=True,
    )


STORE = DemoStore(name="ebay", kind="ebay", label="eBay", start=_start, account=_account)
