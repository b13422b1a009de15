"""The fake eBay as an optional demo store: connected through its consent page, linked, and sold
on like the others."""

from __future__ import annotations

import pytest

from channels_app.demo.fakes import amazon_start, shopify_start
from channels_app.demo.stores import demo_store_get
from channels_app.models import ChannelAccount, ChannelToken
from channels_app.services.demo import DemoError, demo_buy, demo_setup, demo_store_quantities

pytestmark = pytest.mark.django_db
WEB = "http://127.0.0.1:9"


@pytest.fixture
def stores():
    shopify = shopify_start(host="127.0.0.1", port=0, validate=False)
    amazon = amazon_start(host="127.0.0.1", port=0, pending_seconds=60)
    fake, url = demo_store_get(name="ebay").start(host="127.0.0.1", port=0)
    yield shopify, amazon, fake, url
    fake.stop()
    shopify.stop()
    amazon.stop()


def test_the_ebay_demo_store_is_connected_linked_and_sells(stores, on_commit, settings):
    settings.CHANNELS_ALLOW_PRIVATE_HOSTS = True
    shopify, amazon, fake, url = stores
    with on_commit(execute=True):
        result = demo_setup(
            shopify_url=shopify.url, amazon_url=amazon.base_url, web_url=WEB, stores={"ebay": url}, wait=5
        )

    account = ChannelAccount.objects.get(kind="ebay")
    assert (result["ebay"]["imported"], result["ebay"]["linked"]) == (5, 5)
    assert ChannelToken.objects.filter(account=account).exclude(secrets_encrypted="").exists()
    assert demo_store_quantities(store="ebay") == {
        "BED-SET-Q": 8, "PILLOW": 16, "SHEET-K": 3, "SHEET-Q": 10, "TBL-1": 1,
    }  # fmt: skip
    order_id = demo_buy(store="ebay", sku="TBL-1", quantity=1)
    assert order_id in fake.state.orders
    assert demo_store_quantities(store="ebay")["TBL-1"] == 0
    with pytest.raises(DemoError):
        demo_buy(store="ebay", sku="TBL-1", quantity=1)
