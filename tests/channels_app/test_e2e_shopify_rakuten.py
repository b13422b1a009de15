"""End to end with real processes: Rakuten France and Shopify on one unit of stock.

Processes as in ``test_e2e_shopify_amazon`` (gunicorn for Shopify's webhooks, two Celery workers,
beat on the test PostgreSQL and Redis); the fakes run in this process, the Rakuten one on a clock
that follows real time, with its stock files processed two seconds after upload. Beat runs the
Rakuten sales cycle every second (``RAKUTEN_SALES_SECONDS``) and the Rakuten account's order poll
every ``RAKUTEN_POLL_SECONDS``; the account's file window is ``FILE_WINDOW`` seconds.

* a Rakuten sale is taken in, accepted and reaches Shopify;
* a Shopify sale reaches Rakuten in the next file window (a zero: the first free slot);
* both sell the last unit at once: one of the two is refused (Rakuten) or flagged (Shopify),
  and the stock never goes negative.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import pytest

from channels_app.models import Listing, RakutenImportFile, RakutenSaleAnswer
from channels_app.services.accounts import account_create
from config.sandbox.amazon.clock import FakeClock
from config.sandbox.rakuten import FakeRakuten, RakutenState
from config.sandbox.shopify.orders import OutOfStock as ShopifyOutOfStock
from inventory_app.models import Order, StockLevel
from inventory_app.services.stock import stock_receive
from tests.channels_app.e2e import (
    accounts_go_live,
    free_port,
    processes_new,
    shopify_account_new,
    shopify_fake_start,
    tasks_to_workers,
    wait_for,
    webhooks_register,
)
from tests.factories import LocationFactory, SKUFactory

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

SKU_CODE = "LINEN-1"
WEBHOOK_BOUND = 5.0  # the webhook latency bound of test_e2e_shopify_amazon
FILE_WINDOW = 3.0  # seconds between two stock files of the Rakuten account
PROCESSING = 2.0  # seconds the fake takes to process a stock file
RAKUTEN_POLL_SECONDS = 5
SALES_SECONDS = 1.0
STAGES = (("Reçu", 0.0), ("En attente", 0.5), ("Import en cours", 1.0), ("Traité", PROCESSING))


@pytest.fixture
def system(redis_url, settings):
    settings.CHANNELS_ALLOW_PRIVATE_HOSTS = True
    web_port = free_port()
    shopify = shopify_fake_start(sku_code=SKU_CODE)
    rakuten = FakeRakuten(
        state=RakutenState(clock=FakeClock(datetime.now(UTC), frozen=False), file_stages=STAGES)
    ).start()
    rakuten.state.seed_advert(SKU_CODE, 0)
    procs = processes_new(
        redis_url=redis_url, prefix="e2e-rakuten-logs-", RAKUTEN_SALES_SECONDS=str(SALES_SECONDS)
    )
    with tasks_to_workers(redis_url=redis_url):
        try:
            procs.start_web_and_workers(web_port=web_port)
            location, sku = LocationFactory(code="MAIN"), SKUFactory(code=SKU_CODE)
            stock_receive(sku=sku, location=location, quantity=1)
            shop_account = shopify_account_new(shopify)
            rakuten_account = account_create(
                kind="rakuten",
                name="Rakuten",
                base_url=rakuten.base_url,
                credentials={"login": rakuten.state.login, "token": rakuten.state.token},
                # The sales cycle runs every second here: a request budget to match.
                options={
                    "file_window_seconds": FILE_WINDOW,
                    "report_check_seconds": 0.5,
                    "requests_per_second": 8,
                },
                dry_run=True,
                poll_interval_seconds=RAKUTEN_POLL_SECONDS,
            )
            accounts_go_live(shop_account, rakuten_account)
            webhooks_register(shop_account, web_port=web_port)
            procs.start_beat()
            procs.wait_ready(web_port=web_port)
            procs.wait_first_push(
                lambda: shopify.state.available(SKU_CODE) == 1 and rakuten.state.quantities()[SKU_CODE] == 1,
                timeout=60,
            )
            yield shopify, rakuten, sku, location, procs
            procs.check_alive()
        finally:
            procs.stop()
            shopify.stop()
            rakuten.stop()


def _level(sku, location) -> tuple[int, int]:
    level = StockLevel.objects.get(sku=sku, location=location)
    return level.on_hand, level.committed


def test_a_rakuten_sale_is_taken_in_accepted_and_reaches_shopify(system):
    shopify, rakuten, sku, location, procs = system
    sold = time.monotonic()
    sale = rakuten.state.buy(SKU_CODE, 1)

    wait_for(lambda: sale.items[0].status == "ACCEPTED", timeout=30, what="the sale accepted")
    wait_for(lambda: shopify.state.available(SKU_CODE) == 0, timeout=30, what="Shopify at 0")
    latency = time.monotonic() - sold

    print(f"\nRakuten sale -> accepted and Shopify 0: {latency:.2f} s (sales cycle every {SALES_SECONDS} s)")
    assert latency <= SALES_SECONDS + RAKUTEN_POLL_SECONDS + WEBHOOK_BOUND
    assert sale.items[0].answers == 1
    assert RakutenSaleAnswer.objects.get().decision == "accept"
    with pytest.raises(ShopifyOutOfStock):
        shopify.place_order(lines=[{"sku": SKU_CODE, "quantity": 1}])
    assert _level(sku, location) == (1, 1)
    assert Order.objects.count() == 1
    procs.check_alive()


def test_a_shopify_sale_reaches_rakuten_in_the_next_file_window(system):
    shopify, rakuten, sku, location, procs = system
    files_before = len(rakuten.state.files)
    sold = time.monotonic()
    shopify.place_order(lines=[{"sku": SKU_CODE, "quantity": 1}])

    wait_for(lambda: rakuten.state.quantities()[SKU_CODE] == 0, timeout=30, what="Rakuten at 0")
    latency = time.monotonic() - sold

    print(f"\nShopify sale -> Rakuten 0: {latency:.2f} s (window {FILE_WINDOW} s, processing {PROCESSING} s)")
    assert latency <= WEBHOOK_BOUND + FILE_WINDOW + PROCESSING
    newest = max(rakuten.state.files.values(), key=lambda f: f.uploaded_at)
    assert newest.lines == [(SKU_CODE, 0)]
    assert len(rakuten.state.files) == files_before + 1
    assert rakuten.state.buy(SKU_CODE, 1) is None  # a Rakuten buyer finds nothing
    wait_for(
        lambda: Listing.objects.filter(
            account__kind="rakuten", last_pushed_qty=0, push_submission=""
        ).exists(),
        timeout=15,
        what="the Rakuten listing marked pushed from the import report",
    )
    assert RakutenImportFile.objects.filter(status="done").count() >= 1
    assert _level(sku, location) == (1, 1)
    procs.check_alive()


def test_both_sell_the_last_unit_at_once_one_is_refused_or_flagged_never_negative(system):
    shopify, rakuten, sku, location, procs = system
    start = threading.Barrier(2)
    outcome: dict[str, object] = {}

    def rakuten_buyer():
        start.wait()
        outcome["rakuten"] = rakuten.state.buy(SKU_CODE, 1)

    def shopify_buyer():
        start.wait()
        outcome["shopify"] = shopify.place_order(lines=[{"sku": SKU_CODE, "quantity": 1}])

    buyers = [threading.Thread(target=rakuten_buyer), threading.Thread(target=shopify_buyer)]
    for buyer in buyers:
        buyer.start()
    for buyer in buyers:
        buyer.join(10)
    sale = outcome["rakuten"]
    assert sale is not None and outcome["shopify"] is not None  # each store showed 1 unit

    wait_for(lambda: Order.objects.count() == 2, timeout=30, what="both orders taken in")
    wait_for(lambda: sale.items[0].status != "REQUESTED", timeout=30, what="the Rakuten sale answered")

    rakuten_order = Order.objects.get(external_ref=sale.purchase_id)
    shopify_order = Order.objects.exclude(pk=rakuten_order.pk).get()
    refused = sale.items[0].status == "REFUSED"
    flagged = shopify_order.needs_attention and "Oversold" in shopify_order.attention_reason
    print(f"\nboth sold the last unit: Rakuten {sale.items[0].status}, Shopify flagged={flagged}")
    assert refused != flagged  # exactly one of the two lost the unit
    assert sale.items[0].answers == 1
    if refused:
        assert rakuten_order.status == "cancelled"
    assert _level(sku, location) == (1, 1)  # one unit, one reservation: never negative
    procs.check_alive()
