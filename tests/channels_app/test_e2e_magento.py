"""End to end with real processes: Magento (polled, MSI reservations) beside Shopify (webhooks).

Processes as in ``test_e2e_shopify_amazon`` (gunicorn, two celery workers, beat on the test
PostgreSQL and Redis); the fakes run in this process. Magento Open Source sends no order webhooks:
beat polls the Magento account every ``MAGENTO_POLL_SECONDS``.

* A Magento buyer takes the last salable unit: Shopify shows 0 within the poll bound; Magento's
  salable quantity is 0 while its source still holds the unit reserved for the open order.
* With Magento holding reservations for its open orders, each Shopify sale lowers Magento's
  salable quantity by exactly the units sold. Nothing is oversold.
"""

from __future__ import annotations

import statistics
import time

import pytest
import requests

from channels_app.models import Listing
from channels_app.services.accounts import account_create
from config.sandbox.magento import FakeMagento
from config.sandbox.shopify.orders import OutOfStock as ShopifyOutOfStock
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

WEBHOOK_BOUND = 5.0  # seconds from a sale to the new figure on the other store
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

MAGENTO_POLL_SECONDS = 5  # as the Amazon account of test_e2e_shopify_amazon
SKU_CODE = "LINEN-1"


def _magento_buy(magento: FakeMagento, quantity: int) -> requests.Response:
    return requests.post(f"{magento.url}/_fake/buy", json={"sku": SKU_CODE, "quantity": quantity}, timeout=5)


def _magento_salable(magento: FakeMagento) -> int:
    return requests.get(f"{magento.url}/_fake/quantities", timeout=5).json()[SKU_CODE]


def _polls(magento: FakeMagento) -> int:
    """Order polls the store received (pushes read open orders by state, polls by updated_at)."""
    field = "searchCriteria[filter_groups][0][filters][0][field]"
    return sum(1 for r in magento.calls("GET", "orders") if (field, "updated_at") in r["query"])


def _last_written(magento: FakeMagento) -> float:
    return magento.calls("POST", "inventory/source-items")[-1]["body"]["sourceItems"][0]["quantity"]


@pytest.fixture
def system(redis_url, settings, request):
    """Fakes, accounts linked to LINEN-1 (``request.param`` units in stock), web, workers, beat."""
    units = getattr(request, "param", 1)
    settings.CHANNELS_ALLOW_PRIVATE_HOSTS = True
    web_port = free_port()
    shopify = shopify_fake_start(sku_code=SKU_CODE)
    magento = FakeMagento(mode="multi").start()
    magento.store.source_add("east", "East Warehouse")  # a second source, not in the sales stock
    magento.store.product_add(SKU_CODE, name="Linen")
    procs = processes_new(redis_url=redis_url, prefix="e2e-magento-logs-")
    with tasks_to_workers(redis_url=redis_url):
        try:
            procs.start_web_and_workers(web_port=web_port)
            location, sku = LocationFactory(code="MAIN"), SKUFactory(code=SKU_CODE)
            stock_receive(sku=sku, location=location, quantity=units)
            shop_account = shopify_account_new(shopify)
            magento_account = account_create(
                kind="magento",
                name="Magento",
                base_url=magento.url,
                credentials=magento.integration.credentials(),
                options={"location_map": {"MAIN": "default"}},
                dry_run=True,
                poll_interval_seconds=MAGENTO_POLL_SECONDS,
            )
            accounts_go_live(shop_account, magento_account)
            webhooks_register(shop_account, web_port=web_port)
            polls = _polls(magento)
            procs.start_beat()
            procs.wait_ready(web_port=web_port)
            # Beat's first scheduled poll: a sale made before it would time beat's start-up.
            wait_for(lambda: _polls(magento) > polls, timeout=30, what="beat's first Magento poll")
            procs.wait_first_push(
                lambda: shopify_available(shopify, SKU_CODE) == units and _magento_salable(magento) == units,
                what=f"the first push of {units} units to both stores",
            )
            yield shopify, magento, sku, location, procs
            procs.check_alive()
        finally:
            procs.stop()
            shopify.stop()
            magento.stop()


def test_last_salable_unit_bought_on_magento_shows_zero_on_shopify(system):
    shopify, magento, sku, location, procs = system
    sold = time.monotonic()
    assert _magento_buy(magento, 1).status_code == 201

    wait_for(
        lambda: shopify_available(shopify, SKU_CODE) == 0,
        timeout=MAGENTO_POLL_SECONDS + WEBHOOK_BOUND + 20,
        what="Shopify at 0",
    )
    latency = time.monotonic() - sold
    print(f"\nMagento sale -> Shopify 0: {latency:.2f} s (poll every {MAGENTO_POLL_SECONDS} s)")
    assert latency <= MAGENTO_POLL_SECONDS + WEBHOOK_BOUND
    with pytest.raises(ShopifyOutOfStock):
        shopify.place_order(lines=[{"sku": SKU_CODE, "quantity": 1}])
    assert _magento_buy(magento, 1).status_code == 409
    # Our push of 0 keeps the reserved unit on the source: Magento can still ship its order.
    wait_for(
        lambda: magento.store.source_quantity(SKU_CODE, "default") == 1 and _last_written(magento) == 1,
        timeout=10,
        what="Magento's source written with its reservation",
    )
    assert (magento.store.source_quantity(SKU_CODE, "default"), magento.store.reserved(SKU_CODE)) == (1, 1)
    assert _magento_salable(magento) == 0
    level = StockLevel.objects.get(sku=sku, location=location)
    assert (level.on_hand, level.committed, Order.objects.count()) == (1, 1, 1)
    procs.check_alive()


@pytest.mark.parametrize("system", [10], indirect=True)
def test_shopify_sales_lower_magentos_salable_by_the_units_sold_while_it_holds_reservations(system):
    shopify, magento, sku, location, procs = system
    assert _magento_buy(magento, 2).status_code == 201  # an open Magento order: 2 units reserved
    wait_for(
        lambda: shopify_available(shopify, SKU_CODE) == 8,
        timeout=MAGENTO_POLL_SECONDS + WEBHOOK_BOUND + 20,
        what="Shopify at 8",
    )
    wait_for(lambda: Order.objects.count() == 1, timeout=10, what="the Magento order stored")
    assert _magento_salable(magento) == 8
    latencies = []
    for expected in (7, 5, 4):
        units = _magento_salable(magento) - expected
        sold = time.monotonic()
        shopify.place_order(lines=[{"sku": SKU_CODE, "quantity": units}])
        try:
            wait_for(
                lambda e=expected: _magento_salable(magento) == e,
                timeout=WEBHOOK_BOUND + 10,
                what=f"Magento at {expected}",
            )
        except AssertionError as exc:
            pushes = [r["body"] for r in magento.calls("POST", "inventory/source-items")]
            raise AssertionError(
                f"{exc}: {pushes} {list(Listing.objects.values())}\n"
                f"{procs.log('w1')[-3000:]}\n{procs.log('w2')[-3000:]}"
            ) from None
        latencies.append(time.monotonic() - sold)
        assert magento.store.reserved(SKU_CODE) == 2  # Magento still holds its open order's units
        assert magento.store.source_quantity(SKU_CODE, "default") == expected + 2
    shown = ", ".join(f"{x:.2f}" for x in latencies)
    print(f"\nShopify sale -> Magento salable: {shown} s; p50 {statistics.median(latencies):.2f} s")
    assert max(latencies) <= WEBHOOK_BOUND
    level = StockLevel.objects.get(sku=sku, location=location)
    wait_for(lambda: Order.objects.count() == 4, timeout=10, what="every order stored")
    level.refresh_from_db()
    assert (level.on_hand, level.committed) == (10, 6)  # 2 on Magento, 4 on Shopify
    assert shopify_available(shopify, SKU_CODE) == 4
    procs.check_alive()


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


@pytest.mark.parametrize("system", [40], indirect=True)
def test_sale_latencies_both_ways_at_the_poll_interval(system):
    """Alternate sales: Magento (reaches Shopify with the next poll) and Shopify (reaches Magento's
    salable quantity by webhook and push). Prints p50/p99; every sample within its bound."""
    shopify, magento, sku, location, procs = system
    from_magento, to_magento = [], []
    left = 40
    for _ in range(8):
        sold = time.monotonic()
        assert _magento_buy(magento, 1).status_code == 201
        left -= 1
        wait_for(
            lambda n=left: shopify_available(shopify, SKU_CODE) == n,
            timeout=MAGENTO_POLL_SECONDS + 20,
            what=f"Shopify {left}",
        )
        from_magento.append(time.monotonic() - sold)
        sold = time.monotonic()
        shopify.place_order(lines=[{"sku": SKU_CODE, "quantity": 1}])
        left -= 1
        wait_for(
            lambda n=left: _magento_salable(magento) == n, timeout=WEBHOOK_BOUND + 10, what=f"Magento {left}"
        )
        to_magento.append(time.monotonic() - sold)
    for name, values in (("Magento sale -> Shopify", from_magento), ("Shopify sale -> Magento", to_magento)):
        print(
            f"\n{name}: p50 {_p(values, 0.5):.2f} s, p99 {_p(values, 0.99):.2f} s"
            f" (poll {MAGENTO_POLL_SECONDS} s, {len(values)} sales)"
        )
    assert max(from_magento) <= MAGENTO_POLL_SECONDS + WEBHOOK_BOUND
    assert max(to_magento) <= WEBHOOK_BOUND
    assert magento.store.reserved(SKU_CODE) == 8  # Magento's orders are still open: it holds them
    level = StockLevel.objects.get(sku=sku, location=location)
    assert (level.on_hand, level.committed) == (40, 16)
    procs.check_alive()
