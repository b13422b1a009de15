"""The BigCommerce demo store: started with the demo catalog, linked by demo_setup (hooks
registered to our web server), a buyer's order taken by webhook, its figure on /_fake/quantities."""

from __future__ import annotations

import time

import pytest

from channels_app.demo.fakes import amazon_start, shopify_start
from channels_app.demo.stores import demo_store_get
from channels_app.models import ChannelAccount
from channels_app.push.run import account_push_dirty
from channels_app.services.demo import DemoError, demo_buy, demo_setup, demo_store_quantities
from inventory_app.models import Order

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def stores():
    shopify = shopify_start(host="127.0.0.1", port=0, validate=False)
    amazon = amazon_start(host="127.0.0.1", port=0, pending_seconds=60)
    fake, url = demo_store_get(name="bigcommerce").start(host="127.0.0.1", port=0)
    yield shopify, amazon, fake, url
    fake.stop()
    shopify.stop()
    amazon.stop()


def test_the_bigcommerce_demo_store_is_linked_and_its_sale_arrives_by_webhook(
    stores,
    django_server,
    settings,
    on_commit,
):
    settings.DEMO = True
    settings.CHANNELS_ALLOW_PRIVATE_HOSTS = True
    shopify, amazon, fake, url = stores
    with on_commit(execute=True):
        result = demo_setup(
            shopify_url=shopify.url, amazon_url=amazon.base_url, web_url=django_server,
            stores={"bigcommerce": url}, wait=5,
        )  # fmt: skip

    assert (result["bigcommerce"]["imported"], result["bigcommerce"]["linked"]) == (5, 5)
    account = ChannelAccount.objects.get(kind="bigcommerce")
    assert sorted(h["scope"] for h in fake.state.hooks.values()) == [
        "store/order/created",
        "store/order/statusUpdated",
        "store/order/updated",
    ]
    # BigCommerce takes absolute figures: increases wait for its orders to be read, then a worker
    # pushes them when the listing is due (here, this process does the worker's step; bounded).
    deadline = time.monotonic() + 20
    while demo_store_quantities(store="bigcommerce")["TBL-1"] != 1 and time.monotonic() < deadline:
        with on_commit(execute=True):
            account_push_dirty(account_id=account.pk, time_budget=10, follow_up=False)
        time.sleep(0.2)
    assert demo_store_quantities(store="bigcommerce")["TBL-1"] == 1

    order_id = demo_buy(store="bigcommerce", sku="TBL-1", quantity=1)
    assert fake.hooks.wait_idle(timeout=20)

    assert demo_store_quantities(store="bigcommerce")["TBL-1"] == 0
    assert Order.objects.filter(channel=account.sales_channel, external_ref=order_id).exists()
    with pytest.raises(DemoError):
        demo_buy(store="bigcommerce", sku="TBL-1", quantity=1)
