"""End to end with real processes: the last unit sold on the fake Etsy shows 0 on the fake
Shopify, and the reverse; nothing is oversold.

Processes (all on 127.0.0.1): gunicorn serving our web app (Shopify's signed order webhooks),
two ``celery worker`` processes and ``celery beat`` (it schedules the Etsy receipt poll: Etsy's
order webhooks are for commercial apps only, so the poll stands alone), on the test PostgreSQL
and a Redis broker. The Etsy account is connected through its OAuth flow with PKCE against the
fake. The fakes run in this process. Every wait is bounded and every process is stopped.
"""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from channels_app.models import ChannelAccount
from channels_app.services.accounts import account_create
from channels_app.services.connect import account_connect_finish, account_connect_url
from config.sandbox.etsy import FakeEtsy
from config.sandbox.etsy import OutOfStock as EtsyOutOfStock
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

WEBHOOK_BOUND = 5.0  # seconds from a Shopify checkout to the new figure on Etsy
ETSY_POLL_SECONDS = 5  # the Etsy account's receipt poll in these tests
SKU_CODE = "LINEN-1"
CALLBACK = "https://stock.example.com/admin/channels_app/channelaccount/connect/callback/"


@pytest.fixture
def system(redis_url, settings):
    """Fakes, accounts linked to LINEN-1 (one unit in stock), then web, two workers and beat."""
    settings.CHANNELS_ALLOW_PRIVATE_HOSTS = True
    web_port = free_port()
    shopify = shopify_fake_start(sku_code=SKU_CODE)
    etsy = FakeEtsy(redirect_uris=(CALLBACK,)).start()
    etsy.state.listing_add(
        title="Linen",
        inventory={
            "products": [
                {
                    "sku": SKU_CODE,
                    "property_values": [],
                    "offerings": [
                        {"price": 30.0, "quantity": 1, "is_enabled": True, "readiness_state_id": None}
                    ],
                }
            ],
            "price_on_property": [],
            "quantity_on_property": [],
            "sku_on_property": [],
        },
    )
    procs = processes_new(redis_url=redis_url, prefix="e2e-etsy-logs-")
    with tasks_to_workers(redis_url=redis_url):
        try:
            procs.start_web(web_port=web_port)
            location, sku = LocationFactory(code="MAIN"), SKUFactory(code=SKU_CODE)
            stock_receive(sku=sku, location=location, quantity=1)
            shop_account = shopify_account_new(shopify)
            etsy_account = account_create(
                kind="etsy",
                name="Etsy",
                base_url=etsy.url,
                credentials={"keystring": etsy.keystring, "shared_secret": etsy.shared_secret},
                options={
                    "shop_id": str(etsy.shop_id),
                    "redirect_uri": CALLBACK,
                    "connect_url": f"{etsy.url}/oauth/connect",
                },
                dry_run=True,
                poll_interval_seconds=ETSY_POLL_SECONDS,
            )
            consent = account_connect_url(account=etsy_account, redirect_uri=CALLBACK, state="e2e-state")
            back = requests.get(consent, allow_redirects=False, timeout=5)
            params = {k: v[0] for k, v in parse_qs(urlsplit(back.headers["Location"]).query).items()}
            account_connect_finish(account=etsy_account, params=params, state="e2e-state")
            accounts_go_live(shop_account, ChannelAccount.objects.get(pk=etsy_account.pk))
            webhooks_register(shop_account, web_port=web_port)
            # The workers start once the accounts are live: a push run that began while an account
            # was still in dry run could settle its listings as "shown" (seen once on a loaded machine).
            procs.start_workers()
            procs.start_beat()

            procs.wait_ready(web_port=web_port)
            procs.wait_first_push(
                lambda: shopify_available(shopify, SKU_CODE) == 1 and etsy.quantities() == {SKU_CODE: 1}
            )
            yield shopify, etsy, sku, location, procs
            procs.check_alive()
        finally:
            procs.stop()
            shopify.stop()
            etsy.stop()


def test_last_unit_bought_on_etsy_shows_zero_on_shopify_within_the_poll_bound(system):
    shopify, etsy, sku, location, procs = system
    sold = time.monotonic()
    etsy.buy(SKU_CODE, 1)

    wait_for(
        lambda: shopify_available(shopify, SKU_CODE) == 0,
        timeout=ETSY_POLL_SECONDS + WEBHOOK_BOUND + 20,
        what="Shopify at 0",
    )
    latency = time.monotonic() - sold

    print(f"\nEtsy sale -> Shopify 0: {latency:.2f} s (poll every {ETSY_POLL_SECONDS} s)")
    assert latency <= ETSY_POLL_SECONDS + WEBHOOK_BOUND
    with pytest.raises(ShopifyOutOfStock):
        shopify.place_order(lines=[{"sku": SKU_CODE, "quantity": 1}])
    assert etsy.quantities() == {SKU_CODE: 0}
    wait_for(lambda: Order.objects.count() == 1, timeout=5, what="the order stored")
    assert_nothing_oversold(sku, location)
    procs.check_alive()


def test_last_unit_bought_on_shopify_shows_zero_on_etsy_within_the_webhook_bound(system):
    shopify, etsy, sku, location, procs = system
    sold = time.monotonic()
    shopify.place_order(lines=[{"sku": SKU_CODE, "quantity": 1}])

    wait_for(lambda: etsy.quantities() == {SKU_CODE: 0}, timeout=WEBHOOK_BOUND + 10, what="Etsy at 0")
    latency = time.monotonic() - sold

    print(f"\nShopify sale -> Etsy 0: {latency:.2f} s")
    assert latency <= WEBHOOK_BOUND
    with pytest.raises(EtsyOutOfStock):
        etsy.buy(SKU_CODE, 1)  # a second buyer finds nothing
    assert etsy.state.listings[next(iter(etsy.state.listings))]["state"] == "inactive"
    assert shopify_available(shopify, SKU_CODE) == 0
    wait_for(lambda: Order.objects.count() == 1, timeout=5, what="the order stored")
    assert_nothing_oversold(sku, location)
    procs.check_alive()
