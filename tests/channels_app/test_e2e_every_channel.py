"""End to end with real processes and every channel at once: the last unit of the demo SKU TBL-1
sold on one channel shows 0 on every other channel within that channel's bound; the order is
taken in exactly once and nothing is oversold.

Processes as in ``test_e2e_shopify_amazon`` (gunicorn, two Celery workers and beat on the test
PostgreSQL and Redis). The fakes of every channel (Shopify, Amazon and every optional demo store
of ``channels_app.demo.stores``) run in this process, seeded with the demo catalog at 0, and
``demo_setup`` links them all (OAuth connects of eBay and Etsy, webhooks to our gunicorn); then
the polled accounts get short polls and Rakuten a short file window (:data:`POLL_SECONDS`,
:data:`RAKUTEN_OPTIONS`). Each test gets a fresh system.

Bounds, from the buyer's checkout to 0 on another channel = the sale channel's intake bound
(:data:`INTAKE_BOUNDS`: a webhook within seconds, a polled channel within its poll interval, a
Rakuten sale within its sales cycle, each plus a margin) + the showing channel's push bound
(:data:`PUSH_BOUNDS`: seconds for a channel written at once, the file window plus the file's
processing for Rakuten) + :data:`MARGIN` for a loaded machine. Run with ``-s`` to see the measured
latencies.
"""

from __future__ import annotations

import time

import pytest
from django.db.models import Sum

from channels_app.demo.fakes import amazon_start, shopify_start
from channels_app.demo.stores import demo_stores_all
from channels_app.intake.polling import account_orders_sync
from channels_app.models import ChannelAccount, Listing
from channels_app.services.actions import account_update
from channels_app.services.demo import DemoError, demo_buy, demo_setup, demo_store_quantities
from inventory_app.models import Order, StockLevel
from tests.channels_app.e2e import (
    free_port,
    processes_new,
    tasks_to_workers,
    wait_for,
)

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

SKU = "TBL-1"  # the demo catalog's last unit: 1 in the SHOP location
MARGIN = 8.0  # seconds of slack for a loaded machine (2 shared cores)
POLL_SECONDS = 5  # the order poll of every account that has no order webhooks here
SALES_SECONDS = 1.0  # beat's Rakuten sales cycle (RAKUTEN_SALES_SECONDS)
FILE_WINDOW = 3.0  # seconds between two Rakuten stock files
RAKUTEN_PROCESSING = 4.0  # the Rakuten demo fake marks a stock file processed after 4 s
RAKUTEN_OPTIONS = {"file_window_seconds": FILE_WINDOW, "report_check_seconds": 0.5, "requests_per_second": 8}
WEBHOOK_STORES = ("shopify", "woocommerce", "bigcommerce")  # their orders come by webhook here
# Seconds from a checkout on the channel to the order in our database.
INTAKE_BOUNDS = {
    "woocommerce": 5.0,  # a signed webhook to gunicorn
    "rakuten": SALES_SECONDS + POLL_SECONDS,  # the sales cycle (the poll as safety net)
    "ebay": POLL_SECONDS,  # the order poll (the demo subscribes no notifications)
}
# Seconds from the order in our database to 0 on the channel.
PUSH_BOUNDS = {
    "rakuten": FILE_WINDOW + RAKUTEN_PROCESSING,
    "volusion": 10.0,  # its import call, as in test_e2e_shopify_volusion
}
PUSH_BOUND = 5.0  # every other channel: written at once


def _stores() -> list[str]:
    return ["shopify", "amazon", *demo_stores_all()]


def _bound(*, sold_on: str, store: str) -> float:
    return INTAKE_BOUNDS[sold_on] + PUSH_BOUNDS.get(store, PUSH_BOUND) + MARGIN


def _quantities() -> dict[str, int | None]:
    return {store: demo_store_quantities(store=store).get(SKU) for store in _stores()}


@pytest.fixture
def system(redis_url, settings):
    """Every fake, gunicorn, two workers; every account linked by demo_setup; then beat; returns
    once every channel shows the 1 unit of TBL-1."""
    settings.DEMO = True
    settings.CHANNELS_ALLOW_PRIVATE_HOSTS = True
    web_port = free_port()
    fakes = [shopify_start(host="127.0.0.1", port=0, validate=False)]
    fakes.append(amazon_start(host="127.0.0.1", port=0, pending_seconds=60))
    urls = {}
    for name, store in demo_stores_all().items():
        fake, urls[name] = store.start(host="127.0.0.1", port=0)
        fakes.append(fake)
    procs = processes_new(redis_url=redis_url)
    procs.env.update({"DEMO": "1", "RAKUTEN_SALES_SECONDS": str(SALES_SECONDS)})
    to_workers = tasks_to_workers(redis_url=redis_url)
    to_workers.__enter__()
    try:
        procs.start_web_and_workers(web_port=web_port)
        procs.wait_ready(web_port=web_port)
        demo_setup(
            shopify_url=fakes[0].url, amazon_url=fakes[1].base_url, web_url=f"http://127.0.0.1:{web_port}",
            stores=urls, wait=30,
        )  # fmt: skip
        for account in ChannelAccount.objects.exclude(kind__in=WEBHOOK_STORES):
            data: dict = {"poll_interval_seconds": POLL_SECONDS}
            if account.kind == "rakuten":
                data["options"] = {**account.options, **RAKUTEN_OPTIONS}
            account_update(account=account, data=data)
        procs.start_beat()
        beat_runs = "Sending due task rakuten-sales-answer"
        wait_for(lambda: beat_runs in procs.log("beat"), timeout=60, what="beat running", interval=0.2)
        try:
            wait_for(lambda: set(_quantities().values()) == {1}, timeout=120, what="every channel at 1")
        except AssertionError as exc:
            fields = ("account__kind", "last_pushed_qty", "needs_push", "last_error")
            rows = list(Listing.objects.filter(sku__code=SKU).values(*fields))
            raise AssertionError(f"{exc}: {_quantities()} {rows}\n{procs.log('w1')[-4000:]}") from None
        yield procs
        procs.check_alive()
    finally:
        to_workers.__exit__(None, None, None)
        procs.stop()
        for fake in fakes:
            fake.stop()


@pytest.mark.parametrize("sold_on", ["woocommerce", "rakuten", "ebay"])
def test_the_last_unit_sold_on_one_channel_shows_zero_on_every_other_channel(system, sold_on):
    procs = system
    others = [store for store in _stores() if store != sold_on]
    sold = time.monotonic()
    order_id = demo_buy(store=sold_on, sku=SKU, quantity=1)

    latencies: dict[str, float] = {}

    def all_zero() -> bool:
        for store in others:
            if store not in latencies and demo_store_quantities(store=store).get(SKU) == 0:
                latencies[store] = time.monotonic() - sold
        return len(latencies) == len(others)

    longest = max(_bound(sold_on=sold_on, store=store) for store in others)
    try:
        wait_for(all_zero, timeout=longest + 30, what=f"every channel at 0 after a {sold_on} sale")
    finally:
        print(f"\n{sold_on} sale -> 0 on:")
        for store in others:
            shown = f"{latencies[store]:6.2f} s" if store in latencies else "  not 0"
            print(f"  {store:12} {shown}  (bound {_bound(sold_on=sold_on, store=store):.1f} s)")
    late = {s: round(t, 2) for s, t in latencies.items() if t > _bound(sold_on=sold_on, store=s)}
    assert late == {}

    assert _quantities() == {store: 0 for store in _stores()}
    for store in others:  # a second buyer finds nothing anywhere
        with pytest.raises(DemoError):
            demo_buy(store=store, sku=SKU, quantity=1)
    account = ChannelAccount.objects.get(kind=sold_on)
    wait_for(lambda: Order.objects.count() == 1, timeout=10, what="the order stored")
    # One more poll of the sale channel (as beat's, here; retried while a worker's poll runs)
    # reads the order again: still one order.
    wait_for(lambda: not account_orders_sync(account_id=account.pk)["busy"], timeout=30, what="a poll")
    assert Order.objects.count() == 1
    assert Order.objects.filter(channel=account.sales_channel, external_ref=order_id).count() == 1
    levels = StockLevel.objects.filter(sku__code=SKU)
    totals = levels.aggregate(on_hand=Sum("on_hand"), committed=Sum("committed"))
    assert totals == {"on_hand": 1, "committed": 1}
    assert levels.get(location__code="SHOP").on_hand == 1
    assert not StockLevel.objects.filter(on_hand__lt=0).exists()
    assert not StockLevel.objects.filter(committed__gt=0).exclude(sku__code=SKU).exists()
    procs.check_alive()
