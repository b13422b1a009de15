"""Pure mapping and signature functions, on the vendors' documented examples."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from shipping_app.providers.base import WebhookPayloadError, WebhookSignatureError
from shipping_app.providers.shippingeasy.webhooks import (
    callback_parse,
    callback_verify,
    signature_compute,
    signature_plaintext,
)
from shipping_app.providers.shippo.mapping import label_from_json, tracking_from_json
from shipping_app.providers.shipstation.mapping import shipment_from_json, ss_datetime_parse
from shipping_app.providers.shipstation.webhooks import webhook_delivery_parse

# The worked example of the official shipping_easy-ruby client's signature spec.
SE_BODY = json.dumps(
    {"orders": {"name": "Flip flops", "cost": "10.00", "shipping_cost": "2.00"}}, separators=(",", ":")
)
SE_PARAMS = {"test_param": "ABCDE", "api_key": "123", "api_signature": "XXX"}

# Trimmed from ShippingEasy's "shipment notification callback" example payload.
SE_CALLBACK = {
    "shipment": {
        "id": 58,
        "tracking_number": "794675663409",
        "carrier_key": "FEDEX",
        "carrier_service_key": "FEDEX_GROUND",
        "shipment_cost": 2009,
        "ship_date": "2018-02-12",
        "workflow_state": "label_ready",
        "orders": [
            {
                "id": 119,
                "external_order_identifier": "ABC-635574609661580899",
                "ordered_at": "2015-01-22T00:16:06Z",
                "order_status": "shipped",
                "recipients": [
                    {
                        "line_items": [
                            {"item_name": "Sprocket", "sku": "SPR-1", "quantity": 2, "ext_line_item_id": None}
                        ]
                    }
                ],
            }
        ],
    }
}


def test_shippingeasy_plaintext_matches_the_official_clients_example():
    text = signature_plaintext(method="post", path="/api/orders", params=SE_PARAMS, body=SE_BODY)

    assert text == (
        'POST&/api/orders&api_key=123&test_param=ABCDE&{"orders":{"name":"Flip flops","cost":"10.00",'
        '"shipping_cost":"2.00"}}'
    )
    assert (
        signature_compute(
            secret="ABC12345", method="POST", path="/api/orders", params=SE_PARAMS, body=SE_BODY
        )
        == hmac.new(b"ABC12345", text.encode(), hashlib.sha256).hexdigest()
    )


def test_shippingeasy_plaintext_without_params_or_body_keeps_the_empty_params_part():
    assert signature_plaintext(method="GET", path="/api/orders", params={}, body="") == "GET&/api/orders&"
    assert signature_plaintext(method="POST", path="/cb", params={}, body="{}") == "POST&/cb&&{}"


def test_shippingeasy_callback_verify_accepts_its_own_signature_and_refuses_expired():
    body = json.dumps(SE_CALLBACK)
    query = {"api_timestamp": "1700000000"}
    query["api_signature"] = signature_compute(
        secret="s", method="POST", path="/cb/", params=query, body=body
    )

    callback_verify(secret="s", method="POST", path="/cb/", query=query, body=body.encode(), now=1700000100)
    with pytest.raises(WebhookSignatureError, match="expired"):
        callback_verify(
            secret="s", method="POST", path="/cb/", query=query, body=body.encode(), now=1700000700
        )
    with pytest.raises(WebhookSignatureError):
        callback_verify(
            secret="other", method="POST", path="/cb/", query=query, body=body.encode(), now=1700000100
        )


def test_shippingeasy_callback_maps_the_documented_example():
    delivery = callback_parse(body=json.dumps(SE_CALLBACK).encode())

    (shipment,) = delivery.shipments
    assert delivery.event_key == "shipment:58:794675663409"
    assert (shipment.external_id, shipment.order_key, shipment.cost) == (
        "58",
        "ABC-635574609661580899",
        Decimal("20.09"),
    )
    assert shipment.shipped_at == datetime(2018, 2, 12, tzinfo=UTC)
    assert [(line.sku, line.quantity, line.line_key) for line in shipment.lines] == [("SPR-1", 2, "")]


def test_shipstation_shipment_maps_pacific_times_cost_and_items():
    dto = shipment_from_json(
        {
            "shipmentId": 33974374,
            "orderId": 43945660,
            "orderKey": "8061c220f0794f9b94f4eb3c8b4e3c0a",
            "orderNumber": "100038-1",
            "createDate": "2014-10-03T06:51:33.6270000",
            "shipDate": "2014-10-03",
            "shipmentCost": 1.93,
            "insuranceCost": 0,
            "trackingNumber": "9400111899562764298812",
            "carrierCode": "stamps_com",
            "serviceCode": "usps_first_class_mail",
            "voided": False,
            "shipmentItems": [{"orderItemId": 1, "lineItemKey": "77", "sku": "A", "quantity": 1}],
        }
    )

    assert dto.created_at == datetime(2014, 10, 3, 13, 51, 33, 627000, tzinfo=UTC)  # PDT is UTC-7
    assert (dto.external_id, dto.order_key, dto.cost) == (
        "33974374",
        "8061c220f0794f9b94f4eb3c8b4e3c0a",
        Decimal("1.93"),
    )
    assert [(line.line_key, line.sku, line.quantity) for line in dto.lines] == [("77", "A", 1)]
    assert ss_datetime_parse("2015-01-10T08:00:00.0000000") == datetime(2015, 1, 10, 16, 0, tzinfo=UTC)  # PST


def test_shipstation_webhook_must_name_a_resource_on_the_accounts_host():
    ok = webhook_delivery_parse(
        body=json.dumps(
            {
                "resource_url": "https://ssapi.shipstation.com/shipments?batchId=1",
                "resource_type": "SHIP_NOTIFY",
            }
        ).encode(),
        base_url="https://ssapi.shipstation.com",
    )

    assert ok.kind == "shipments"
    with pytest.raises(WebhookPayloadError):
        webhook_delivery_parse(
            body=json.dumps(
                {"resource_url": "https://ssapi.shipstation.com.evil.io/x", "resource_type": "SHIP_NOTIFY"}
            ).encode(),
            base_url="https://ssapi.shipstation.com",
        )


def test_shippo_transaction_and_tracking_map():
    label = label_from_json(
        {
            "object_id": "915d94940ea54c3a80cbfa328722f5a1",
            "status": "SUCCESS",
            "rate": {"object_id": "adcfdddf8ec64b84ad22772bce3ea37a"},
            "tracking_number": "9499907123456123456781",
            "tracking_url_provider": "https://tools.usps.com/go/TrackConfirmAction_input?origTrackNum=9499907123456123456781",
            "label_url": "https://shippo-delivery.s3.amazonaws.com/70ae8117ee1749e393f249d5b77c45e0.pdf",
            "messages": [{"source": "UPS", "code": "carrier_timeout", "text": "UPS API did not respond."}],
        }
    )
    update = tracking_from_json(
        {
            "tracking_number": "9499907123456123456781",
            "carrier": "usps",
            "tracking_status": {
                "status": "TRANSIT",
                "status_details": "Arrived",
                "status_date": "2016-07-23T00:00:00Z",
            },
            "transaction": "915d94940ea54c3a80cbfa328722f5a1",
        }
    )

    assert (label.rate_id, label.status, label.messages) == (
        "adcfdddf8ec64b84ad22772bce3ea37a",
        "SUCCESS",
        ["UPS API did not respond."],
    )
    assert (update.state, update.detail, update.occurred_at) == (
        "in_transit",
        "Arrived",
        datetime(2016, 7, 23, tzinfo=UTC),
    )
