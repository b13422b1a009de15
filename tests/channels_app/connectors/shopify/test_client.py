"""The GraphQL client against the fake shop: cost bucket, THROTTLED, 429, 5xx, auth, versions."""

from __future__ import annotations

import pytest

from channels_app.connectors.dto import AccountConfig
from channels_app.connectors.errors import ConnectorError, RetryableError
from channels_app.connectors.registry import connector_build
from channels_app.connectors.shopify import queries
from config.sandbox.shopify import FakeShopify, LeakyBucket
from config.sandbox.shopify.fixtures import TODAY


def test_a_throttled_answer_is_retried_once_the_deficit_is_restored(fake_shopify, shop_connector):
    connector = shop_connector(page_size=7)
    connector.listings_fetch(cursor=None)  # the client has seen a full bucket
    fake_shopify.reset_counters()
    fake_shopify.bucket.drain(to=0)  # another worker spent it meanwhile

    page = connector.listings_fetch(cursor=None)

    assert len(page.listings) == 7
    assert fake_shopify.counters["throttled"] == 1
    assert connector.client.throttled == 1
    assert fake_shopify.counters["query:productVariants"] == 1


def test_the_client_waits_before_the_bucket_runs_dry_instead_of_being_throttled(fake_shopify, shop_connector):
    connector = shop_connector(page_size=7)
    connector.listings_fetch(cursor=None)  # the fake validates its first query slowly: warm it up
    fake_shopify.bucket = LeakyBucket(60, 30)  # one 7-variant page costs 37 points
    connector.client.bucket = None

    seen, cursor = [], None
    for _ in range(4):
        page = connector.listings_fetch(cursor=cursor)
        seen.extend(page.listings)
        cursor = page.next_cursor
        if cursor is None:
            break

    assert len(seen) == 20
    assert fake_shopify.counters.get("throttled", 0) == 0
    assert connector.client.bucket.maximum == 60


def test_a_wait_longer_than_allowed_is_raised_for_the_engine_with_retry_after(fake_shopify, shop_connector):
    connector = shop_connector(page_size=7, throttle_wait_seconds=0)
    connector.listings_fetch(cursor=None)
    fake_shopify.reset_counters()
    fake_shopify.bucket.drain(to=0)

    with pytest.raises(RetryableError) as caught:
        connector.listings_fetch(cursor=None)

    assert 0.7 <= caught.value.retry_after <= 0.8  # (37 requested + 1) / 50 per second
    assert fake_shopify.counters["throttled"] == 1
    assert fake_shopify.counters["requests"] == 1


def test_http_429_is_retried_after_retry_after(fake_shopify, shop_connector):
    connector = shop_connector()
    fake_shopify.faults.rate_limit_next(1, retry_after=0.2)

    page = connector.listings_fetch(cursor=None)

    assert len(page.listings) == 20
    assert fake_shopify.counters["injected_429"] == 1
    assert fake_shopify.counters["query:productVariants"] == 1


def test_http_429_with_a_long_retry_after_is_left_to_the_engine(fake_shopify, shop_connector):
    connector = shop_connector()
    fake_shopify.faults.rate_limit_next(1, retry_after=30)

    with pytest.raises(RetryableError) as caught:
        connector.listings_fetch(cursor=None)

    assert caught.value.retry_after == 30
    assert fake_shopify.counters["requests"] == 1


def test_5xx_is_retried_for_queries_but_not_for_a_mutation_that_may_have_run(fake_shopify, shop_connector):
    client = shop_connector().client
    fake_shopify.faults.fail_next(1, status=503)

    data = client.execute(queries.LOCATIONS, {"first": 5}, operation="StockmasterLocations")
    fake_shopify.faults.fail_next(1, status=502)
    with pytest.raises(RetryableError):
        client.execute(
            queries.FULFILLMENT_CREATE,
            {"fulfillment": {"lineItemsByFulfillmentOrder": []}},
            operation="StockmasterFulfillmentCreate",
            idempotent=False,
        )

    assert len(data["locations"]["nodes"]) == 2
    assert fake_shopify.counters["injected_503"] == 1
    assert fake_shopify.counters["injected_502"] == 1
    assert fake_shopify.counters.get("mutation:fulfillmentCreate", 0) == 0


def test_a_wrong_token_is_a_permanent_error_that_does_not_leak_the_token(fake_shopify, shop_connector):
    connector = shop_connector(credentials={"access_token": "shpat_wrong_secret", "webhook_secret": "x"})

    with pytest.raises(ConnectorError) as caught:
        connector.listings_fetch(cursor=None)

    assert not isinstance(caught.value, RetryableError)
    assert "401" in str(caught.value)
    assert "shpat_wrong_secret" not in str(caught.value)


def test_graphql_errors_are_permanent_errors(shop_connector):
    client = shop_connector().client

    with pytest.raises(ConnectorError) as caught:
        client.execute("query Bad { shop { noSuchField } }", {}, operation="Bad")

    assert "noSuchField" in str(caught.value)


def test_an_unsupported_old_version_falls_forward_and_its_rules_follow(settings):
    settings.CHANNELS_ALLOW_PRIVATE_HOSTS = True
    fake = FakeShopify(today=TODAY).start()  # supports 2026-01 .. 2026-10
    try:
        fake.state.seed(seed=1)
        config = AccountConfig(
            account_id=1,
            base_url=fake.url,
            credentials={"access_token": fake.access_token},
            options={"api_version": "2025-07", "location_id": next(iter(fake.state.locations.values())).gid},
        )
        connector = connector_build(kind="shopify", config=config)

        assert connector.client.rules.change_from_quantity is False
        connector.listings_fetch(cursor=None)

        assert connector.client.served_version == "2026-01"
        assert connector.client.rules.change_from_quantity is True
    finally:
        fake.stop()


def test_a_malformed_version_option_is_refused(fake_shopify, shop_connector):
    with pytest.raises(ConnectorError):
        shop_connector(api_version="2026-02")
