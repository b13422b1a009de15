"""The fake WooCommerce store as an optional demo store: linked, its hooks registered, sold on."""

from __future__ import annotations

import pytest

from channels_app.demo.stores import demo_store_get
from channels_app.models import ChannelAccount
from channels_app.services.demo import DemoError, demo_buy, demo_setup, demo_store_quantities

from .test_demo import WEB

pytestmark = pytest.mark.django_db


@pytest.fixture
def woo_store(settings):
    settings.CHANNELS_ALLOW_PRIVATE_HOSTS = True
    fake, url = demo_store_get(name="woocommerce").start(host="127.0.0.1", port=0)
    yield fake, url
    fake.stop()


def test_the_woocommerce_demo_store_is_linked_hooked_and_sells(stores, woo_store, on_commit):
    shopify, amazon = stores
    fake, url = woo_store
    with on_commit(execute=True):
        result = demo_setup(
            shopify_url=shopify.url, amazon_url=amazon.base_url, web_url=WEB, stores={"woocommerce": url},
            wait=5,
        )  # fmt: skip

    assert (result["woocommerce"]["imported"], result["woocommerce"]["linked"]) == (5, 5)
    account = ChannelAccount.objects.get(kind="woocommerce")
    assert account.sales_channel.code == "demo-woocommerce"
    assert sorted(h["topic"] for h in fake.hooks.hooks.values()) == [
        "order.created", "order.deleted", "order.restored", "order.updated",
    ]  # fmt: skip
    assert demo_store_quantities(store="woocommerce")["TBL-1"] == 1
    order_id = demo_buy(store="woocommerce", sku="TBL-1", quantity=1)
    assert fake.store.orders[int(order_id)]["status"] == "processing"
    assert demo_store_quantities(store="woocommerce")["TBL-1"] == 0
    with pytest.raises(DemoError):
        demo_buy(store="woocommerce", sku="TBL-1", quantity=1)
