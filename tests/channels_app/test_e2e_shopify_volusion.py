"""End to end with real processes, Shopify and Volusion: a Shopify sale reaches Volusion at its
next push; a Volusion sale (polled: Volusion has no webhooks) reaches Shopify after the next
order poll; both stores selling the last unit at once oversell nothing here (one order is
flagged, stock never negative).

Same set-up as ``test_e2e_shopify_amazon``: gunicorn (Shopify's webhooks), two Celery workers
and beat (it schedules the Volusion order poll every ``VOLUSION_POLL_SECONDS``) on the test
PostgreSQL and Redis; the fakes run in this process. Every wait is bounded.
"""

from __future__ import annotations

import threading
import time

import pytest

from channels_app.services.accounts import account_create
from config.sandbox.shopify.orders import OutOfStock as ShopifyOutOfStock
from config.sandbox.volusion import FakeVolusion
from config.sandbox.volusion import OutOfStock as VolusionOutOfStock
from inventory_app.models import Order, StockLevel
from inventory_app.services.stock import stock_receive
from tests.channels_app.e2e import (
    accounts_go_live,
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

PUSH_BOUND = 10.0  # seconds from a Shopify checkout to the new figure on Volusion
VOLUSION_POLL_SECONDS = 5
SKU_CODE = "LINEN-1"


@pytest.fixture
def system(redis_url, settings):
    """Fakes, accounts linked to LINEN-1 (one unit in stock), then web, two workers and beat."""
    settings.CHANNELS_ALLOW_PRIVATE_HOSTS = True
    web_port = free_port()
    shopify = shopify_fake_start(sku_code=SKU_CODE)
    volusion = FakeVolusion().start()
    volusion.state.product_add(SKU_CODE, 0)
    procs = processes_new(redis_url=redis_url)
    with tasks_to_workers(redis_url=redis_url):
        try:
            procs.start_web_and_workers(web_port=web_port)
            location, sku = LocationFactory(code="MAIN"), SKUFactory(code=SKU_CODE)
            stock_receive(sku=sku, location=location, quantity=1)
            shop_account = shopify_account_new(shopify)
            volusion_account = account_create(
                kind="volusion",
                name="Volusion",
                base_url=volusion.url,
                credentials={
                    "login": volusion.state.login,
                    "encrypted_password": volusion.state.encrypted_password,
                },
                options={"time_zone": "America/Chicago"},
                dry_run=True,
                poll_interval_seconds=VOLUSION_POLL_SECONDS,
            )
            accounts_go_live(shop_account, volusion_account)
            webhooks_register(shop_account, web_port=web_port)
            procs.start_beat()
            procs.wait_ready(web_port=web_port)
            procs.wait_first_push(
                lambda: (
                    shopify_available(shopify, SKU_CODE) == 1 and volusion.state.quantities()[SKU_CODE] == 1
                )
            )
            yield shopify, volusion, sku, location, procs
            procs.check_alive()
        finally:
            procs.stop()
            shopify.stop()
            volusion.stop()


def test_a_shopify_sale_reaches_volusion_at_its_next_push(system):
    shopify, volusion, sku, location, procs = system
    sold = time.monotonic()
    shopify.place_order(lines=[{"sku": SKU_CODE, "quantity": 1}])

    wait_for(
        lambda: volusion.state.quantities()[SKU_CODE] == 0, timeout=PUSH_BOUND + 10, what="Volusion at 0"
    )
    latency = time.monotonic() - sold

    print(f"\nShopify sale -> Volusion 0: {latency:.2f} s")
    assert latency <= PUSH_BOUND
    with pytest.raises(VolusionOutOfStock):
        volusion.state.buy(SKU_CODE)  # a second buyer finds nothing
    wait_for(lambda: Order.objects.count() == 1, timeout=5, what="the order stored")
    level = StockLevel.objects.get(sku=sku, location=location)
    assert (level.on_hand, level.committed) == (1, 1)
    procs.check_alive()


def test_a_volusion_sale_reaches_shopify_after_the_next_poll(system):
    shopify, volusion, sku, location, procs = system
    sold = time.monotonic()
    volusion.state.buy(SKU_CODE)

    wait_for(
        lambda: shopify_available(shopify, SKU_CODE) == 0,
        timeout=VOLUSION_POLL_SECONDS + PUSH_BOUND + 20,
        what="Shopify at 0",
    )
    latency = time.monotonic() - sold

    print(f"\nVolusion sale -> Shopify 0: {latency:.2f} s (poll every {VOLUSION_POLL_SECONDS} s)")
    assert latency <= VOLUSION_POLL_SECONDS + PUSH_BOUND
    with pytest.raises(ShopifyOutOfStock):
        shopify.place_order(lines=[{"sku": SKU_CODE, "quantity": 1}])
    level = StockLevel.objects.get(sku=sku, location=location)
    assert (level.on_hand, level.committed) == (1, 1)
    assert Order.objects.count() == 1
    procs.check_alive()


def test_both_stores_selling_the_last_unit_at_once_oversell_nothing_here(system):
    shopify, volusion, sku, location, procs = system
    start = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def buy(store: str) -> None:
        start.wait()
        try:
            if store == "shopify":
                shopify.place_order(lines=[{"sku": SKU_CODE, "quantity": 1}])
            else:
                volusion.state.buy(SKU_CODE)
            outcomes[store] = "sold"
        except (ShopifyOutOfStock, VolusionOutOfStock):
            outcomes[store] = "refused"

    threads = [threading.Thread(target=buy, args=(s,)) for s in ("shopify", "volusion")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)

    sold = [s for s, o in outcomes.items() if o == "sold"]
    wait_for(
        lambda: Order.objects.count() == len(sold),
        timeout=VOLUSION_POLL_SECONDS + 30,
        what="every sale stored",
    )
    wait_for(
        lambda: shopify_available(shopify, SKU_CODE) == 0 and volusion.state.quantities()[SKU_CODE] == 0,
        timeout=PUSH_BOUND + 20,
        what="both stores at 0",
    )
    level = StockLevel.objects.get(sku=sku, location=location)
    assert level.on_hand == 1  # never negative, never below what we hold
    flagged = list(Order.objects.filter(needs_attention=True).values_list("attention_reason", flat=True))
    assert len(flagged) == len(sold) - 1  # both sold (each store showed 1): the second is flagged
    assert all(f"Oversold: {SKU_CODE} short 1" in reason for reason in flagged)
    procs.check_alive()
