"""The store's quota, shared with the store's other apps: the connector paces on BigCommerce's
X-Rate-Limit-* headers (through the engine's shared throttle) and handles 429s."""

from __future__ import annotations

import time

import pytest

from channels_app.connectors.errors import RetryableError
from config.sandbox.bigcommerce import FakeBigCommerce

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_quota_store(settings):
    """A store whose quota is 6 requests per 1.5 s window."""
    settings.CHANNELS_ALLOW_PRIVATE_HOSTS = True
    fake = FakeBigCommerce(quota=6, window_ms=1500)
    fake.state.add_product("Mug", sku="MUG", quantity=5)
    with fake:
        yield fake


def _connector(fake, **options):
    from channels_app.connectors.dto import AccountConfig
    from channels_app.connectors.registry import connector_build

    config = AccountConfig(account_id=7, base_url=fake.url, credentials=fake.credentials(), options=options)
    return connector_build(kind="bigcommerce", config=config)


def test_requests_are_paced_on_the_quota_headers_and_never_refused(small_quota_store):
    fake = small_quota_store
    connector = _connector(fake)
    fake.quota.consume(4)  # another app of the store has spent most of the window

    for _ in range(10):
        assert len(connector.listings_fetch(cursor=None).listings) == 1

    assert fake.quota.rejected == 0  # never over the quota the other app shares with us
    times = [t for t, *_ in fake.calls()]
    assert len(times) == 10
    assert times[-1] - times[0] >= 1.5  # it had to wait for at least one refresh


def test_a_429_with_quota_headers_waits_for_the_refresh_and_sends_again(small_quota_store):
    fake = small_quota_store
    connector = _connector(fake)
    connector.listings_fetch(cursor=None)
    fake.quota.consume(6)  # other apps take the rest of the window after our reading

    started = time.monotonic()
    page = connector.listings_fetch(cursor=None)

    assert [listing.sku_code for listing in page.listings] == ["MUG"]
    assert fake.quota.rejected == 1
    assert len(fake.calls("GET", "v3/catalog/products")) == 3
    assert time.monotonic() - started < 3.0


def test_a_429_without_quota_headers_is_platform_load_with_a_longer_backoff(small_quota_store):
    fake = small_quota_store
    fake.quota.load_next(1)

    with pytest.raises(RetryableError, match="under load") as caught:
        _connector(fake).listings_fetch(cursor=None)

    assert caught.value.retry_after == 30.0
    assert caught.value.status == 429


def test_a_quota_used_up_for_longer_than_the_wait_goes_back_to_the_engine(settings):
    settings.CHANNELS_ALLOW_PRIVATE_HOSTS = True
    with FakeBigCommerce(quota=3, window_ms=30_000) as fake:
        fake.state.add_product("Mug", sku="MUG", quantity=5)
        connector = _connector(fake, quota_wait_seconds=0.5)
        fake.quota.consume(1)
        connector.listings_fetch(cursor=None)  # left: 1, our reserve

        with pytest.raises(RetryableError, match="quota used up") as caught:
            connector.listings_fetch(cursor=None)

        assert 25 < caught.value.retry_after <= 30
        assert len(fake.calls()) == 1
        assert fake.quota.rejected == 0


def test_a_large_quota_is_used_at_the_pace_its_headers_allow_not_the_standard_plans(settings, monkeypatch):
    """The Standard plan's 5/s only until the first answer: a store with 1,500 requests a 30 s
    window (its headers say so) is paced near 50/s, so intake is not held to the smallest plan."""
    from channels_app.connectors.bigcommerce import client as bc_client
    from channels_app.services import ratelimit

    settings.CHANNELS_ALLOW_PRIVATE_HOSTS = True
    paces: list[float] = []
    real_acquire = ratelimit.rate_limit_acquire

    def acquire(*, key, per_second, burst=1, timeout=60.0):
        paces.append(per_second)
        return real_acquire(key=key, per_second=per_second, burst=burst, timeout=timeout)

    monkeypatch.setattr(ratelimit, "rate_limit_acquire", acquire)
    bc_client._readings.clear()
    fake = FakeBigCommerce(quota=1500, window_ms=30_000)
    fake.state.add_product("Mug", sku="MUG", quantity=5)
    with fake:
        connector = _connector(fake)
        for _ in range(4):
            connector.listings_fetch(cursor=None)

    assert paces[0] == 5.0  # no reading yet: the Standard plan's pace
    assert len(paces) == 4
    assert all(40.0 < pace < 100.0 for pace in paces[1:]), paces  # (1,500 - spent - 1) / <= 30 s
