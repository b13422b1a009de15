"""End to end with real processes: the last unit sold on the fake WooCommerce store shows 0 on
the fake Shopify shop, and the reverse; nothing is oversold.

Same set-up as ``test_e2e_shopify_amazon`` (gunicorn, two Celery workers and beat on the test
PostgreSQL and Redis; fakes in this process): both stores deliver their signed order webhooks to
gunicorn. WooCommerce deducts its own stock when the buyer pays; Shopify likewise.
"""

from __future__ import annotations

import time

import pytest
import requests

from channels_app.services.accounts import account_create
from config.sandbox.shopify.orders import OutOfStock as ShopifyOutOfStock
from config.sandbox.woocommerce import FakeWooCommerce
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

WEBHOOK_BOUND = 5.0  # seconds from a sale on one store to the new figure on the other
SKU_CODE = "LINEN-1"


@pytest.fixture
def system(redis_url, settings):
    """Both fakes, accounts linked to LINEN-1 (one unit in stock), then web, two workers, beat."""
    settings.CHANNELS_ALLOW_PRIVATE_HOSTS = True
    web_port = free_port()
    shopify = shopify_fake_start(sku_code=SKU_CODE)
    woo = FakeWooCommerce().start()
    woo.store.product_add(sku=SKU_CODE, quantity=0)
    procs = processes_new(redis_url=redis_url, prefix="e2e-woo-logs-")
    with tasks_to_workers(redis_url=redis_url):
        try:
            procs.start_web_and_workers(web_port=web_port)
            location, sku = LocationFactory(code="MAIN"), SKUFactory(code=SKU_CODE)
            stock_receive(sku=sku, location=location, quantity=1)
            shop_account = shopify_account_new(shopify)
            woo_account = account_create(
                kind="woocommerce",
                name="WooCommerce",
                base_url=woo.url,
                credentials={"consumer_key": woo.consumer_key, "consumer_secret": woo.consumer_secret},
                dry_run=True,
                poll_interval_seconds=3600,
            )
            accounts_go_live(shop_account, woo_account)
            procs.start_beat()
            procs.wait_ready(web_port=web_port)
            webhooks_register(shop_account, woo_account, web_port=web_port)
            procs.wait_first_push(
                lambda: shopify_available(shopify, SKU_CODE) == 1 and woo.store.available(SKU_CODE) == 1
            )
            yield shopify, woo, sku, location, procs
            procs.check_alive()
        finally:
            procs.stop()
            shopify.stop()
            woo.stop()


def test_last_unit_bought_on_woocommerce_shows_zero_on_shopify(system):
    shopify, woo, sku, location, procs = system
    sold = time.monotonic()
    bought = requests.post(woo.url + "_fake/buy", json={"sku": SKU_CODE, "quantity": 1}, timeout=5)
    assert bought.status_code == 201

    wait_for(
        lambda: shopify_available(shopify, SKU_CODE) == 0,
        timeout=WEBHOOK_BOUND + 10,
        what="Shopify at 0",
    )
    latency = time.monotonic() - sold

    print(f"\nWooCommerce sale -> Shopify 0: {latency:.2f} s")
    assert latency <= WEBHOOK_BOUND
    with pytest.raises(ShopifyOutOfStock):
        shopify.place_order(lines=[{"sku": SKU_CODE, "quantity": 1}])
    again = requests.post(woo.url + "_fake/buy", json={"sku": SKU_CODE, "quantity": 1}, timeout=5)
    assert again.status_code == 409
    wait_for(lambda: Order.objects.count() == 1, timeout=5, what="the order stored")
    assert_nothing_oversold(sku, location)
    assert woo.store.available(SKU_CODE) == 0
    procs.check_alive()


def test_last_unit_bought_on_shopify_shows_zero_on_woocommerce(system):
    shopify, woo, sku, location, procs = system
    sold = time.monotonic()
    shopify.place_order(lines=[{"sku": SKU_CODE, "quantity": 1}])

    wait_for(lambda: woo.store.available(SKU_CODE) == 0, timeout=WEBHOOK_BOUND + 10, what="WooCommerce at 0")
    latency = time.monotonic() - sold

    print(f"\nShopify sale -> WooCommerce 0: {latency:.2f} s")
    assert latency <= WEBHOOK_BOUND
    again = requests.post(woo.url + "_fake/buy", json={"sku": SKU_CODE, "quantity": 1}, timeout=5)
    assert (again.status_code, again.json()) == (409, {"error": "out of stock"})
    assert shopify_available(shopify, SKU_CODE) == 0
    wait_for(lambda: Order.objects.count() == 1, timeout=5, what="the order stored")
    assert_nothing_oversold(sku, location)
    procs.check_alive()
