"""End to end with real processes: the last unit sold on the fake BigCommerce store shows 0 on
the fake Shopify shop, and the reverse; nothing is oversold.

The same processes as ``test_e2e_shopify_amazon`` (gunicorn, two celery workers, beat, on the
test PostgreSQL and Redis): both fakes deliver their signed order webhooks to our web server
(BigCommerce's thin callbacks: the web process re-fetches the order). Bounded waits, every
process stopped also when a test fails.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import pytest
import requests
from django.db import connection

from channels_app.intake.polling import account_orders_sync
from channels_app.models import Listing
from channels_app.notifications.webhook_subscriptions import account_webhooks_register
from channels_app.services.accounts import account_create
from channels_app.services.onboarding import account_go_live, account_listings_import
from config.celery import app as celery_app
from config.sandbox.bigcommerce import FakeBigCommerce
from config.sandbox.bigcommerce import OutOfStock as BigCommerceOutOfStock
from config.sandbox.shopify.fixtures import TODAY
from config.sandbox.shopify.orders import OutOfStock as ShopifyOutOfStock
from config.sandbox.shopify.server import FakeShopify
from inventory_app.models import Order, StockLevel
from inventory_app.services.stock import stock_receive
from tests.channels_app.e2e import (
    Processes,
    free_port,
    redis_url,  # noqa: F401 - a fixture
    wait_for,
)
from tests.factories import LocationFactory, SKUFactory

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

WEBHOOK_BOUND = 6.0  # seconds from a checkout on one store to the new figure on the other
START_TIMEOUT = 60.0
SKU_CODE = "LINEN-1"


@pytest.fixture
def system(redis_url, settings):  # noqa: F811 - the imported fixture
    """Fakes, accounts linked to LINEN-1 (one unit in stock), then web, two workers and beat."""
    settings.CHANNELS_ALLOW_PRIVATE_HOSTS = True
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    web_port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_BROKER_URL": redis_url,
        "REDIS_URL": redis_url,
        "CHANNELS_ALLOW_PRIVATE_HOSTS": "1",
        "CHANNELS_PUSH_BACKOFF_BASE": "0.2",
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "DEBUG": "1",
        "LOG_LEVEL": "INFO",
        "PYTHONUNBUFFERED": "1",
    }
    shopify = FakeShopify(today=TODAY, webhook_retry_schedule=(0.2, 0.5, 1.0), webhook_timeout=5.0)
    shopify.state.add_location("Shop")
    shopify.state.add_product("Linen", [{"sku": SKU_CODE}])
    shopify.start()
    bigc = FakeBigCommerce(retry_schedule=(0.2, 0.5, 1.0))
    bigc.state.add_product("Linen", sku=SKU_CODE, tracking="product", quantity=0)
    bigc.start()
    eager, broker = celery_app.conf.task_always_eager, celery_app.conf.broker_url
    celery_app.conf.task_always_eager, celery_app.conf.broker_url = False, redis_url
    logdir = Path(tempfile.mkdtemp(prefix="e2e-bigc-logs-"))
    procs = Processes(env, logdir)
    python = sys.executable
    try:
        procs.start(
            "web",
            [python, "-m", "gunicorn", "config.wsgi:application", f"--bind=127.0.0.1:{web_port}",
             "--workers=2", "--graceful-timeout=5"],
        )  # fmt: skip
        for name in ("w1", "w2"):
            procs.start(
                name,
                [python, "-m", "celery", "-A", "config", "worker", "-c", "2", "-n", f"{name}@%h",
                 "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "INFO"],
            )  # fmt: skip
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
        bc_account = account_create(
            kind="bigcommerce",
            name="BigCommerce",
            base_url=bigc.url,
            credentials=bigc.credentials(),
            dry_run=True,
            poll_interval_seconds=3600,
        )
        for account in (shop_account, bc_account):
            assert account_listings_import(account=account) == {"imported": 1, "linked": 1}
            account_orders_sync(account_id=account.pk)
            account_go_live(account=account)
            account_webhooks_register(account_id=account.pk, base_url=f"http://127.0.0.1:{web_port}")
        procs.start(
            "beat",
            [python, "-m", "celery", "-A", "config", "beat", "-l", "INFO",
             "--scheduler=django_celery_beat.schedulers:DatabaseScheduler",
             f"--pidfile={logdir / 'beat.pid'}"],
        )  # fmt: skip

        def ready():
            procs.check_alive()
            try:
                web = requests.get(f"http://127.0.0.1:{web_port}/healthz", timeout=1).status_code == 200
            except requests.RequestException:
                web = False
            return web and all(" ready." in procs.log(n) for n in ("w1", "w2"))

        wait_for(ready, timeout=START_TIMEOUT, what="web and workers", interval=0.2)
        try:
            wait_for(
                lambda: (
                    shopify.state.available(SKU_CODE, _shop_location(shopify)) == 1
                    and bigc.state.available(SKU_CODE) == 1
                ),
                timeout=30,
                what="the first push of 1 unit to both stores",
            )
        except AssertionError as exc:
            rows = list(Listing.objects.values())
            raise AssertionError(f"{exc}: {rows}\n{procs.log('w1')[-4000:]}") from None
        yield shopify, bigc, sku, location, procs
        procs.check_alive()
    finally:
        celery_app.conf.task_always_eager, celery_app.conf.broker_url = eager, broker
        procs.stop()
        shopify.stop()
        bigc.stop()


def _shop_location(shopify: FakeShopify) -> int:
    return next(iter(shopify.state.locations))


def _assert_nothing_oversold(sku, location) -> None:
    level = StockLevel.objects.get(sku=sku, location=location)
    assert (level.on_hand, level.committed) == (1, 1)
    assert Order.objects.count() == 1


def test_last_unit_sold_on_bigcommerce_shows_zero_on_shopify(system):
    shopify, bigc, sku, location, procs = system
    sold = time.monotonic()
    bigc.buy(SKU_CODE, 1)

    wait_for(
        lambda: shopify.state.available(SKU_CODE, _shop_location(shopify)) == 0,
        timeout=WEBHOOK_BOUND + 10,
        what="Shopify at 0",
    )
    latency = time.monotonic() - sold

    print(f"\nBigCommerce sale -> Shopify 0: {latency:.2f} s")
    assert latency <= WEBHOOK_BOUND
    with pytest.raises(ShopifyOutOfStock):
        shopify.place_order(lines=[{"sku": SKU_CODE, "quantity": 1}])
    assert bigc.state.available(SKU_CODE) == 0
    wait_for(lambda: Order.objects.count() == 1, timeout=5, what="the order stored")
    _assert_nothing_oversold(sku, location)
    procs.check_alive()


def test_last_unit_sold_on_shopify_shows_zero_on_bigcommerce(system):
    shopify, bigc, sku, location, procs = system
    sold = time.monotonic()
    shopify.place_order(lines=[{"sku": SKU_CODE, "quantity": 1}])

    wait_for(lambda: bigc.state.available(SKU_CODE) == 0, timeout=WEBHOOK_BOUND + 10, what="BigCommerce at 0")
    latency = time.monotonic() - sold

    print(f"\nShopify sale -> BigCommerce 0: {latency:.2f} s")
    assert latency <= WEBHOOK_BOUND
    with pytest.raises(BigCommerceOutOfStock):
        bigc.buy(SKU_CODE, 1)
    assert [a["items"][0]["quantity"] for a in bigc.state.adjustments] == [1, 0]
    wait_for(lambda: Order.objects.count() == 1, timeout=5, what="the order stored")
    _assert_nothing_oversold(sku, location)
    procs.check_alive()
