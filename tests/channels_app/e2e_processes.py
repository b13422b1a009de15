"""What the end-to-end tests with real processes share: the Redis broker fixture, the child
processes (gunicorn, Celery workers, beat) on the test PostgreSQL, and bounded waits."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import requests
from django.db import connection

from config.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 60.0


def free_port() -> int:
    with contextlib.closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait(predicate, *, timeout: float, what: str, interval: float = 0.05):
    """Poll ``predicate`` until it is true (its value) or ``timeout`` seconds pass (AssertionError)."""
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


def linen_shop(sku_code: str):
    """A started fake Shopify shop selling ``sku_code`` (its one product) with fast webhook retries."""
    from config.sandbox.shopify.fixtures import TODAY
    from config.sandbox.shopify.server import FakeShopify

    shopify = FakeShopify(today=TODAY, webhook_retry_schedule=(0.2, 0.5, 1.0), webhook_timeout=5.0)
    shopify.state.add_location("Shop")
    shopify.state.add_product("Linen", [{"sku": sku_code}])
    return shopify.start()


def linen_shop_account(shopify):
    """The dry-run channel account of :func:`linen_shop` (webhooks, no frequent poll)."""
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


class System:
    """gunicorn on ``web_port``, two Celery workers and (:meth:`beat`) celery beat, on the test
    PostgreSQL and ``redis_url``; tasks this process enqueues go to the workers meanwhile."""

    def __init__(self, redis_url: str, *, prefix: str) -> None:
        db = connection.settings_dict
        password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
        self.web_port = free_port()
        self.web_url = f"http://127.0.0.1:{self.web_port}"
        self.env = {
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
        }
        self.redis_url = redis_url
        self.logdir = Path(tempfile.mkdtemp(prefix=prefix))
        self.procs = Processes(self.env, self.logdir)
        self._celery = (celery_app.conf.task_always_eager, celery_app.conf.broker_url)

    def start(self) -> None:
        celery_app.conf.task_always_eager, celery_app.conf.broker_url = False, self.redis_url
        python = sys.executable
        self.procs.start(
            "web",
            [python, "-m", "gunicorn", "config.wsgi:application", f"--bind=127.0.0.1:{self.web_port}",
             "--workers=2", "--graceful-timeout=5"],
        )  # fmt: skip
        for name in ("w1", "w2"):
            self.procs.start(
                name,
                [python, "-m", "celery", "-A", "config", "worker", "-c", "2", "-n", f"{name}@%h",
                 "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "INFO"],
            )  # fmt: skip

    def beat(self) -> None:
        self.procs.start(
            "beat",
            [sys.executable, "-m", "celery", "-A", "config", "beat", "-l", "INFO",
             "--scheduler=django_celery_beat.schedulers:DatabaseScheduler",
             f"--pidfile={self.logdir / 'beat.pid'}"],
        )  # fmt: skip

    def wait_ready(self) -> None:
        def ready():
            self.procs.check_alive()
            try:
                web = requests.get(f"{self.web_url}/healthz", timeout=1).status_code == 200
            except requests.RequestException:
                web = False
            return web and all(" ready." in self.procs.log(n) for n in ("w1", "w2"))

        wait(ready, timeout=START_TIMEOUT, what="web and workers", interval=0.2)

    def wait_first_push(self, predicate) -> None:
        """Wait for the set-up's first push to reach the stores (the listings and a worker's log
        in the failure)."""
        from channels_app.models import Listing

        try:
            wait(predicate, timeout=30, what="the first push of 1 unit to both stores")
        except AssertionError as exc:
            rows = list(Listing.objects.values())
            raise AssertionError(f"{exc}: {rows}\n{self.procs.log('w1')[-4000:]}") from None

    def stop(self) -> None:
        celery_app.conf.task_always_eager, celery_app.conf.broker_url = self._celery
        self.procs.stop()
