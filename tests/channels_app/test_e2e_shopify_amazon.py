"""End to end with real processes: a buyer takes the last unit on the fake Shopify shop and the
fake Amazon listing shows 0 within the engine's latency; the reverse too; nothing is oversold.

Processes (all on 127.0.0.1): gunicorn serving our web app (Shopify delivers its signed order
webhooks to it), two ``celery worker`` processes and ``celery beat`` (it schedules the Amazon
order poll: Amazon has no HTTP webhooks), on the test PostgreSQL and a Redis broker (the one of
``python -m config.devservices --redis``, else a private one started here). The two fakes run in
this process. Every wait is bounded and every process is stopped, also when a test fails.

Latency bounds (the engine promises "a sale on any channel reaches every other channel within
seconds", issue 3): a Shopify sale arrives by webhook and must reach Amazon within
``WEBHOOK_BOUND`` seconds; an Amazon sale arrives with the next order poll, so it must reach
Shopify within the account's poll interval plus ``WEBHOOK_BOUND``.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from channels_app.services.accounts import account_create
from config.sandbox.amazon import FakeAmazon, FakeClock
from config.sandbox.amazon import OutOfStock as AmazonOutOfStock
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

WEBHOOK_BOUND = 5.0  # seconds from a Shopify checkout to the new figure on Amazon
AMAZON_POLL_SECONDS = 5  # the Amazon account's order poll in these tests
SKU_CODE = "LINEN-1"


@pytest.fixture
def system(redis_url, settings):
    """Fakes, accounts linked to LINEN-1 (one unit in stock), then web, two workers and beat."""
    settings.CHANNELS_ALLOW_PRIVATE_HOSTS = True
    web_port = free_port()
    shopify = shopify_fake_start(sku_code=SKU_CODE)
    amazon = FakeAmazon(clock=FakeClock(start=datetime.now(UTC), frozen=False)).start()
    amazon.seed_listing(SKU_CODE, 0)
    procs = processes_new(redis_url=redis_url)
    with tasks_to_workers(redis_url=redis_url):
        try:
            procs.start_web_and_workers(web_port=web_port)
            location, sku = LocationFactory(code="MAIN"), SKUFactory(code=SKU_CODE)
            stock_receive(sku=sku, location=location, quantity=1)
            shop_account = shopify_account_new(shopify)
            creds = amazon.credentials()
            amazon_account = account_create(
                kind="amazon",
                name="Amazon",
                base_url=creds["endpoint"],
                credentials={k: creds[k] for k in ("client_id", "client_secret", "refresh_token")},
                options={
                    "seller_id": creds["seller_id"],
                    "marketplace_ids": creds["marketplace_ids"],
                    "lwa_url": creds["lwa_url"],
                },
                dry_run=True,
                poll_interval_seconds=AMAZON_POLL_SECONDS,
            )
            accounts_go_live(shop_account, amazon_account)
            webhooks_register(shop_account, web_port=web_port)
            procs.start_beat()
            procs.wait_ready(web_port=web_port)
            procs.wait_first_push(
                lambda: shopify_available(shopify, SKU_CODE) == 1 and amazon.quantity(SKU_CODE) == 1
            )
            yield shopify, amazon, sku, location, procs
            procs.check_alive()
        finally:
            procs.stop()
            shopify.stop()
            amazon.stop()


def test_last_unit_bought_on_shopify_shows_zero_on_amazon_within_the_webhook_bound(system):
    shopify, amazon, sku, location, procs = system
    sold = time.monotonic()
    shopify.place_order(lines=[{"sku": SKU_CODE, "quantity": 1}])

    wait_for(lambda: amazon.quantity(SKU_CODE) == 0, timeout=WEBHOOK_BOUND + 10, what="Amazon at 0")
    latency = time.monotonic() - sold

    print(f"\nShopify sale -> Amazon 0: {latency:.2f} s")
    assert latency <= WEBHOOK_BOUND
    with pytest.raises(AmazonOutOfStock):
        amazon.place_order(SKU_CODE, 1)  # a second buyer finds nothing
    assert shopify_available(shopify, SKU_CODE) == 0
    wait_for(lambda: Order.objects.count() == 1, timeout=5, what="the order stored")
    assert_nothing_oversold(sku, location)
    assert [u["quantity"] for u in amazon.listing(SKU_CODE).updates] == [1, 0]
    procs.check_alive()


def test_last_unit_bought_on_amazon_shows_zero_on_shopify_within_the_poll_bound(system):
    shopify, amazon, sku, location, procs = system
    sold = time.monotonic()
    amazon.place_order(SKU_CODE, 1)

    wait_for(
        lambda: shopify_available(shopify, SKU_CODE) == 0,
        timeout=AMAZON_POLL_SECONDS + WEBHOOK_BOUND + 20,
        what="Shopify at 0",
    )
    latency = time.monotonic() - sold

    print(f"\nAmazon sale -> Shopify 0: {latency:.2f} s (poll every {AMAZON_POLL_SECONDS} s)")
    assert latency <= AMAZON_POLL_SECONDS + WEBHOOK_BOUND
    with pytest.raises(ShopifyOutOfStock):
        shopify.place_order(lines=[{"sku": SKU_CODE, "quantity": 1}])
    assert amazon.quantity(SKU_CODE) == 0
    assert_nothing_oversold(sku, location)
    procs.check_alive()
