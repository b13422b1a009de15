"""Real worker processes against PostgreSQL: the shared rate limit and a worker killed mid-push.

The workers are separate OS processes (``manage.py channel_sync --push --until-clean``), talking
to the test database and to the fake shop over real HTTP; the shop measures the request rate.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from channels_app.models import ChannelAccount, Listing
from channels_app.push.outbox import listings_mark_dirty
from inventory_app.services.stock import stock_receive
from tests.factories import LocationFactory, SKUFactory

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]


def _worker_env(**extra: str) -> dict[str, str]:
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    return {
        **os.environ,
        "DATABASE_URL": url,
        "CHANNELS_ALLOW_PRIVATE_HOSTS": "1",
        "CHANNELS_RATE_LIMIT_BACKEND": "db",
        "CHANNELS_PUSH_BACKOFF_BASE": "0.2",
        "CELERY_TASK_ALWAYS_EAGER": "1",
        **extra,
    }


def _worker(account_id: int, **env: str) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "channel_sync",
            "--account",
            str(account_id),
            "--push",
            "--until-clean",
            "--deadline",
            "60",
        ],
        cwd=ROOT,
        env=_worker_env(**env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _listed(shops, connect, count: int, **options):
    location = LocationFactory(code="A")
    skus = [SKUFactory(code=f"S{i:02d}") for i in range(count)]
    shop = shops()
    for i in range(count):
        shop.listing_add(f"L{i:02d}", sku=f"S{i:02d}", quantity=0)
    # Disabled while we set up, so that nothing in this process pushes (hooks run at once here).
    account = connect(shop, "Shop", options=options, enabled=False)
    for i, sku in enumerate(skus):
        stock_receive(sku=sku, location=location, quantity=i + 1)
    ChannelAccount.objects.filter(pk=account.pk).update(enabled=True)
    listings_mark_dirty(sku_ids=[s.pk for s in skus])
    return shop, account


def test_two_workers_retry_429_and_500_and_never_exceed_the_rate_limit(shops, connect):
    shop, account = _listed(shops, connect, 30, rate_per_second=5, batch_max=3)
    shop.fail_next("POST quantities", 2, status=429, retry_after=1)
    shop.fail_next("POST quantities", 2, status=500)
    started = time.time()

    workers = [_worker(account.pk), _worker(account.pk)]
    outputs = [w.communicate(timeout=90) for w in workers]

    assert [w.returncode for w in workers] == [0, 0], outputs
    assert sum(json.loads(out)["push"]["pushed"] for out, _ in outputs) == 30
    assert [shop.quantity(f"L{i:02d}") for i in range(30)] == list(range(1, 31))
    assert not Listing.objects.filter(needs_push=True).exists()
    pushes = shop.requests_of("POST quantities")
    assert len(pushes) == 10 + 4  # ten batches of three, plus the four refused attempts
    assert shop.max_requests_in_window(1.0) <= 5
    assert time.time() - started >= 1.0  # Retry-After was honoured


def test_a_worker_killed_mid_push_leaves_the_listing_dirty_and_the_next_worker_pushes_it(shops, connect):
    shop, account = _listed(shops, connect, 1)
    shop.slow("POST quantities", 8)

    first = _worker(account.pk, CHANNELS_PUSH_LEASE_SECONDS="3")
    deadline = time.monotonic() + 30
    while not shop.requests_of("POST quantities") and time.monotonic() < deadline:
        time.sleep(0.05)
    first.send_signal(signal.SIGKILL)
    first.communicate(timeout=10)
    listing = Listing.objects.get(account=account)

    assert shop.requests_of("POST quantities") != []
    assert (listing.needs_push, listing.last_pushed_qty) == (True, None)
    shop.slow("POST quantities", 0)
    second = _worker(account.pk, CHANNELS_PUSH_LEASE_SECONDS="3")
    _out, err = second.communicate(timeout=60)
    listing.refresh_from_db()
    assert second.returncode == 0, err
    assert (listing.needs_push, listing.last_pushed_qty, shop.quantity("L00")) == (False, 1, 1)
