"""Helpers of the end-to-end tests with real processes (gunicorn, Celery workers, beat) on the
test PostgreSQL and a Redis broker (the module-scoped ``redis_url`` fixture of the conftest):
child processes always stopped, bounded waits, the fake Shopify shop most tests pair with."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import requests
from django.db import connection

from config.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 60.0  # seconds for gunicorn and the workers to be ready
WORKERS = ("w1", "w2")
FIRST_PUSH = "the first push of 1 unit to both stores"


def free_port() -> int:
    with contextlib.closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate: Callable, *, timeout: float, what: str, interval: float = 0.05):
    """Poll ``predicate`` until it is true (its value) or ``timeout`` seconds pass (AssertionError)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


def e2e_env(*, redis_url: str, **extra: str) -> dict[str, str]:
    """The child processes' environment: the test database, the Redis broker, loopback channels,
    and ``extra`` variables."""
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


@contextlib.contextmanager
def tasks_to_workers(*, redis_url: str) -> Iterator[None]:
    """Tasks enqueued by this process (the set-up's pushes) go to the workers as in production."""
    eager, broker = celery_app.conf.task_always_eager, celery_app.conf.broker_url
    celery_app.conf.task_always_eager, celery_app.conf.broker_url = False, redis_url
    try:
        yield
    finally:
        celery_app.conf.task_always_eager, celery_app.conf.broker_url = eager, broker


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
        """SIGTERM to every group, 15 s to exit, then SIGKILL (prefork children too)."""
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

    def start_web(self, *, web_port: int) -> None:
        """gunicorn (2 workers) serving our web app on 127.0.0.1:``web_port``."""
        self.start(
            "web",
            [sys.executable, "-m", "gunicorn", "config.wsgi:application",
             f"--bind=127.0.0.1:{web_port}", "--workers=2", "--graceful-timeout=5"],
        )  # fmt: skip

    def start_workers(self, names: tuple[str, ...] = WORKERS) -> None:
        """Celery workers of 2 processes each."""
        for name in names:
            self.start(
                name,
                [sys.executable, "-m", "celery", "-A", "config", "worker", "-c", "2", "-n", f"{name}@%h",
                 "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "INFO"],
            )  # fmt: skip

    def start_web_and_workers(self, *, web_port: int) -> None:
        """gunicorn on ``web_port`` and two Celery workers."""
        self.start_web(web_port=web_port)
        self.start_workers()

    def start_beat(self) -> None:
        """celery beat with the database scheduler (the accounts' polls)."""
        self.start(
            "beat",
            [sys.executable, "-m", "celery", "-A", "config", "beat", "-l", "INFO",
             "--scheduler=django_celery_beat.schedulers:DatabaseScheduler",
             f"--pidfile={self.logdir / 'beat.pid'}"],
        )  # fmt: skip

    def wait_ready(self, *, web_port: int, workers: tuple[str, ...] = WORKERS) -> None:
        """Until the web answers /healthz and the workers said they are ready (bounded)."""

        def ready():
            self.check_alive()
            try:
                web = requests.get(f"http://127.0.0.1:{web_port}/healthz", timeout=1).status_code == 200
            except requests.RequestException:
                web = False
            return web and all(" ready." in self.log(n) for n in workers)

        wait_for(ready, timeout=START_TIMEOUT, what="web and workers", interval=0.2)

    def wait_first_push(self, predicate: Callable, *, timeout: float = 30, what: str = FIRST_PUSH) -> None:
        """Wait for the set-up's first push to reach the stores (the listings and the first
        worker's log in the failure)."""
        from channels_app.models import Listing

        try:
            wait_for(predicate, timeout=timeout, what=what)
        except AssertionError as exc:
            rows = list(Listing.objects.values())
            raise AssertionError(f"{exc}: {rows}\n{self.log('w1')[-4000:]}") from None


def processes_new(*, redis_url: str, prefix: str = "e2e-logs-", **extra: str) -> Processes:
    """A :class:`Processes` with the e2e environment (plus ``extra``) and a fresh log folder."""
    return Processes(e2e_env(redis_url=redis_url, **extra), Path(tempfile.mkdtemp(prefix=prefix)))


def shopify_fake_start(*, sku_code: str):
    """A started fake Shopify shop with one location and one product of ``sku_code`` (fast
    webhook retries)."""
    from config.sandbox.shopify.fixtures import TODAY
    from config.sandbox.shopify.server import FakeShopify

    shopify = FakeShopify(today=TODAY, webhook_retry_schedule=(0.2, 0.5, 1.0), webhook_timeout=5.0)
    shopify.state.add_location("Shop")
    shopify.state.add_product("Linen", [{"sku": sku_code}])
    return shopify.start()


def shopify_available(shopify, sku_code: str) -> int:
    """What a buyer can buy of ``sku_code`` at the fake shop's one location."""
    return shopify.state.available(sku_code, next(iter(shopify.state.locations)))


def shopify_account_new(shopify):
    """A dry-run Shopify account on ``shopify`` (webhooks carry its orders: hourly poll)."""
    from channels_app.services.accounts import account_create

    return account_create(
        kind="shopify",
        name="Shopify",
        base_url=shopify.url,
        credentials={"access_token": shopify.access_token, "webhook_secret": shopify.client_secret},
        options={"api_version": "2026-10"},
        dry_run=True,
        poll_interval_seconds=3600,
    )


def accounts_go_live(*accounts) -> None:
    """Import and link each account's one listing, take its orders in, go live."""
    from channels_app.intake.polling import account_orders_sync
    from channels_app.services.onboarding import account_go_live, account_listings_import

    for account in accounts:
        assert account_listings_import(account=account) == {"imported": 1, "linked": 1}
        account_orders_sync(account_id=account.pk)
        account_go_live(account=account)


def webhooks_register(*accounts, web_port: int) -> None:
    """Subscribe each account's webhooks to the web process on ``web_port``."""
    from channels_app.notifications.webhook_subscriptions import account_webhooks_register

    for account in accounts:
        account_webhooks_register(account_id=account.pk, base_url=f"http://127.0.0.1:{web_port}")


def assert_nothing_oversold(sku, location) -> None:
    """The one unit on hand is committed to the one stored order."""
    from inventory_app.models import Order, StockLevel

    level = StockLevel.objects.get(sku=sku, location=location)
    assert (level.on_hand, level.committed) == (1, 1)
    assert Order.objects.count() == 1
