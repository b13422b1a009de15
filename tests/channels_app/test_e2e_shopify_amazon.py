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

import contextlib
import functools
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests
from django.db import connection

from channels_app.models import Listing
from channels_app.services.accounts import account_create
from channels_app.services.onboarding import account_go_live, account_listings_import
from channels_app.services.polling import account_orders_sync
from channels_app.services.webhooks import account_webhooks_register
from config.celery import app as celery_app
from config.sandbox.amazon import FakeAmazon, FakeClock
from config.sandbox.amazon import OutOfStock as AmazonOutOfStock
from config.sandbox.shopify.fixtures import TODAY
from config.sandbox.shopify.orders import OutOfStock as ShopifyOutOfStock
from config.sandbox.shopify.server import FakeShopify
from inventory_app.models import Order, StockLevel
from inventory_app.services.stock import stock_receive
from tests.factories import LocationFactory, SKUFactory

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
WEBHOOK_BOUND = 5.0  # seconds from a Shopify checkout to the new figure on Amazon
AMAZON_POLL_SECONDS = 5  # the Amazon account's order poll in these tests
START_TIMEOUT = 60.0
SKU_CODE = "LINEN-1"


def _free_port() -> int:
    with contextlib.closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait(predicate, *, timeout: float, what: str, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


@pytest.fixture(scope="module")
def redis_url():
    """The Redis broker: the one devservices started, else a private one (skip if impossible)."""
    url = os.environ.get("CELERY_BROKER_URL", "")
    if url.startswith("redis://"):
        yield url
        return
    from config.devservices import redis_server

    with tempfile.TemporaryDirectory(prefix="e2e-redis-") as workdir:
        try:
            server = redis_server(Path(workdir))
            url = server.__enter__()
        except Exception as exc:
            pytest.skip(f"redis-server cannot be installed or started here: {exc}")
        try:
            yield url
        finally:
            server.__exit__(None, None, None)


class Processes:
    """Child processes in their own process groups, output kept in files, always stopped."""

    def __init__(self, env: dict[str, str], logdir: Path) -> None:
        self.env = env
        self.logdir = logdir
        self.procs: dict[str, subprocess.Popen] = {}

    def start(self, name: str, argv: list[str]) -> subprocess.Popen:
        log = open(self.logdir / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
        proc = subprocess.Popen(
            argv, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        log.close()
        self.procs[name] = proc
        return proc

    def log(self, name: str) -> str:
        return (self.logdir / f"{name}.log").read_text(errors="replace")

    def check_alive(self) -> None:
        dead = {n: p.returncode for n, p in self.procs.items() if p.poll() is not None}
        assert not dead, f"processes died: {dead}\n" + "\n".join(self.log(n)[-3000:] for n in dead)

    def stop(self) -> None:
        for proc in self.procs.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for proc in self.procs.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(max(deadline - time.monotonic(), 0.1))
        for proc in self.procs.values():
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)  # the group: prefork children too
            proc.wait()


def e2e_env(*, redis_url: str, **extra: str) -> dict[str, str]:
    """The child processes' environment: the test database, the Redis broker, loopback channels."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_BROKER_URL": redis_url,
        "REDIS_URL": redis_url,
        "CHANNELS_ALLOW_PRIVATE_HOSTS": "1",
        "CHANNELS_PUSH_BACKOFF_BASE": "0.2",
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "DEBUG": "1",  # plain HTTP on loopback (no HTTPS redirect of the webhooks)
        "LOG_LEVEL": "INFO",
        "PYTHONUNBUFFERED": "1",
        **extra,
    }


def web_and_workers_start(procs: Processes, *, web_port: int) -> None:
    """gunicorn on ``web_port`` and two Celery workers."""
    python = sys.executable
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


def beat_start(procs: Processes) -> None:
    """celery beat on the database scheduler."""
    procs.start(
        "beat",
        [sys.executable, "-m", "celery", "-A", "config", "beat", "-l", "INFO",
         "--scheduler=django_celery_beat.schedulers:DatabaseScheduler",
         f"--pidfile={procs.logdir / 'beat.pid'}"],
    )  # fmt: skip


def web_and_workers_ready(procs: Processes, *, web_port: int) -> bool:
    """True once the web answers /healthz and both workers said they are ready."""
    procs.check_alive()
    try:
        web = requests.get(f"http://127.0.0.1:{web_port}/healthz", timeout=1).status_code == 200
    except requests.RequestException:
        web = False
    return web and all(" ready." in procs.log(n) for n in ("w1", "w2"))


@pytest.fixture
def system(redis_url, settings):
    """Fakes, accounts linked to LINEN-1 (one unit in stock), then web, two workers and beat."""
    settings.CHANNELS_ALLOW_PRIVATE_HOSTS = True
    web_port = _free_port()
    env = e2e_env(redis_url=redis_url)
    shopify = FakeShopify(today=TODAY, webhook_retry_schedule=(0.2, 0.5, 1.0), webhook_timeout=5.0)
    shopify.state.add_location("Shop")
    shopify.state.add_product("Linen", [{"sku": SKU_CODE}])
    shopify.start()
    amazon = FakeAmazon(clock=FakeClock(start=datetime.now(UTC), frozen=False)).start()
    amazon.seed_listing(SKU_CODE, 0)
    # Tasks enqueued by this process (the set-up's pushes) go to the workers as in production.
    eager, broker = celery_app.conf.task_always_eager, celery_app.conf.broker_url
    celery_app.conf.task_always_eager, celery_app.conf.broker_url = False, redis_url
    logdir = Path(tempfile.mkdtemp(prefix="e2e-logs-"))
    procs = Processes(env, logdir)
    try:
        web_and_workers_start(procs, web_port=web_port)
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
        for account in (shop_account, amazon_account):
            assert account_listings_import(account=account) == {"imported": 1, "linked": 1}
            account_orders_sync(account_id=account.pk)
            account_go_live(account=account)
        account_webhooks_register(account_id=shop_account.pk, base_url=f"http://127.0.0.1:{web_port}")
        beat_start(procs)
        ready = functools.partial(web_and_workers_ready, procs, web_port=web_port)
        _wait(ready, timeout=START_TIMEOUT, what="web and workers", interval=0.2)
        try:
            _wait(
                lambda: (
                    shopify.state.available(SKU_CODE, _location_id(shopify)) == 1
                    and amazon.quantity(SKU_CODE) == 1
                ),
                timeout=30,
                what="the first push of 1 unit to both stores",
            )
        except AssertionError as exc:
            rows = list(Listing.objects.values())
            raise AssertionError(f"{exc}: {rows}\n{procs.log('w1')[-4000:]}") from None
        yield shopify, amazon, sku, location, procs
        procs.check_alive()
    finally:
        celery_app.conf.task_always_eager, celery_app.conf.broker_url = eager, broker
        procs.stop()
        shopify.stop()
        amazon.stop()


def _location_id(shopify: FakeShopify) -> int:
    return next(iter(shopify.state.locations))


def _assert_nothing_oversold(sku, location) -> None:
    level = StockLevel.objects.get(sku=sku, location=location)
    assert (level.on_hand, level.committed) == (1, 1)
    assert Order.objects.count() == 1


def test_last_unit_bought_on_shopify_shows_zero_on_amazon_within_the_webhook_bound(system):
    shopify, amazon, sku, location, procs = system
    sold = time.monotonic()
    shopify.place_order(lines=[{"sku": SKU_CODE, "quantity": 1}])

    _wait(lambda: amazon.quantity(SKU_CODE) == 0, timeout=WEBHOOK_BOUND + 10, what="Amazon at 0")
    latency = time.monotonic() - sold

    print(f"\nShopify sale -> Amazon 0: {latency:.2f} s")
    assert latency <= WEBHOOK_BOUND
    with pytest.raises(AmazonOutOfStock):
        amazon.place_order(SKU_CODE, 1)  # a second buyer finds nothing
    assert shopify.state.available(SKU_CODE, _location_id(shopify)) == 0
    _wait(lambda: Order.objects.count() == 1, timeout=5, what="the order stored")
    _assert_nothing_oversold(sku, location)
    assert [u["quantity"] for u in amazon.listing(SKU_CODE).updates] == [1, 0]
    procs.check_alive()


def test_last_unit_bought_on_amazon_shows_zero_on_shopify_within_the_poll_bound(system):
    shopify, amazon, sku, location, procs = system
    sold = time.monotonic()
    amazon.place_order(SKU_CODE, 1)

    _wait(
        lambda: shopify.state.available(SKU_CODE, _location_id(shopify)) == 0,
        timeout=AMAZON_POLL_SECONDS + WEBHOOK_BOUND + 20,
        what="Shopify at 0",
    )
    latency = time.monotonic() - sold

    print(f"\nAmazon sale -> Shopify 0: {latency:.2f} s (poll every {AMAZON_POLL_SECONDS} s)")
    assert latency <= AMAZON_POLL_SECONDS + WEBHOOK_BOUND
    with pytest.raises(ShopifyOutOfStock):
        shopify.place_order(lines=[{"sku": SKU_CODE, "quantity": 1}])
    assert amazon.quantity(SKU_CODE) == 0
    _assert_nothing_oversold(sku, location)
    procs.check_alive()
