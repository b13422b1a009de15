"""The fake Amazon SP-API behaves as Amazon documents it (no database needed).

Every SP-API answer goes through `SpApiCaller.call`, which validates it (and the request) against Amazon's
own models from ../shared/specs when that folder exists.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from config.sandbox.amazon import FakeAmazon, FakeConfig, OutOfStock, fake_amazon_fixture
from config.sandbox.amazon.testing import (
    MARKETPLACE,
    SpApiCaller,
    lwa_refresh,
)

amazon = fake_amazon_fixture()


@pytest.fixture
def api(amazon):
    return SpApiCaller(amazon, amazon.access_token())


def test_lwa_refresh_grant_gives_a_bearer_token_that_opens_the_sp_api(amazon):
    answer = lwa_refresh(amazon)

    assert answer.status_code == 200
    token = answer.json()
    assert token["token_type"] == "bearer"
    assert token["expires_in"] == 3600
    assert token["access_token"].startswith("Atza|")
    assert token["refresh_token"] == amazon.config.refresh_token
    ok = SpApiCaller(amazon, token["access_token"]).call(
        "getOrders",
        "GET",
        "/orders/v0/orders",
        params={"MarketplaceIds": MARKETPLACE, "CreatedAfter": "2026-01-01T00:00:00Z"},
    )
    assert ok.status_code == 200


def test_lwa_bad_client_secret_is_401_invalid_client_and_issues_no_token(amazon):
    answer = lwa_refresh(amazon, client_secret="wrong")

    assert answer.status_code == 401
    assert answer.json()["error"] == "invalid_client"
    assert amazon.state.access_tokens == {}


def test_lwa_revoked_refresh_token_is_400_invalid_grant(amazon):
    old = amazon.config.refresh_token
    amazon.state.revoke_refresh_token()

    answer = lwa_refresh(amazon, refresh_token=old)

    assert answer.status_code == 400
    assert answer.json() == {
        "error_description": "The request has an invalid grant parameter : refresh_token. "
        "User may have revoked or didn't grant the permission.",
        "error": "invalid_grant",
    }
    assert lwa_refresh(amazon, grant_type="client_credentials").json()["error"] == "unsupported_grant_type"
    assert amazon.state.access_tokens == {}


# ----------------------------------------------------------------------------- access tokens
def test_sp_api_without_token_is_403_unauthorized(amazon):
    answer = SpApiCaller(amazon, None).call(
        "getOrders", "GET", "/orders/v0/orders", params={"MarketplaceIds": MARKETPLACE}
    )

    assert answer.status_code == 403
    assert answer.json() == {
        "errors": [
            {
                "code": "Unauthorized",
                "message": "Access to requested resource is denied.",
                "details": "Access token is missing in the request header.",
            }
        ]
    }
    assert amazon.stats.throttled["getOrders"] == 0
    assert amazon.state.rate_limiter.available("getOrders") == 20


def test_sp_api_token_expires_after_an_hour_of_fake_time(amazon):
    api = SpApiCaller(amazon, lwa_refresh(amazon).json()["access_token"])
    params = {"MarketplaceIds": MARKETPLACE, "CreatedAfter": "2026-01-01T00:00:00Z"}
    amazon.advance(3599)
    assert api.call("getOrders", "GET", "/orders/v0/orders", params=params).status_code == 200

    amazon.advance(1)
    expired = api.call("getOrders", "GET", "/orders/v0/orders", params=params)
    unknown = api.call("getOrders", "GET", "/orders/v0/orders", params=params, token="Atza|forged")

    assert expired.status_code == 403
    assert expired.json()["errors"][0]["details"] == "The access token you provided has expired."
    assert expired.json()["errors"][0]["message"] == "Access to requested resource is denied."
    assert unknown.status_code == 403
    assert unknown.json()["errors"][0]["code"] == "Unauthorized"
    assert lwa_refresh(amazon).status_code == 200  # the refresh token still works after expiry


# ----------------------------------------------------------------------------- getOrders
def test_get_orders_pages_with_next_token_and_returns_each_order_once(amazon, api):
    amazon.seed_listing("SHEET", 10)
    placed = []
    for _ in range(5):
        placed.append(amazon.place_order("SHEET", 1).amazon_order_id)
        amazon.advance(10)

    seen, pages, token = [], 0, None
    while True:
        params = (
            {"NextToken": token}
            if token
            else {"LastUpdatedAfter": "2026-01-15T00:00:00Z", "MaxResultsPerPage": "2"}
        )
        payload = api.get_orders(**params).json()["payload"]
        pages += 1
        seen += [o["AmazonOrderId"] for o in payload["Orders"]]
        assert "LastUpdatedBefore" in payload
        token = payload.get("NextToken")
        if not token:
            break

    assert pages == 3
    assert seen == placed
    assert api.get_orders(NextToken="used-or-made-up").status_code == 400


def test_get_orders_last_updated_after_returns_only_later_changes(amazon, api):
    amazon.seed_listing("SHEET", 10)
    old = amazon.place_order("SHEET", 1)
    amazon.advance(60)
    new = amazon.place_order("SHEET", 1)
    amazon.advance(600)  # both become Unshipped at PurchaseDate + 300 s
    amazon.cancel_order(old.amazon_order_id)
    cutoff = "2026-01-15T12:06:00Z"  # after new's payment (12:06:00 inclusive), before the cancel

    payload = api.get_orders(LastUpdatedAfter=cutoff).json()["payload"]

    assert [(o["AmazonOrderId"], o["OrderStatus"]) for o in payload["Orders"]] == [
        (new.amazon_order_id, "Unshipped"),
        (old.amazon_order_id, "Canceled"),
    ]
    only_cancelled = api.get_orders(LastUpdatedAfter=cutoff, OrderStatuses="Canceled").json()["payload"]
    assert [o["AmazonOrderId"] for o in only_cancelled["Orders"]] == [old.amazon_order_id]


def test_get_orders_rejects_invalid_input_with_400(amazon, api):
    no_market = api.call(
        "getOrders", "GET", "/orders/v0/orders", params={"CreatedAfter": "2026-01-01T00:00:00Z"}
    )
    no_date = api.get_orders()
    both = api.get_orders(CreatedAfter="2026-01-01T00:00:00Z", LastUpdatedAfter="2026-01-01T00:00:00Z")
    too_recent = api.get_orders(
        LastUpdatedAfter="2026-01-15T11:00:00Z", LastUpdatedBefore="2026-01-15T11:59:00Z"
    )
    not_a_date = api.get_orders(LastUpdatedAfter="yesterday")
    too_big = api.get_orders(LastUpdatedAfter="2026-01-01T00:00:00Z", MaxResultsPerPage="101")

    for answer in (no_market, no_date, both, too_recent, not_a_date, too_big):
        assert answer.status_code == 400
        assert answer.json()["errors"][0]["code"] == "InvalidInput"
    assert "Either CreatedAfter or LastUpdatedAfter" in no_date.json()["errors"][0]["message"]
    assert (
        api.get_orders(
            LastUpdatedAfter="2026-01-15T11:00:00Z", LastUpdatedBefore="2026-01-15T11:58:00Z"
        ).status_code
        == 200
    )


# ----------------------------------------------------------------------------- usage plans
def test_get_orders_quota_exceeded_after_burst_of_20_then_one_per_minute(amazon, api):
    for _ in range(20):
        assert api.get_orders(CreatedAfter="2026-01-01T00:00:00Z").status_code == 200

    throttled = api.get_orders(CreatedAfter="2026-01-01T00:00:00Z")
    assert throttled.status_code == 429
    assert throttled.json() == {
        "errors": [
            {
                "code": "QuotaExceeded",
                "message": "You exceeded your quota for the requested resource.",
                "details": "",
            }
        ]
    }
    amazon.advance(59)  # 59 s x 0.0167 = 0.985 token: still empty
    assert api.get_orders(CreatedAfter="2026-01-01T00:00:00Z").status_code == 429
    amazon.advance(1)
    assert api.get_orders(CreatedAfter="2026-01-01T00:00:00Z").status_code == 200
    assert api.get_orders(CreatedAfter="2026-01-01T00:00:00Z").status_code == 429
    assert amazon.stats.requests["getOrders"] == 24
    assert amazon.stats.throttled["getOrders"] == 3
    assert amazon.stats.throttled["getOrderItems"] == 0


def test_rate_limit_header_and_request_id_on_answers(amazon, api):
    amazon.seed_listing("SHEET", 3)
    orders_answer = api.get_orders(CreatedAfter="2026-01-01T00:00:00Z")
    listing_answer = api.call(
        "getListingsItem",
        "GET",
        f"/listings/2021-08-01/items/{amazon.config.seller_id}/SHEET",
        params={"marketplaceIds": MARKETPLACE},
    )

    assert orders_answer.headers["x-amzn-RateLimit-Limit"] == "0.0167"
    assert listing_answer.headers["x-amzn-RateLimit-Limit"] == "5.0"
    assert len(orders_answer.headers["x-amzn-RequestId"]) == 36
    assert orders_answer.headers["x-amzn-RequestId"] != listing_answer.headers["x-amzn-RequestId"]


# ----------------------------------------------------------------------------- listings
def test_listings_patch_sets_quantity_and_a_placed_order_decrements_it(amazon, api):
    amazon.seed_listing("SHEET", 2)

    answer = api.patch_quantity("SHEET", 7)

    assert answer.status_code == 200
    assert answer.json()["status"] == "ACCEPTED"
    assert answer.json()["issues"] == []
    assert answer.json()["sku"] == "SHEET"
    assert amazon.quantity("SHEET") == 7
    amazon.place_order("SHEET", 3)
    item = api.call(
        "getListingsItem",
        "GET",
        f"/listings/2021-08-01/items/{amazon.config.seller_id}/SHEET",
        params={
            "marketplaceIds": MARKETPLACE,
            "includedData": "summaries,attributes,fulfillmentAvailability",
        },
    ).json()
    assert item["fulfillmentAvailability"] == [{"fulfillmentChannelCode": "DEFAULT", "quantity": 4}]
    assert item["attributes"]["fulfillment_availability"] == [
        {"fulfillment_channel_code": "DEFAULT", "quantity": 4}
    ]
    assert item["summaries"][0]["status"] == ["BUYABLE", "DISCOVERABLE"]


def test_listings_patch_invalid_for_unknown_rejected_or_negative_changes_nothing(amazon, api):
    amazon.seed_listing("SHEET", 2)
    amazon.seed_listing("BAD", 5, reject_updates="The listing is suppressed.")

    unknown = api.patch_quantity("NOPE", 1).json()
    rejected = api.patch_quantity("BAD", 1).json()
    negative = api.patch_quantity("SHEET", -1).json()
    preview = api.patch_quantity("SHEET", 9, mode="VALIDATION_PREVIEW").json()

    assert [unknown["status"], rejected["status"], negative["status"], preview["status"]] == [
        "INVALID",
        "INVALID",
        "INVALID",
        "VALID",
    ]
    assert rejected["issues"][0]["message"] == "The listing is suppressed."
    assert rejected["issues"][0]["severity"] == "ERROR"
    assert (amazon.quantity("SHEET"), amazon.quantity("BAD")) == (2, 5)
    assert amazon.listing("SHEET").updates == []
    missing = api.call(
        "getListingsItem",
        "GET",
        f"/listings/2021-08-01/items/{amazon.config.seller_id}/NOPE",
        params={"marketplaceIds": MARKETPLACE},
    )
    assert missing.status_code == 404


def test_place_order_refused_when_marketplace_shows_no_stock(amazon):
    amazon.seed_listing("DUVET", 1)
    amazon.place_order("DUVET", 1)

    with pytest.raises(OutOfStock):
        amazon.place_order("DUVET", 1)
    assert amazon.quantity("DUVET") == 0
    assert len(amazon.state.orders) == 1


def test_pending_order_hides_prices_then_becomes_unshipped_after_payment(amazon, api):
    amazon.seed_listing("SHEET", 5, price="25.00")
    order = amazon.place_order("SHEET", 2)
    path = f"/orders/v0/orders/{order.amazon_order_id}/orderItems"

    pending_item = api.call("getOrderItems", "GET", path).json()["payload"]["OrderItems"][0]
    amazon.advance(300)
    paid_item = api.call("getOrderItems", "GET", path).json()["payload"]["OrderItems"][0]

    assert "ItemPrice" not in pending_item
    assert paid_item["ItemPrice"] == {"CurrencyCode": "USD", "Amount": "50.00"}
    assert (paid_item["SellerSKU"], paid_item["QuantityOrdered"], paid_item["QuantityShipped"]) == (
        "SHEET",
        2,
        0,
    )
    assert amazon.order(order.amazon_order_id).status == "Unshipped"


def test_cancelled_order_gives_units_back(amazon):
    amazon.seed_listing("SHEET", 3)
    order = amazon.place_order("SHEET", 2)

    amazon.cancel_order(order.amazon_order_id)

    assert amazon.quantity("SHEET") == 3
    assert amazon.order(order.amazon_order_id).status == "Canceled"


def test_get_order_items_pages_with_next_token():
    with FakeAmazon(config=FakeConfig(order_items_page_size=2)) as fake:
        api = SpApiCaller(fake, fake.access_token())
        for sku in "ABCDE":
            fake.seed_listing(sku, 1)
        order = fake.place_order(lines=[(sku, 1) for sku in "ABCDE"])
        path = f"/orders/v0/orders/{order.amazon_order_id}/orderItems"
        skus, token = [], None
        while True:
            payload = api.call(
                "getOrderItems", "GET", path, params={"NextToken": token} if token else None
            ).json()
            skus += [i["SellerSKU"] for i in payload["payload"]["OrderItems"]]
            token = payload["payload"].get("NextToken")
            if not token:
                break
    assert skus == list("ABCDE")


def test_fba_listing_shows_no_seller_quantity_and_a_push_to_it_is_recorded(amazon, api):
    amazon.seed_listing("TOWEL", 20, fulfillment_channel_code="AMAZON_NA")

    item = api.call(
        "getListingsItem",
        "GET",
        api.listing_path("TOWEL"),
        params={"marketplaceIds": MARKETPLACE, "includedData": "fulfillmentAvailability"},
    ).json()
    order = amazon.place_order("TOWEL", 1)

    assert item["fulfillmentAvailability"] == [{"fulfillmentChannelCode": "AMAZON_NA"}]
    assert order.fulfillment_channel == "AFN"
    assert amazon.listing("TOWEL").updates == []
    api.patch_quantity("TOWEL", 5)
    assert amazon.listing("TOWEL").fulfillment_channel_code == "DEFAULT"
    assert [u["source"] for u in amazon.listing("TOWEL").updates] == ["patchListingsItem"]


def test_accepted_listing_updates_land_after_the_configured_delay():
    with FakeAmazon(config=FakeConfig(listing_apply_delay=120)) as fake:
        fake.seed_listing("SHEET", 9)
        answer = SpApiCaller(fake, fake.access_token()).patch_quantity("SHEET", 0)
        before = fake.quantity("SHEET")
        fake.advance(120)
        after = fake.quantity("SHEET")

    assert answer.json()["status"] == "ACCEPTED"
    assert (before, after) == (9, 0)


def test_parallel_callers_share_one_bucket_and_no_count_is_lost(amazon):
    amazon.seed_listing("SHEET", 1)
    order = amazon.place_order("SHEET", 1)
    token = amazon.access_token()
    url = f"{amazon.base_url}/orders/v0/orders/{order.amazon_order_id}/orderItems"

    def fetch(_):
        return requests.get(url, headers={"x-amz-access-token": token}, timeout=10).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = sorted(pool.map(fetch, range(40)))

    assert codes == [200] * 30 + [429] * 10
    assert amazon.stats.requests["getOrderItems"] == 40
    assert amazon.stats.throttled["getOrderItems"] == 10


def test_an_order_of_two_lines_of_one_sku_needs_both_units(amazon):
    amazon.seed_listing("SHEET", 1)

    with pytest.raises(OutOfStock):
        amazon.place_order(lines=[("SHEET", 1), ("SHEET", 1)])
    assert amazon.quantity("SHEET") == 1


def test_percent_encoded_skus_reach_their_listing_but_an_encoded_slash_is_denied(amazon, api):
    amazon.seed_listing("LINEN 1", 4)
    amazon.seed_listing("LINEN/2", 4)

    answer = api.patch_quantity("LINEN%201", 2)
    slash = api.patch_quantity("LINEN%2F2", 2)

    assert answer.json()["status"] == "ACCEPTED"
    assert answer.json()["sku"] == "LINEN 1"
    assert amazon.quantity("LINEN 1") == 2
    assert slash.status_code == 403
    assert slash.json()["errors"][0]["code"] == "Unauthorized"
    assert amazon.quantity("LINEN/2") == 4
