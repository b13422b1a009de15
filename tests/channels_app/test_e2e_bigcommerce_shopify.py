"""End to end with real processes: the last unit sold on the fake BigCommerce store shows 0 on
the fake Shopify shop, and the reverse; nothing is oversold.

The same processes as ``test_e2e_shopify_amazon`` (gunicorn, two celery workers, beat, on the
test PostgreSQL and Redis): both fakes deliver their signed order webhooks to our web server
(BigCommerce's thin callbacks: the web process re-fetches the order). Bounded waits, every
process stopped also when a test fails.
"""

from __future__ import annotations

import time

import pytest

from channels_app.services.accounts import account_create
from config.sandbox.bigcommerce import FakeBigCommerce
from config.sandbox.bigcommerce import OutOfStock as BigCommerceOutOfStock
from config.sandbox.shopify.orders import OutOfStock as ShopifyOutOfStock
from inventory_app.models import Order
from inventory_app.services.stock import stock_receive
from tests.channels_app.e2e import (
    accounts_go_live,
    assert_nothing_oversold,
    free_port,
    processes_new,
    shopify_account_new,
    shopify_available,
    shopify_fake_start,
    tasks_to_workers,
    wait_for,
    webhooks_register,
)
from tests.factories import LocationFactory, SKUFactory

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

WEBHOOK_BOUND = 6.0  # seconds from a checkout on one store to the new figure on the other
SKU_CODE = "LINEN-1"


@pytest.fixture
def system(redis_url, settings):
    """Fakes, accounts linked to LINEN-1 (one unit in stock), then web, two workers and beat."""
    settings.CHANNELS_ALLOW_PRIVATE_HOSTS = True
    web_port = free_port()
    shopify = shopify_fake_start(sku_code=SKU_CODE)
    bigc = FakeBigCommerce(retry_schedule=(0.2, 0.5, 1.0))
    bigc.state.add_product("Linen", sku=SKU_CODE, tracking="product", quantity=0)
    bigc.start()
    procs = processes_new(redis_url=redis_url, prefix="e2e-bigc-logs-")
    with tasks_to_workers(redis_url=redis_url):
        try:
            procs.start_web_and_workers(web_port=web_port)
            location, sku = LocationFactory(code="MAIN"), SKUFactory(code=SKU_CODE)
            stock_receive(sku=sku, location=location, quantity=1)
            shop_account = shopify_account_new(shopify)
            bc_account = account_create(
                kind="bigcommerce",
                name="BigCommerce",
                base_url=bigc.url,
                credentials=bigc.credentials(),
                dry_run=True,
                poll_interval_seconds=3600,
            )
            for account in (shop_account, bc_account):
                accounts_go_live(account)
                webhooks_register(account, web_port=web_port)
            procs.start_beat()
            procs.wait_ready(web_port=web_port)
            procs.wait_first_push(
                lambda: shopify_available(shopify, SKU_CODE) == 1 and bigc.state.available(SKU_CODE) == 1
            )
            yield shopify, bigc, sku, location, procs
            procs.check_alive()
        finally:
            procs.stop()
            shopify.stop()
            bigc.stop()


def test_last_unit_sold_on_bigcommerce_shows_zero_on_shopify(system):
    shopify, bigc, sku, location, procs = system
    sold = time.monotonic()
    bigc.buy(SKU_CODE, 1)

    wait_for(
        lambda: shopify_available(shopify, SKU_CODE) == 0,
        timeout=WEBHOOK_BOUND + 10,
        what="Shopify at 0",
    )
    latency = time.monotonic() - sold

    print(f"\nBigCommerce sale -> Shopify 0: {latency:.2f} s")
    assert latency <= WEBHOOK_BOUND
    with pytest.raises(ShopifyOutOfStock):
        shopify.place_order(lines=[{"sku": SKU_CODE, "quantity": 1}])
    assert bigc.state.available(SKU_CODE) == 0
    wait_for(lambda: Order.objects.count() == 1, timeout=5, what="the order stored")
    assert_nothing_oversold(sku, location)
    procs.check_alive()


def test_last_unit_sold_on_shopify_shows_zero_on_bigcommerce(system):
    shopify, bigc, sku, location, procs = system
    sold = time.monotonic()
    shopify.place_order(lines=[{"sku": SKU_CODE, "quantity": 1}])

    wait_for(lambda: bigc.state.available(SKU_CODE) == 0, timeout=WEBHOOK_BOUND + 10, what="BigCommerce at 0")
    latency = time.monotonic() - sold

    print(f"\nShopify sale -> BigCommerce 0: {latency:.2f} s")
    assert latency <= WEBHOOK_BOUND
    with pytest.raises(BigCommerceOutOfStock):
        bigc.buy(SKU_CODE, 1)
    assert [a["items"][0]["quantity"] for a in bigc.state.adjustments] == [1, 0]
    wait_for(lambda: Order.objects.count() == 1, timeout=5, what="the order stored")
    assert_nothing_oversold(sku, location)
    procs.check_alive()
