"""Real ``celery worker`` processes on Redis: the push task retries 429/500 with backoff that
honours Retry-After, and two workers together never exceed the channel's rate limit."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from channels_app.models import ChannelAccount, Listing
from channels_app.push.outbox import listings_mark_dirty
from config.celery import app as celery_app
from inventory_app.services.stock import stock_receive
from tests.factories import LocationFactory, SKUFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not os.environ.get("CELERY_BROKER_URL", "").startswith("redis://"),
        reason="needs Redis as the broker (python -m config.devservices --redis)",
    ),
]

ROOT = Path(__file__).resolve().parents[2]


def _celery_worker(name: str, *, start_new_session: bool = False) -> subprocess.Popen:
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CHANNELS_ALLOW_PRIVATE_HOSTS": "1",
        "CHANNELS_PUSH_BACKOFF_BASE": "0.2",
        "LOG_LEVEL": "WARNING",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "-c", "1", "-n", f"{name}@%h",
         "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "WARNING"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        start_new_session=start_new_session,
    )  # fmt: skip


def _stopped(worker: subprocess.Popen) -> None:
    """Wait for a terminated worker's warm shutdown; one still finishing a task after 60 s (a
    loaded machine) is killed, as a supervisor would."""
    try:
        worker.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.communicate()


@pytest.fixture
def real_broker():
    celery_app.conf.task_always_eager = False
    yield
    celery_app.conf.task_always_eager = True


def test_two_celery_workers_retry_and_deliver_within_the_rate_limit(shops, connect, real_broker):
    location = LocationFactory(code="A")
    skus = [SKUFactory(code=f"S{i:02d}") for i in range(24)]
    shop = shops()
    for i in range(24):
        shop.listing_add(f"L{i:02d}", sku=f"S{i:02d}", quantity=0)
    account = connect(shop, "Shop", options={"rate_per_second": 4, "batch_max": 2}, enabled=False)
    for i, sku in enumerate(skus):
        stock_receive(sku=sku, location=location, quantity=i + 1)
    ChannelAccount.objects.filter(pk=account.pk).update(enabled=True)
    listings_mark_dirty(sku_ids=[s.pk for s in skus])
    shop.fail_next("POST quantities", 1, status=429, retry_after=1)
    shop.fail_next("POST quantities", 2, status=500)
    workers = [_celery_worker("w1"), _celery_worker("w2")]
    try:
        time.sleep(2)
        from channels_app.tasks import account_push_task

        for _ in range(4):  # several requests at once, as concurrent hooks would make
            account_push_task.delay(account.pk)
        deadline = time.monotonic() + 90
        while Listing.objects.filter(needs_push=True).exists() and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            _stopped(worker)

    assert not Listing.objects.filter(needs_push=True).exists()
    assert [shop.quantity(f"L{i:02d}") for i in range(24)] == list(range(1, 25))
    assert len(shop.requests_of("POST quantities")) == 12 + 3
    assert shop.max_requests_in_window(1.0) <= 4


def test_a_worker_killed_mid_push_releases_its_claim_when_it_starts_again(shops, connect, real_broker):
    location, sku = LocationFactory(code="A"), SKUFactory(code="S00")
    shop = shops()
    shop.listing_add("L00", sku="S00", quantity=0)
    account = connect(shop, "Shop", enabled=False)
    stock_receive(sku=sku, location=location, quantity=3)
    ChannelAccount.objects.filter(pk=account.pk).update(enabled=True)
    listings_mark_dirty(sku_ids=[sku.pk])
    shop.slow("POST quantities", 30)
    from channels_app.tasks import account_push_task

    worker = _celery_worker("w1", start_new_session=True)
    second = None
    try:
        account_push_task.delay(account.pk)
        deadline = time.monotonic() + 60
        while not shop.requests_of("POST quantities") and time.monotonic() < deadline:
            time.sleep(0.05)
        os.killpg(worker.pid, signal.SIGKILL)  # the worker and its pool, mid-push
        worker.communicate(timeout=10)
        claimed = Listing.objects.get(account=account)
        lease_left = (claimed.claimed_until - timezone.now()).total_seconds()
        shop.slow("POST quantities", 0)

        second = _celery_worker("w1")  # the same node, restarted
        deadline = time.monotonic() + 30
        while not Listing.objects.filter(account=account, claimed_until__isnull=True).exists():
            assert time.monotonic() < deadline, "the restarted worker did not release the claim"
            time.sleep(0.1)
        while Listing.objects.get(account=account).needs_push and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        for proc in (worker, second):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                proc.communicate(timeout=30)

    assert claimed.needs_push is True and claimed.claimed_by.startswith("w1@")
    assert lease_left > 30  # without the release, the next push would wait this long
    assert shop.quantity("L00") == 3
    assert Listing.objects.get(account=account).needs_push is False
