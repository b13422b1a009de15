"""The SP-API client against the fake over HTTP: LWA tokens, 401/403 refresh, 429 and 5xx."""

from __future__ import annotations

import time

import pytest

from channels_app.connectors.amazon.client import AmazonApiError
from channels_app.connectors.amazon.connector import AmazonConnector
from channels_app.connectors.base import capabilities_of
from channels_app.connectors.errors import RetryableError, WebhookSignatureError
from channels_app.intake.orders import webhook_receive
from channels_app.models import InboundEvent
from channels_app.services.accounts import account_connector
from config.sandbox.amazon.ratelimit import UsagePlan

pytestmark = pytest.mark.django_db


def _read(account, sku="LINEN-1"):
    connector = account_connector(account=account)
    return connector.listing_fetch(sku=sku)


def test_one_lwa_refresh_serves_many_calls_with_the_refresh_token_grant(amazon, connect):
    amazon.seed_listing("LINEN-1", 5)
    account = connect(amazon)

    first, second = _read(account), _read(account)

    token_requests = [r for r in amazon.requests if r["operation"] == "lwa:token"]
    assert (first.quantity, second.quantity) == (5, 5)
    assert len(token_requests) == 1
    assert token_requests[0]["query"]["grant_type"] == ["refresh_token"]
    assert token_requests[0]["query"]["refresh_token"] == [amazon.config.refresh_token]
    assert amazon.stats.statuses[("getListingsItem", 403)] == 0


def test_a_token_close_to_expiry_is_replaced_before_amazon_refuses_it(fake_factory, connect):
    amazon = fake_factory(access_token_ttl=120)  # inside the 300 s refresh margin
    amazon.seed_listing("LINEN-1", 5)
    account = connect(amazon)

    _read(account)
    _read(account)

    assert amazon.stats.requests["lwa:token"] == 2
    assert amazon.stats.statuses[("getListingsItem", 200)] == 2
    assert amazon.stats.statuses[("getListingsItem", 403)] == 0


def test_an_expired_token_is_refreshed_once_on_403_and_the_call_succeeds(amazon, connect):
    amazon.seed_listing("LINEN-1", 5)
    account = connect(amazon)
    _read(account)
    amazon.state.expire_access_tokens()  # an hour passed on Amazon's side

    listing = _read(account)

    assert listing.quantity == 5
    assert amazon.stats.requests["lwa:token"] == 2
    assert amazon.stats.statuses[("getListingsItem", 403)] == 1
    assert amazon.stats.statuses[("getListingsItem", 200)] == 2


def test_a_403_that_a_new_token_does_not_cure_is_refreshed_only_once(amazon, connect):
    amazon.seed_listing("LINEN-1", 5)
    account = connect(amazon, seller_id="A-NOT-THIS-SELLER")

    with pytest.raises(AmazonApiError) as caught:
        _read(account)

    assert caught.value.status == 403
    assert caught.value.headers["content-type"].startswith("application/json")
    assert '"errors"' in caught.value.body
    assert amazon.stats.requests["lwa:token"] == 2
    assert amazon.stats.requests["getListingsItem"] == 2


def test_a_revoked_refresh_token_is_a_permanent_error_and_no_sp_api_call_is_made(amazon, connect):
    amazon.seed_listing("LINEN-1", 5)
    account = connect(amazon)
    amazon.state.revoke_refresh_token()

    with pytest.raises(AmazonApiError) as caught:
        _read(account)

    assert not isinstance(caught.value, RetryableError)
    assert "invalid_grant" in str(caught.value)
    assert amazon.config.refresh_token not in str(caught.value)
    assert amazon.stats.requests["getListingsItem"] == 0


def test_quota_exceeded_is_retried_after_one_token_of_the_operation_rate(amazon, connect):
    amazon.seed_listing("LINEN-1", 5)
    account = connect(amazon)
    _read(account)
    amazon.faults.fail("getListingsItem", status=429, times=1)

    started = time.monotonic()
    listing = _read(account)
    elapsed = time.monotonic() - started

    assert listing.quantity == 5
    assert amazon.stats.statuses[("getListingsItem", 429)] == 1
    assert amazon.stats.requests["getListingsItem"] == 3
    assert elapsed >= 0.2  # getListingsItem refills one token every 1/5 s


def test_quota_exceeded_on_get_orders_is_left_to_the_engine_with_a_minute_retry(amazon, connect):
    account = connect(amazon)
    amazon.faults.fail("getOrders", status=429, times=1)

    with pytest.raises(RetryableError) as caught:
        account_connector(account=account).orders_fetch_changed(since=None, cursor=None)

    assert caught.value.retry_after == pytest.approx(1 / 0.0167)
    assert amazon.stats.requests["getOrders"] == 1


def test_a_server_error_is_retried_once_then_raised_as_retryable(amazon, connect):
    amazon.seed_listing("LINEN-1", 5)
    account = connect(amazon)
    amazon.faults.fail("getListingsItem", status=503, times=1)
    assert _read(account).quantity == 5

    amazon.faults.fail("getListingsItem", status=500, times=2)
    with pytest.raises(RetryableError):
        _read(account)
    assert amazon.stats.requests["getListingsItem"] == 4


def test_the_rate_amazon_announces_replaces_a_higher_default(amazon, connect):
    amazon.seed_listing("LINEN-1", 5)
    amazon.state.rate_limiter.plans["getListingsItem"] = UsagePlan(0.5, 10)
    account = connect(amazon)
    connector = account_connector(account=account)

    connector.listing_fetch(sku="LINEN-1")

    assert connector.plans.rate("getListingsItem") == 0.5
    assert connector.plans.rate("patchListingsItem") == 5.0


def test_webhooks_are_refused_since_amazon_sends_none(amazon, connect):
    account = connect(amazon)

    assert capabilities_of(AmazonConnector) == ["PullsNotifications", "ConfirmsFulfilment", "RanksByDemand"]
    with pytest.raises(WebhookSignatureError):
        webhook_receive(account=account, headers={}, body=b"{}")
    assert not InboundEvent.objects.exists()


def test_each_operation_takes_its_token_from_the_engines_shared_bucket(amazon, connect, settings):
    from channels_app.models import RateLimitBucket

    settings.CHANNELS_RATE_LIMIT_BACKEND = "db"
    amazon.seed_listing("LINEN-1", 5)
    account = connect(amazon)

    _read(account)
    _read(account)

    assert list(RateLimitBucket.objects.order_by("key").values_list("key", flat=True)) == [
        f"channel-account:{account.pk}:getListingsItem"
    ]
