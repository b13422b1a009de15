"""End to end with real processes: the last unit sold on the fake WooCommerce store shows 0 on
the fake Shopify shop, and the reverse; nothing is oversold.

Same set-up as ``test_e2e_shopify_amazon`` (gunicorn, two Celery workers and beat on the test
PostgreSQL and Redis; fakes in this process): both stores deliver their signed order webhooks to
gunicorn. WooCommerce deducts its own stock when the buyer pays; Shopify likewise.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import pytest
import requests

from channels_app.intake.polling import account_orders_sync
from channels_app.models import Listing
from channels_app.notifications.webhook_subscriptions import account_webhooks_register
from channels_app.services.accounts import account_create
from channels_app.services.onboarding import account_go_live, account_listings_import
from config.celery import app as celery_app
from config.sandbox.shopify.fixtures import TODAY
from config.sandbox.shopify.orders import OutOfStock as ShopifyOutOfStock
from config.sandbox.shopify.server import FakeShopify
from config.sandbox.woocommerce import FakeWooCommerce
from inventory_app.models import Order, StockLevel
from inventory_app.services.stock import stock_receive
from tests.channels_app.e2e import (  # noqa: F401 - redis_url is a fixture
    Processes,
    e2e_env,
    free_port,
    redis_url,
    wait_for,
)
from tests.factories import LocationFactory, SKUFactory

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

WEBHOOK_BOUND = 5.0  # seconds from a sale on one store to the new figure on the other
SKU_CODE = "LINEN-1"


@pytest.fixture
def system(redis_url, settings):  # noqa: F811
    """Both fakes, accounts linked to LINEN-1 (one unit in stock), then web, two workers, beat."""
    settings.CHANNELS_ALLOW_PRIVATE_HOSTS = True
    web_port = free_port()
    env = e2e_env(redis_url=redis_url)
    shopify = FakeShopify(today=TODAY, webhook_retry_schedule=(0.2, 0.5, 1.0), webhook_timeout=5.0)
    shopify.state.add_location("Shop")
    shopify.state.add_product("Linen", [{"sku": SKU_CODE}])
    shopify.start()
    woo = FakeWooCommerce().start()
    woo.store.product_add(sku=SKU_CODE, quantity=0)
    eager, broker = celery_app.conf.task_always_eager, celery_app.conf.broker_url
    celery_app.conf.task_always_eager, celery_app.conf.broker_url = False, redis_url
    logdir = Path(tempfile.mkdtemp(prefix="e2e-woo-logs-"))
    procs = Processes(env, logdir)
    try:
        procs.start_web_and_workers(web_port=web_port)
        location, sku = LocationFactory(code="MAIN"), SKUFactory(code=SKU_CODE)
        stock_receive(sku=sku, location=location, quantity=1)
        shop_account = account_create(
            kind="shopify",
            name="Shopify",
            base_url=shopify.url,
            credentials={"access_token": shopify.access_token, "webhook_secret": shopify.client_secret},
            options={"api_version": "2026-10"},
            dry_run=True,
            poll_interval_seconds=3600,
        )
        woo_account = account_create(
            kind="woocommerce",
            name="WooCommerce",
            base_url=woo.url,
            credentials={"consumer_key": woo.consumer_key, "consumer_secret": woo.consumer_secret},
            dry_run=True,
            poll_interval_seconds=3600,
        )
        for account in (shop_account, woo_account):
            assert account_listings_import(account=account) == {"imported": 1, "linked": 1}
            account_orders_sync(account_id=account.pk)
            account_go_live(account=account)
        procs.start_beat()
        procs.wait_ready(web_port=web_port)
        for account in (shop_account, woo_account):
            account_webhooks_register(account_id=account.pk, base_url=f"http://127.0.0.1:{web_port}")
        try:
            wait_for(
                lambda: (
                    shopify.state.available(SKU_CODE, _location_id(shopify)) == 1
                    and woo.store.available(SKU_CODE) == 1
                ),
                timeout=30,
                what="the first push of 1 unit to both stores",
            )
        except AssertionError as exc:
            rows = list(Listing.objects.values())
            raise AssertionError(f"{exc}: {rows}\n{procs.log('w1')[-4000:]}") from None
        yield shopify, woo, sku, location, procs
        procs.check_alive()
    finally:
        celery_app.conf.task_always_eager, celery_app.conf.broker_url = eager, broker
        procs.stop()
        shopify.stop()
        woo.stop()


def _location_id(shopify: FakeShopify) -> int:
    return next(iter(shopify.state.locations))


def _assert_nothing_oversold(sku, location) -> None:
    level = StockLevel.objects.get(sku=sku, location=location)
    assert (level.on_hand, level.committed) == (1, 1)
    assert Order.objects.count() == 1


def test_last_unit_bought_on_woocommerce_shows_zero_on_shopify(system):
    shopify, woo, sku, location, procs = system
    sold = time.monotonic()
    bought = requests.post(woo.url + "_fake/buy", json={"sku": SKU_CODE, "quantity": 1}, timeout=5)
    assert bought.status_code == 201

    wait_for(
        lambda: shopify.state.available(SKU_CODE, _location_id(shopify)) == 0,
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
    _assert_nothing_oversold(sku, location)
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
    assert shopify.state.available(SKU_CODE, _location_id(shopify)) == 0
    wait_for(lambda: Order.objects.count() == 1, timeout=5, what="the order stored")
    _assert_nothing_oversold(sku, location)
    procs.check_alive()
