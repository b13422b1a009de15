"""The fake Amazon's Feeds API, confirmShipment, fault injection, model checks and standalone mode.

The first half of the fake's tests (LWA, tokens, orders, usage plans, listings) is in
tests/config/sandbox/amazon/test_amazon_fake.py; these are kept beside the fake to keep both modules short.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import time

import pytest
import requests

from config.sandbox.amazon import FakeAmazon, FakeConfig, fake_amazon_fixture, specs
from config.sandbox.amazon.testing import (
    MARKETPLACE,
    MODEL_OF,
    SpApiCaller,
    listings_feed,
    shipment_confirmation,
    submit_feed,
)

SPECS = specs.specs_dir() is not None
needs_specs = pytest.mark.skipif(not SPECS, reason="../shared/specs/amazon is absent")

amazon = fake_amazon_fixture()


@pytest.fixture
def api(amazon):
    return SpApiCaller(amazon, amazon.access_token())


# ----------------------------------------------------------------------------- feeds
def test_feed_round_trip_applies_good_skus_and_reports_the_bad_one(amazon, api):
    amazon.seed_listing("SHEET", 1)
    amazon.seed_listing("PILLOW", 1)
    amazon.seed_listing("BAD", 1, reject_updates="'[batteries_required]' is required but not supplied.")
    document = listings_feed(amazon.config.seller_id, {"SHEET": 10, "BAD": 4, "PILLOW": 0})
    document["header"]["report"] = {"includedData": ["fulfillmentAvailability"], "apiVersion": "2021-08-01"}
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
        "itemSummary": {"items": 2, "errors": 0, "warnings": 0},
    }
    assert [(i["messageId"], i["sku"], i["severity"]) for i in report["issues"]] == [(2, "BAD", "ERROR")]
    assert report["issues"][0]["message"] == "'[batteries_required]' is required but not supplied."
    assert report["header"]["feedId"] == feed_id
    assert report["items"] == [
        {"sku": "SHEET", "fulfillmentAvailability": [{"fulfillmentChannelCode": "DEFAULT", "quantity": 10}]},
        {"sku": "PILLOW", "fulfillmentAvailability": [{"fulfillmentChannelCode": "DEFAULT", "quantity": 0}]},
    ]
    if SPECS:
        specs.validate_processing_report(report)


def test_feed_report_can_be_gzipped_and_fatal_feeds_report_why():
    with FakeAmazon(config=FakeConfig(feed_report_gzip=True)) as fake:
        api = SpApiCaller(fake, fake.access_token())
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
def test_confirm_shipment_ships_lines_partially_then_fully(amazon, api):
    amazon.seed_listing("SHEET", 5)
    amazon.seed_listing("PILLOW", 5)
    order = amazon.place_order(lines=[("SHEET", 2), ("PILLOW", 1)])
    sheet, pillow = order.items
    path = f"/orders/v0/orders/{order.amazon_order_id}/shipmentConfirmation"

    too_early = api.call("confirmShipment", "POST", path, body=shipment_confirmation(order, [(sheet, 2)]))
    amazon.advance(300)
    first = api.call("confirmShipment", "POST", path, body=shipment_confirmation(order, [(sheet, 2)]))
    after_first = amazon.order(order.amazon_order_id).status
    too_many = api.call("confirmShipment", "POST", path, body=shipment_confirmation(order, [(pillow, 2)]))
    second = api.call(
        "confirmShipment",
        "POST",
        path,
        body=shipment_confirmation(order, [(pillow, 1)], packageReferenceId="2"),
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
    shipped = api.get_orders(LastUpdatedAfter="2026-01-15T12:04:00Z", OrderStatuses="Shipped").json()
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
        body=shipment_confirmation(order, [(order.items[0], 1)]),
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

    codes = [api.get_orders(CreatedAfter="2026-01-01T00:00:00Z") for _ in range(3)]
    started = time.monotonic()
    late = api.get_orders(CreatedAfter="2026-01-01T00:00:00Z")

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


def test_latency_delays_every_sp_api_request_until_set_back_to_zero(amazon, api):
    amazon.faults.latency = 0.3

    started = time.monotonic()
    slow = [api.get_orders(CreatedAfter="2026-01-01T00:00:00Z") for _ in range(2)]
    slow_s = time.monotonic() - started
    amazon.faults.latency = 0.0
    started = time.monotonic()
    fast = api.get_orders(CreatedAfter="2026-01-01T00:00:00Z")
    fast_s = time.monotonic() - started

    assert [r.status_code for r in slow] == [200, 200]
    assert fast.status_code == 200
    assert slow_s >= 0.6
    assert fast_s < 0.3
    assert amazon.stats.requests["getOrders"] == 3


# ----------------------------------------------------------------------------- Amazon's models
@needs_specs
def test_request_bodies_the_fake_accepts_are_valid_for_amazons_models(amazon, api):
    amazon.seed_listing("SHEET", 5)
    order = amazon.place_order("SHEET", 1)
    amazon.advance(300)
    api.patch_quantity("SHEET", 3)
    api.call(
        "confirmShipment",
        "POST",
        f"/orders/v0/orders/{order.amazon_order_id}/shipmentConfirmation",
        body=shipment_confirmation(order, [(order.items[0], 1)]),
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
        [sys.executable, "-m", "config.sandbox.amazon.server", "--port", "0", "--demo"],
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
