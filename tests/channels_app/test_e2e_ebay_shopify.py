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

from channels_app.intake.polling import account_orders_sync
from channels_app.notifications.webhook_subscriptions import account_webhooks_register
from channels_app.services.accounts import account_create
from channels_app.services.connect import account_connect_finish
from channels_app.services.onboarding import account_go_live, account_listings_import
from config.sandbox.ebay import FakeEbay
from config.sandbox.ebay import OutOfStock as EbayOutOfStock
from config.sandbox.shopify.orders import OutOfStock as ShopifyOutOfStock
from inventory_app.models import Order
from inventory_app.services.stock import stock_receive
from tests.channels_app.connectors.ebay.conftest import credentials
from tests.channels_app.e2e_processes import System, linen_shop, linen_shop_account, redis_url  # noqa: F401 - redis_url is a fixture
from tests.channels_app.e2e_processes import wait as _wait
from tests.channels_app.test_e2e_shopify_amazon import WEBHOOK_BOUND, _assert_nothing_oversold, _location_id
from tests.factories import LocationFactory, SKUFactory

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

EBAY_POLL_SECONDS = 5
SKU_CODE = "LINEN-1"


@pytest.fixture
def system(redis_url, settings):  # noqa: F811
    """Fakes, accounts linked to LINEN-1 (one unit in stock), then web, two workers and beat."""
    settings.CHANNELS_ALLOW_PRIVATE_HOSTS = True
    shopify = linen_shop(SKU_CODE)
    ebay = FakeEbay().start()
    ebay.item_add(SKU_CODE, 0)
    processes = System(redis_url, prefix="e2e-ebay-logs-")
    procs = processes.procs
    try:
        processes.start()
        location, sku = LocationFactory(code="MAIN"), SKUFactory(code=SKU_CODE)
        stock_receive(sku=sku, location=location, quantity=1)
        shop_account = linen_shop_account(shopify)
        ebay_account = account_create(
            kind="ebay",
            name="eBay",
            base_url=ebay.url,
            credentials=credentials(ebay),
            options={"alert_email": "ops@example.com"},
            dry_run=True,
            poll_interval_seconds=EBAY_POLL_SECONDS,
        )
        account_connect_finish(account=ebay_account, params={"state": "s", "code": ebay.consent()}, state="s")
        for account in (shop_account, ebay_account):
            assert account_listings_import(account=account) == {"imported": 1, "linked": 1}
            account_orders_sync(account_id=account.pk)
            account_go_live(account=account)
        account_webhooks_register(account_id=shop_account.pk, base_url=processes.web_url)
        processes.wait_ready()
        # eBay checks the destination's challenge on gunicorn before it subscribes.
        account_webhooks_register(account_id=ebay_account.pk, base_url=processes.web_url)
        processes.beat()
        processes.wait_first_push(
            lambda: (
                shopify.state.available(SKU_CODE, _location_id(shopify)) == 1 and ebay.quantity(SKU_CODE) == 1
            )
        )
        yield shopify, ebay, sku, location, procs
        procs.check_alive()
    finally:
        processes.stop()
        shopify.stop()
        ebay.stop()


def test_last_unit_bought_on_ebay_shows_zero_on_shopify(system):
    shopify, ebay, sku, location, procs = system
    sold = time.monotonic()
    ebay.buy(SKU_CODE, 1)

    _wait(
        lambda: shopify.state.available(SKU_CODE, _location_id(shopify)) == 0,
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
    _wait(lambda: Order.objects.count() == 1, timeout=5, what="the order stored")
    _assert_nothing_oversold(sku, location)
    procs.check_alive()


def test_last_unit_bought_on_shopify_shows_zero_on_ebay(system):
    shopify, ebay, sku, location, procs = system
    sold = time.monotonic()
    shopify.place_order(lines=[{"sku": SKU_CODE, "quantity": 1}])

    _wait(lambda: ebay.quantity(SKU_CODE) == 0, timeout=WEBHOOK_BOUND + 10, what="eBay at 0")
    latency = time.monotonic() - sold

    print(f"\nShopify sale -> eBay 0: {latency:.2f} s")
    assert latency <= WEBHOOK_BOUND
    with pytest.raises(EbayOutOfStock):
        ebay.buy(SKU_CODE, 1)  # a second buyer finds nothing
    assert shopify.state.available(SKU_CODE, _location_id(shopify)) == 0
    _wait(lambda: Order.objects.count() == 1, timeout=5, what="the order stored")
    _assert_nothing_oversold(sku, location)
    assert ebay.revisions(SKU_CODE) == 2  # 0 -> 1 at go-live, 1 -> 0 after the sale
    procs.check_alive()
