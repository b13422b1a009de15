"""The fake Etsy as a demo store: connected through its OAuth flow with PKCE (approved at once),
orders reach us by receipt poll. Each demo SKU is a listing of one product, inactive with one
unit (Etsy refuses an inventory of zeros): the first push writes the figure and activates it."""

from __future__ import annotations

from channels_app.demo.stores.base import AccountSpec, DemoStore

KEYSTRING = "demoetsykeystring0001"
SHARED_SECRET = "demo-etsy-shared-secret"  # noqa: S105 - the fake's
SHOP_ID = 987654
CALLBACK = "/demo-callback"


def _start(*, host: str, port: int):
    from channels_app.demo.catalog import DEMO_ITEMS, DEMO_KIT
    from config.sandbox.etsy import FakeEtsy

    fake = FakeEtsy(keystring=KEYSTRING, shared_secret=SHARED_SECRET, shop_id=SHOP_ID, port=port).start()
    fake.oauth.redirect_uris.add(fake.url + CALLBACK)
    for item in (*DEMO_ITEMS, DEMO_KIT):
        product = {
            "sku": item.code,
            "property_values": [],
            "offerings": [{"price": 25.0, "quantity": 1, "is_enabled": True, "readiness_state_id": None}],
        }
        inventory = {
            "products": [product],
            "price_on_property": [],
            "quantity_on_property": [],
            "sku_on_property": [],
        }
        fake.state.listing_add(title=item.name, inventory=inventory, state="inactive")
    return fake, fake.url


def _account(*, url: str) -> AccountSpec:
    return AccountSpec(
        base_url=url,
        credentials={"keystring": KEYSTRING, "shared_secret": SHARED_SECRET},
        options={
            "shop_id": str(SHOP_ID),
            "redirect_uri": url + CALLBACK,
            "connect_url": url + "/oauth/connect",
        },
        poll_interval_seconds=15,
        connect=True,
    )


STORE = DemoStore(name="etsy", kind="etsy", label="Etsy shop", start=_start, account=_account)
