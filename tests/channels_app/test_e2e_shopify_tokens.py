"""End to end, real processes: a Shopify account connected from a Dev Dashboard app's client ID and
secret runs for more than a simulated day with two worker processes.

The fake shop's OAuth clock and the workers' token clock are one simulated clock that the test
moves (no sleeps): each step sets it and asks both workers, at the same moment, for one sync
(order poll + listing import). The fake counts every token request: one per token lifetime plus
one per 401, never one per call, and no stampede when both workers find the token expiring.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from channels_app.models import ChannelToken
from channels_app.services.accounts import account_create
from channels_app.services.tokens import AccountTokenStore, token_clock_set
from config.sandbox.shopify.fixtures import SIM_START as T0
from config.sandbox.shopify.oauth import CLIENT_CREDENTIALS_LIFETIME, EXPIRING_LIFETIME
from tests.channels_app.helpers import shopify_connect
from tests.factories import UserFactory

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
HOUR = 3600


def _worker(account_id: int) -> subprocess.Popen:
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CHANNELS_ALLOW_PRIVATE_HOSTS": "1",
        "CHANNELS_RATE_LIMIT_BACKEND": "db",
        "CELERY_TASK_ALWAYS_EAGER": "1",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.channels_app.connectors.shopify.sync_worker", str(account_id)],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert json.loads(process.stdout.readline())["ready"]
    return process


def _sync_both(workers: list[subprocess.Popen], now: float) -> list[dict]:
    for worker in workers:  # both start before either answers: they run at the same moment
        worker.stdin.write(json.dumps({"now": now}) + "\n")
        worker.stdin.flush()
    return [json.loads(worker.stdout.readline()) for worker in workers]


def test_two_workers_run_a_simulated_day_and_more_with_one_token_request_per_lifetime_and_per_401(
    dev_dashboard_shop,
):
    fake, clock = dev_dashboard_shop, dev_dashboard_shop.oauth.clock
    location = next(iter(fake.state.locations.values())).gid
    account = account_create(
        kind="shopify",
        name="New seller",
        base_url=fake.url,
        credentials={"client_id": fake.oauth.client_id, "client_secret": fake.client_secret},
        options={"api_version": "2026-10", "location_id": location},
        schedule=False,
    )
    # Every 20 minutes for 26 hours, plus one step inside the renewal margin of the first token.
    steps = sorted({*range(0, 26 * HOUR + 1, 1200), CLIENT_CREDENTIALS_LIFETIME - 200})
    workers = [_worker(account.pk), _worker(account.pk)]
    answers: list[dict] = []
    try:
        for offset in steps:
            if offset == 25 * HOUR:
                fake.oauth.invalidate_access_tokens()  # Shopify rejects the token early: one 401
            clock.set(T0 + offset)
            answers.extend(_sync_both(workers, T0 + offset))
    finally:
        for worker in workers:
            worker.stdin.close()
            worker.wait(timeout=30)
    counters = fake.counters
    row = ChannelToken.objects.get(account=account)

    assert [a for a in answers if not a["ok"]] == [], counters
    assert len({a["pid"] for a in answers}) == 2
    assert len(answers) == 2 * len(steps) == 160
    # The first token, its renewal before expiry (step 86199 s), one after the injected 401.
    assert counters["oauth:client_credentials"] == 3
    assert counters.get("oauth:refresh_token", 0) == 0
    # One 401 per worker holding the invalidated token at most; no 401 from an expired token.
    assert 1 <= counters["unauthorized"] <= 2
    graphql_calls = counters["requests"] - counters["oauth:client_credentials"]
    assert graphql_calls >= 3 * len(steps)  # every sync made API calls with the cached token
    assert row.version == 3
    assert row.reconnect_reason == ""
    assert row.expires_at == T0 + 25 * HOUR + CLIENT_CREDENTIALS_LIFETIME
    assert "shpat_" not in row.secrets_encrypted  # stored encrypted


def test_two_workers_refreshing_at_the_same_moment_leave_one_valid_refresh_token_and_no_failed_sync(
    dev_dashboard_shop,
    client,
):
    fake, clock = dev_dashboard_shop, dev_dashboard_shop.oauth.clock
    fake.oauth.client_credentials = False  # an agency's app: only the authorization code grant
    account = account_create(
        kind="shopify",
        name="Client store",
        base_url=fake.url,
        credentials={"client_id": fake.oauth.client_id, "client_secret": fake.client_secret},
        options={
            "auth": "authorization_code",
            "shop_domain": fake.state.shop["domain"],
            "api_version": "2026-10",
            "location_id": next(iter(fake.state.locations.values())).gid,
        },
        schedule=False,
    )
    client.force_login(UserFactory(role="manager"))
    token_clock_set(clock)
    try:
        shopify_connect(client, account)
    finally:
        token_clock_set(None)
    # A slow token endpoint: the second worker finds the token expiring while the first renews it.
    fake.oauth.token_latency = 0.5
    workers = [_worker(account.pk), _worker(account.pk)]
    answers: list[dict] = []
    try:
        for hour in (1, 2, 3):
            clock.set(T0 + hour * EXPIRING_LIFETIME - 100)  # every token inside its renewal margin
            answers.extend(_sync_both(workers, clock()))
    finally:
        for worker in workers:
            worker.stdin.close()
            worker.wait(timeout=30)
    stored = AccountTokenStore(account_id=account.pk).read()
    used_twice = [t for t, entry in fake.oauth.refresh.items() if len(entry.children) > 1]

    assert [a for a in answers if not a["ok"]] == [], fake.counters
    assert len({a["pid"] for a in answers}) == 2
    assert fake.counters["oauth:refresh_token"] == 3  # one per hour, not one per worker
    assert fake.counters.get("unauthorized", 0) == 0
    assert used_twice == []  # no refresh token was spent twice
    assert stored.version == 4  # the grant, then three renewals
    assert fake.oauth.refresh_valid(stored.refresh_token)
    assert ChannelToken.objects.get(account=account).reconnect_reason == ""
