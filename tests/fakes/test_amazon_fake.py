"""The fake Amazon SP-API behaves as Amazon documents it (no database needed).

Every SP-API answer goes through `Api.call`, which validates it (and the request) against Amazon's
own models from ../shared/specs when that folder exists.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import time

import pytest
import requests

from tests.fakes.amazon import FakeAmazon, FakeConfig, OutOfStock, fake_amazon_fixture, specs

MARKETPLACE = "ATVPDKIKX0DER"
SPECS = specs.specs_dir() is not None
needs_specs = pytest.mark.skipif(not SPECS, reason="../shared/specs/amazon is absent")
MODEL_OF = {
    "getOrders": "orders",
    "getOrder": "orders",
    "getOrderItems": "orders",
    "confirmShipment": "orders",
    "getListingsItem": "listings",
    "patchListingsItem": "listings",
    "createFeedDocument": "feeds",
    "createFeed": "feeds",
    "getFeed": "feeds",
    "cancelFeed": "feeds",
    "getFeedDocument": "feeds",
}

amazon = fake_amazon_fixture()


class Api:
    """A bare SP-API caller that validates every request and answer against Amazon's models."""

    def __init__(self, fake: FakeAmazon, token: str | None) -> None:
        self.fake = fake
        self.token = token
        self.validated = 0

    def call(self, operation: str, method: str, path: str, *, params=None, body=None, token=...):
        headers = (
            {}
            if token is None or (token is ... and self.token is None)
            else {"x-amz-access-token": self.token if token is ... else token}
        )
        response = requests.request(
            method, self.fake.base_url + path, params=params, json=body, headers=headers, timeout=10
        )
        if SPECS:
            model = specs.model(MODEL_OF[operation])
            parsed = response.json() if response.content else None
            model.validate_response(operation, response.status_code, parsed, response.headers)
            if response.status_code < 300:
                model.validate_request(operation, query=params, body=body)
            self.validated += 1
        return response


@pytest.fixture
def api(amazon):
    return Api(amazon, amazon.access_token())


def lwa(fake: FakeAmazon, **overrides):
    form = {
        "grant_type": "refresh_token",
        "refresh_token": fake.config.refresh_token,
        "client_id": fake.config.client_id,
        "client_secret": fake.config.client_secret,
        **overrides,
    }
    return requests.post(fake.lwa_url, data=form, timeout=10)


def orders_page(api: Api, **params):
    query = {"MarketplaceIds": MARKETPLACE, **params}
    return api.call("getOrders", "GET", "/orders/v0/orders", params=query)


# ----------------------------------------------------------------------------- Login with Amazon
def test_lwa_refresh_grant_gives_a_bearer_token_that_opens_the_sp_api(amazon):
    answer = lwa(amazon)

    assert answer.status_code == 200
    token = answer.json()
    assert token["token_type"] == "bearer"
    assert token["expires_in"] == 3600
    assert token["access_token"].startswith("Atza|")
    assert token["refresh_token"] == amazon.config.refresh_token
    ok = Api(amazon, token["access_token"]).call(
        "getOrders",
        "GET",
        "/orders/v0/orders",
        params={"MarketplaceIds": MARKETPLACE, "CreatedAfter": "2026-01-01T00:00:00Z"},
    )
    assert ok.status_code == 200


def test_lwa_bad_client_secret_is_401_invalid_client_and_issues_no_token(amazon):
    answer = lwa(amazon, client_secret="wrong")

    assert answer.status_code == 401
    assert answer.json()["error"] == "invalid_client"
    assert amazon.state.access_tokens == {}


def test_lwa_revoked_refresh_token_is_400_invalid_grant(amazon):
    old = amazon.config.refresh_token
    amazon.state.revoke_refresh_token()

    answer = lwa(amazon, refresh_token=old)

    assert answer.status_code == 400
    assert answer.json() == {
        "error_description": "The request has an invalid grant parameter : refresh_token. "
        "User may have revoked or didn't grant the permission.",
        "error": "invalid_grant",
    }
    assert lwa(amazon, grant_type="client_credentials").json()["error"] == "unsupported_grant_type"
    assert amazon.state.access_tokens == {}


# ----------------------------------------------------------------------------- access tokens
def test_sp_api_without_token_is_403_unauthorized(amazon):
    answer = Api(amazon, None).call(
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
    api = Api(amazon, lwa(amazon).json()["access_token"])
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
    assert lwa(amazon).status_code == 200  # the refresh token still works after expiry


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
        payload = orders_page(api, **params).json()["payload"]
        pages += 1
        seen += [o["AmazonOrderId"] for o in payload["Orders"]]
        assert "LastUpdatedBefore" in payload
        token = payload.get("NextToken")
        if not token:
            break

    assert pages == 3
    assert seen == placed
    assert orders_page(api, NextToken="used-or-made-up").status_code == 400


def test_get_orders_last_updated_after_returns_only_later_changes(amazon, api):
    amazon.seed_listing("SHEET", 10)
    old = amazon.place_order("SHEET", 1)
    amazon.advance(60)
    new = amazon.place_order("SHEET", 1)
    amazon.advance(600)  # both become Unshipped at PurchaseDate + 300 s
    amazon.cancel_order(old.amazon_order_id)
    cutoff = "2026-01-15T12:06:00Z"  # after new's payment (12:06:00 inclusive), before the cancel

    payload = orders_page(api, LastUpdatedAfter=cutoff).json()["payload"]

    assert [(o["AmazonOrderId"], o["OrderStatus"]) for o in payload["Orders"]] == [
        (new.amazon_order_id, "Unshipped"),
        (old.amazon_order_id, "Canceled"),
    ]
    only_cancelled = orders_page(api, LastUpdatedAfter=cutoff, OrderStatuses="Canceled").json()["payload"]
    assert [o["AmazonOrderId"] for o in only_cancelled["Orders"]] == [old.amazon_order_id]


def test_get_orders_rejects_invalid_input_with_400(amazon, api):
    no_market = api.call(
        "getOrders", "GET", "/orders/v0/orders", params={"CreatedAfter": "2026-01-01T00:00:00Z"}
    )
    no_date = orders_page(api)
    both = orders_page(api, CreatedAfter="2026-01-01T00:00:00Z", LastUpdatedAfter="2026-01-01T00:00:00Z")
    too_recent = orders_page(
        api, LastUpdatedAfter="2026-01-15T11:00:00Z", LastUpdatedBefore="2026-01-15T11:59:00Z"
    )
    not_a_date = orders_page(api, LastUpdatedAfter="yesterday")
    too_big = orders_page(api, LastUpdatedAfter="2026-01-01T00:00:00Z", MaxResultsPerPage="101")

    for answer in (no_market, no_date, both, too_recent, not_a_date, too_big):
        assert answer.status_code == 400
        assert answer.json()["errors"][0]["code"] == "InvalidInput"
    assert "Either CreatedAfter or LastUpdatedAfter" in no_date.json()["errors"][0]["message"]
    assert (
        orders_page(
            api, LastUpdatedAfter="2026-01-15T11:00:00Z", LastUpdatedBefore="2026-01-15T11:58:00Z"
        ).status_code
        == 200
    )


# ----------------------------------------------------------------------------- usage plans
def test_get_orders_quota_exceeded_after_burst_of_20_then_one_per_minute(amazon, api):
    for _ in range(20):
        assert orders_page(api, CreatedAfter="2026-01-01T00:00:00Z").status_code == 200

    throttled = orders_page(api, CreatedAfter="2026-01-01T00:00:00Z")
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
    assert orders_page(api, CreatedAfter="2026-01-01T00:00:00Z").status_code == 429
    amazon.advance(1)
    assert orders_page(api, CreatedAfter="2026-01-01T00:00:00Z").status_code == 200
    assert orders_page(api, CreatedAfter="2026-01-01T00:00:00Z").status_code == 429
    assert amazon.stats.requests["getOrders"] == 24
    assert amazon.stats.throttled["getOrders"] == 3
    assert amazon.stats.throttled["getOrderItems"] == 0


def test_rate_limit_header_and_request_id_on_answers(amazon, api):
    amazon.seed_listing("SHEET", 3)
    orders_answer = orders_page(api, CreatedAfter="2026-01-01T00:00:00Z")
    listing_answer = api.call(
        "getListingsItem",
        "GET",
        f"/listings/2021-08-01/items/{amazon.config.seller_id}/SHEET",
        params={"marketplaceIds": MARKETPLACE},
    )

    assert orders_answer.headers["x-amzn-RateLimit-Limit"] == "0.0167"
    assert listing_answer.headers["x-amzn-RateLimit-Limit"] == "5"
    assert len(orders_answer.headers["x-amzn-RequestId"]) == 36
    assert orders_answer.headers["x-amzn-RequestId"] != listing_answer.headers["x-amzn-RequestId"]


# ----------------------------------------------------------------------------- listings
def patch_quantity(api: Api, sku: str, quantity, **params):
    body = {
        "productType": "PRODUCT",
        "patches": [
            {
                "op": "replace",
                "path": "/attributes/fulfillment_availability",
                "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": quantity}],
            }
        ],
    }
    path = f"/listings/2021-08-01/items/{api.fake.config.seller_id}/{sku}"
    return api.call(
        "patchListingsItem", "PATCH", path, params={"marketplaceIds": MARKETPLACE, **params}, body=body
    )


def test_listings_patch_sets_quantity_and_a_placed_order_decrements_it(amazon, api):
    amazon.seed_listing("SHEET", 2)

    answer = patch_quantity(api, "SHEET", 7)

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

    unknown = patch_quantity(api, "NOPE", 1).json()
    rejected = patch_quantity(api, "BAD", 1).json()
    negative = patch_quantity(api, "SHEET", -1).json()
    preview = patch_quantity(api, "SHEET", 9, mode="VALIDATION_PREVIEW").json()

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
        api = Api(fake, fake.access_token())
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


# ----------------------------------------------------------------------------- feeds
def listings_feed(seller_id: str, quantities: dict[str, int]) -> dict:
    return {
        "header": {"sellerId": seller_id, "version": "2.0", "issueLocale": "en_US"},
        "messages": [
            {
                "messageId": n,
                "sku": sku,
                "operationType": "PATCH",
                "productType": "PRODUCT",
                "patches": [
                    {
                        "op": "replace",
                        "path": "/attributes/fulfillment_availability",
                        "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": qty}],
                    }
                ],
            }
            for n, (sku, qty) in enumerate(quantities.items(), start=1)
        ],
    }


def submit_feed(api: Api, document: dict, content_type: str = "application/json; charset=UTF-8") -> str:
    created = api.call(
        "createFeedDocument", "POST", "/feeds/2021-06-30/documents", body={"contentType": content_type}
    )
    assert created.status_code == 201
    upload = requests.put(
        created.json()["url"],
        data=json.dumps(document).encode(),
        headers={"Content-Type": content_type},
        timeout=10,
    )
    assert upload.status_code == 200
    feed = api.call(
        "createFeed",
        "POST",
        "/feeds/2021-06-30/feeds",
        body={
            "feedType": "JSON_LISTINGS_FEED",
            "marketplaceIds": [MARKETPLACE],
            "inputFeedDocumentId": created.json()["feedDocumentId"],
        },
    )
    assert feed.status_code == 202
    return feed.json()["feedId"]


def test_feed_round_trip_applies_good_skus_and_reports_the_bad_one(amazon, api):
    amazon.seed_listing("SHEET", 1)
    amazon.seed_listing("PILLOW", 1)
    amazon.seed_listing("BAD", 1, reject_updates="'[batteries_required]' is required but not supplied.")
    document = listings_feed(amazon.config.seller_id, {"SHEET": 10, "BAD": 4, "PILLOW": 0})
    if SPECS:
        specs.validate_listings_feed(document)

    feed_id = submit_feed(api, document)
    statuses = [api.call("getFeed", "GET", f"/feeds/2021-06-30/feeds/{feed_id}").json()["processingStatus"]]
    amazon.advance(30)
    statuses.append(
        api.call("getFeed", "GET", f"/feeds/2021-06-30/feeds/{feed_id}").json()["processingStatus"]
    )
    assert amazon.quantity("SHEET") == 1  # nothing applied while IN_PROGRESS
    amazon.advance(60)
    done = api.call("getFeed", "GET", f"/feeds/2021-06-30/feeds/{feed_id}").json()
    statuses.append(done["processingStatus"])
    document_info = api.call(
        "getFeedDocument", "GET", f"/feeds/2021-06-30/documents/{done['resultFeedDocumentId']}"
    ).json()
    report = requests.get(document_info["url"], timeout=10).json()

    assert statuses == ["IN_QUEUE", "IN_PROGRESS", "DONE"]
    assert (amazon.quantity("SHEET"), amazon.quantity("PILLOW"), amazon.quantity("BAD")) == (10, 0, 1)
    assert report["summary"] == {
        "errors": 1,
        "warnings": 0,
        "messagesProcessed": 3,
        "messagesAccepted": 2,
        "messagesInvalid": 1,
    }
    assert [(i["messageId"], i["sku"], i["severity"]) for i in report["issues"]] == [(2, "BAD", "ERROR")]
    assert report["issues"][0]["message"] == "'[batteries_required]' is required but not supplied."
    assert report["header"]["feedId"] == feed_id
    if SPECS:
        specs.validate_processing_report(report)


def test_feed_report_can_be_gzipped_and_fatal_feeds_report_why():
    with FakeAmazon(config=FakeConfig(feed_report_gzip=True)) as fake:
        api = Api(fake, fake.access_token())
        feed_id = submit_feed(api, {"header": {"sellerId": "SOMEONE-ELSE", "version": "2.0"}, "messages": []})
        fake.advance(90)
        feed = api.call("getFeed", "GET", f"/feeds/2021-06-30/feeds/{feed_id}").json()
        info = api.call(
            "getFeedDocument", "GET", f"/feeds/2021-06-30/documents/{feed['resultFeedDocumentId']}"
        ).json()
        report = json.loads(gzip.decompress(requests.get(info["url"], timeout=10).content))

    assert feed["processingStatus"] == "FATAL"
    assert info["compressionAlgorithm"] == "GZIP"
    assert report["summary"]["messagesProcessed"] == 0
    assert "sellerId" in report["issues"][0]["message"]
    if SPECS:
        specs.validate_processing_report(report)


def test_feed_upload_url_checks_content_type_and_expires(amazon, api):
    created = api.call(
        "createFeedDocument",
        "POST",
        "/feeds/2021-06-30/documents",
        body={"contentType": "application/json; charset=UTF-8"},
    ).json()

    wrong_type = requests.put(created["url"], data=b"{}", headers={"Content-Type": "text/plain"}, timeout=10)
    amazon.advance(301)
    late = requests.put(
        created["url"], data=b"{}", headers={"Content-Type": "application/json; charset=UTF-8"}, timeout=10
    )
    unuploaded = api.call(
        "createFeed",
        "POST",
        "/feeds/2021-06-30/feeds",
        body={
            "feedType": "JSON_LISTINGS_FEED",
            "marketplaceIds": [MARKETPLACE],
            "inputFeedDocumentId": created["feedDocumentId"],
        },
    )

    assert wrong_type.status_code == 403
    assert b"<Code>SignatureDoesNotMatch</Code>" in wrong_type.content
    assert late.status_code == 403
    assert b"<Code>AccessDenied</Code>" in late.content
    assert unuploaded.status_code == 400
    assert amazon.state.feeds.feeds == {}


def test_cancel_feed_only_while_in_queue(amazon, api):
    amazon.seed_listing("SHEET", 1)
    first = submit_feed(api, listings_feed(amazon.config.seller_id, {"SHEET": 5}))
    assert api.call("cancelFeed", "DELETE", f"/feeds/2021-06-30/feeds/{first}").status_code == 200
    amazon.advance(120)
    assert (
        api.call("getFeed", "GET", f"/feeds/2021-06-30/feeds/{first}").json()["processingStatus"]
        == "CANCELLED"
    )
    assert amazon.quantity("SHEET") == 1
    second = submit_feed(api, listings_feed(amazon.config.seller_id, {"SHEET": 5}))
    amazon.advance(40)
    assert api.call("cancelFeed", "DELETE", f"/feeds/2021-06-30/feeds/{second}").status_code == 400


# ----------------------------------------------------------------------------- confirmShipment
def confirmation(order, lines, **detail):
    return {
        "marketplaceId": MARKETPLACE,
        "packageDetail": {
            "packageReferenceId": "1",
            "carrierCode": "UPS",
            "trackingNumber": "1Z999",
            "shipDate": "2026-01-15T13:00:00Z",
            "orderItems": [{"orderItemId": i.order_item_id, "quantity": q} for i, q in lines],
            **detail,
        },
    }


def test_confirm_shipment_ships_lines_partially_then_fully(amazon, api):
    amazon.seed_listing("SHEET", 5)
    amazon.seed_listing("PILLOW", 5)
    order = amazon.place_order(lines=[("SHEET", 2), ("PILLOW", 1)])
    sheet, pillow = order.items
    path = f"/orders/v0/orders/{order.amazon_order_id}/shipmentConfirmation"

    too_early = api.call("confirmShipment", "POST", path, body=confirmation(order, [(sheet, 2)]))
    amazon.advance(300)
    first = api.call("confirmShipment", "POST", path, body=confirmation(order, [(sheet, 2)]))
    after_first = amazon.order(order.amazon_order_id).status
    too_many = api.call("confirmShipment", "POST", path, body=confirmation(order, [(pillow, 2)]))
    second = api.call(
        "confirmShipment", "POST", path, body=confirmation(order, [(pillow, 1)], packageReferenceId="2")
    )

    assert too_early.status_code == 400
    assert (first.status_code, first.content) == (204, b"")
    assert after_first == "PartiallyShipped"
    assert too_many.status_code == 400
    assert second.status_code == 204
    final = amazon.order(order.amazon_order_id)
    assert final.status == "Shipped"
    assert [(i.sku, i.quantity_shipped) for i in final.items] == [("SHEET", 2), ("PILLOW", 1)]
    assert [s["trackingNumber"] for s in final.shipments] == ["1Z999", "1Z999"]
    shipped = orders_page(api, LastUpdatedAfter="2026-01-15T12:04:00Z", OrderStatuses="Shipped").json()
    assert [o["NumberOfItemsShipped"] for o in shipped["payload"]["Orders"]] == [3]


def test_confirm_shipment_rejects_a_body_without_package_detail(amazon, api):
    amazon.seed_listing("SHEET", 5)
    order = amazon.place_order("SHEET", 1)
    amazon.advance(300)

    answer = api.call(
        "confirmShipment",
        "POST",
        f"/orders/v0/orders/{order.amazon_order_id}/shipmentConfirmation",
        body={"marketplaceId": MARKETPLACE},
    )
    missing = api.call(
        "confirmShipment",
        "POST",
        "/orders/v0/orders/111-1111111-1111111/shipmentConfirmation",
        body=confirmation(order, [(order.items[0], 1)]),
    )

    assert answer.status_code == 400
    assert missing.status_code == 404
    assert amazon.order(order.amazon_order_id).status == "Unshipped"


# ----------------------------------------------------------------------------- faults
def test_injected_faults_answer_sp_api_error_bodies_and_are_counted(amazon, api):
    amazon.faults.fail("getOrders", status=503)
    amazon.faults.fail("getOrders", status=500)
    amazon.faults.fail("getOrders", status=429)
    amazon.faults.slow("getOrders", seconds=0.3)

    codes = [orders_page(api, CreatedAfter="2026-01-01T00:00:00Z") for _ in range(3)]
    started = time.monotonic()
    late = orders_page(api, CreatedAfter="2026-01-01T00:00:00Z")

    assert [c.status_code for c in codes] == [503, 500, 429]
    assert [c.json()["errors"][0]["code"] for c in codes] == [
        "ServiceUnavailable",
        "InternalFailure",
        "QuotaExceeded",
    ]
    assert late.status_code == 200
    assert time.monotonic() - started >= 0.3
    assert amazon.stats.requests["getOrders"] == 4
    assert amazon.stats.statuses[("getOrders", 503)] == 1
    assert amazon.state.rate_limiter.available("getOrders") == pytest.approx(19)
    assert amazon.errors == []


# ----------------------------------------------------------------------------- Amazon's models
@needs_specs
def test_request_bodies_the_fake_accepts_are_valid_for_amazons_models(amazon, api):
    amazon.seed_listing("SHEET", 5)
    order = amazon.place_order("SHEET", 1)
    amazon.advance(300)
    patch_quantity(api, "SHEET", 3)
    api.call(
        "confirmShipment",
        "POST",
        f"/orders/v0/orders/{order.amazon_order_id}/shipmentConfirmation",
        body=confirmation(order, [(order.items[0], 1)]),
    )
    submit_feed(api, listings_feed(amazon.config.seller_id, {"SHEET": 2}))

    for logged in amazon.requests:
        specs.model(MODEL_OF[logged["operation"]]).validate_request(
            logged["operation"], query=logged["query"], body=logged["body"]
        )
    assert {r["operation"] for r in amazon.requests} == {
        "patchListingsItem",
        "confirmShipment",
        "createFeedDocument",
        "createFeed",
    }
    assert api.validated == (4 if SPECS else 0)


@needs_specs
def test_model_checks_catch_wrong_answers():
    with pytest.raises(Exception, match="LastUpdateDate"):
        specs.model("orders").validate_response(
            "getOrders",
            200,
            {"payload": {"Orders": [{"AmazonOrderId": "1", "PurchaseDate": "x", "OrderStatus": "Pending"}]}},
        )
    with pytest.raises(AssertionError):
        specs.model("listings").validate_response("patchListingsItem", 404, {"errors": []})
    with pytest.raises(AssertionError, match="MarketplaceIds"):
        specs.model("orders").validate_request("getOrders", query={"CreatedAfter": "2026-01-01T00:00:00Z"})


# ----------------------------------------------------------------------------- standalone
def test_standalone_server_serves_the_demo_catalogue_and_control_endpoints():
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.amazon.server", "--port", "0", "--demo"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        credentials = json.loads(process.stdout.readline())
        base = credentials["endpoint"]
        placed = requests.post(f"{base}/_fake/orders", json={"sku": "LINEN-DUVET", "qty": 1}, timeout=10)
        again = requests.post(f"{base}/_fake/orders", json={"sku": "LINEN-DUVET", "qty": 1}, timeout=10)
        state = requests.get(f"{base}/_fake/state", timeout=10).json()
        token = requests.post(
            credentials["lwa_url"],
            timeout=10,
            data={
                "grant_type": "refresh_token",
                "refresh_token": credentials["refresh_token"],
                "client_id": credentials["client_id"],
                "client_secret": credentials["client_secret"],
            },
        ).json()
    finally:
        process.terminate()
        process.wait(timeout=10)

    assert placed.status_code == 201
    assert again.status_code == 409
    assert state["listings"]["LINEN-DUVET"]["quantity"] == 0
    assert state["listings"]["LINEN-FBA-TOWEL"]["fulfillment_channel_code"] == "AMAZON_NA"
    assert token["token_type"] == "bearer"
