"""End to end with real processes: a buyer takes the last unit on the fake eBay and the fake
Shopify shop shows 0; the reverse too; nothing is oversold.

Same set-up as ``test_e2e_shopify_amazon`` (gunicorn, two ``celery worker`` processes, ``celery
beat``, the test PostgreSQL and Redis; the fakes in this process). The eBay account is connected
through the authorization code grant and subscribed to ORDER_CONFIRMATION: the fake eBay checks
our destination's challenge, then delivers signed notifications to gunicorn; the order poll
(every ``EBAY_POLL_SECONDS``) is the safety net.
"""

from __future__ import annotations

import time

import pytest

from channels_app.services.accounts import account_create
from channels_app.services.connect import account_connect_finish
from config.sandbox.ebay import FakeEbay
from config.sandbox.ebay import OutOfStock as EbayOutOfStock
from config.sandbox.shopify.orders import OutOfStock as ShopifyOutOfStock
from inventory_app.models import Order
from inventory_app.services.stock import stock_receive
from tests.channels_app.connectors.ebay.conftest import credentials
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

EBAY_POLL_SECONDS = 5
SKU_CODE = "LINEN-1"
WEBHOOK_BOUND = 5.0  # the webhook latency bound of test_e2e_shopify_amazon


@pytest.fixture
def system(redis_url, settings):
    """Fakes, accounts linked to LINEN-1 (one unit in stock), then web, two workers and beat."""
    settings.CHANNELS_ALLOW_PRIVATE_HOSTS = True
    shopify = shopify_fake_start(sku_code=SKU_CODE)
    ebay = FakeEbay().start()
    ebay.item_add(SKU_CODE, 0)
    web_port = free_port()
    procs = processes_new(redis_url=redis_url, prefix="e2e-ebay-logs-")
    with tasks_to_workers(redis_url=redis_url):
        try:
            procs.start_web_and_workers(web_port=web_port)
            location, sku = LocationFactory(code="MAIN"), SKUFactory(code=SKU_CODE)
            stock_receive(sku=sku, location=location, quantity=1)
            shop_account = shopify_account_new(shopify)
            ebay_account = account_create(
                kind="ebay",
                name="eBay",
                base_url=ebay.url,
                credentials=credentials(ebay),
                options={"alert_email": "ops@example.com"},
                dry_run=True,
                poll_interval_seconds=EBAY_POLL_SECONDS,
            )
            account_connect_finish(
                account=ebay_account, params={"state": "s", "code": ebay.consent()}, state="s"
            )
            accounts_go_live(shop_account, ebay_account)
            webhooks_register(shop_account, web_port=web_port)
            procs.wait_ready(web_port=web_port)
            # eBay checks the destination's challenge on gunicorn before it subscribes.
            webhooks_register(ebay_account, web_port=web_port)
            procs.start_beat()
            procs.wait_first_push(
                lambda: shopify_available(shopify, SKU_CODE) == 1 and ebay.quantity(SKU_CODE) == 1
            )
            yield shopify, ebay, sku, location, procs
            procs.check_alive()
        finally:
            procs.stop()
            shopify.stop()
            ebay.stop()


def test_last_unit_bought_on_ebay_shows_zero_on_shopify(system):
    shopify, ebay, sku, location, procs = system
    sold = time.monotonic()
    ebay.buy(SKU_CODE, 1)

    wait_for(
        lambda: shopify_available(shopify, SKU_CODE) == 0,
        timeout=WEBHOOK_BOUND + 10,
        what="Shopify at 0",
    )
    latency = time.monotonic() - sold

    print(f"\neBay sale -> Shopify 0: {latency:.2f} s (signed ORDER_CONFIRMATION)")
    assert latency <= WEBHOOK_BOUND
    with pytest.raises(ShopifyOutOfStock):
        shopify.place_order(lines=[{"sku": SKU_CODE, "quantity": 1}])
    assert ebay.quantity(SKU_CODE) == 0
    for thread in ebay.deliveries.threads:
        thread.join(10)
    assert [status for _, status in ebay.deliveries.log] == [200]  # one notification, taken at once
    wait_for(lambda: Order.objects.count() == 1, timeout=5, what="the order stored")
    assert_nothing_oversold(sku, location)
    procs.check_alive()


def test_last_unit_bought_on_shopify_shows_zero_on_ebay(system):
    shopify, ebay, sku, location, procs = system
    sold = time.monotonic()
    shopify.place_order(lines=[{"sku": SKU_CODE, "quantity": 1}])

    wait_for(lambda: ebay.quantity(SKU_CODE) == 0, timeout=WEBHOOK_BOUND + 10, what="eBay at 0")
    latency = time.monotonic() - sold

    print(f"\nShopify sale -> eBay 0: {latency:.2f} s")
    assert latency <= WEBHOOK_BOUND
    with pytest.raises(EbayOutOfStock):
        ebay.buy(SKU_CODE, 1)  # a second buyer finds nothing
    assert shopify_available(shopify, SKU_CODE) == 0
    wait_for(lambda: Order.objects.count() == 1, timeout=5, what="the order stored")
    assert_nothing_oversold(sku, location)
    assert ebay.revisions(SKU_CODE) == 2  # 0 -> 1 at go-live, 1 -> 0 after the sale
    procs.check_alive()
