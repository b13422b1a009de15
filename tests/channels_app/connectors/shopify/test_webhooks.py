"""Webhook signature checks and parsing, on recorded deliveries of the fake shop."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from channels_app.connectors.errors import WebhookPayloadError, WebhookSignatureError
from channels_app.connectors.shopify.webhooks import (
    delivery_headers,
    webhook_signature,
    webhook_signature_check,
)

SAMPLES = Path(__file__).parent / "samples"
SECRET = "fake_client_secret"  # the fake shop's app secret the samples were signed with


def _delivery(name: str) -> tuple[dict, bytes]:
    sample = json.loads((SAMPLES / name).read_text())
    return sample["headers"], json.dumps(sample["body"], separators=(",", ":")).encode()


def test_a_recorded_delivery_verifies_with_the_app_secret():
    headers, body = _delivery("webhook_orders_create.json")

    webhook_signature_check(secret=SECRET, headers=headers, body=body)

    assert webhook_signature(secret=SECRET, body=body) == headers["X-Shopify-Hmac-Sha256"]


def test_header_names_are_matched_in_any_case():
    headers, body = _delivery("webhook_orders_create.json")

    webhook_signature_check(secret=SECRET, headers={k.lower(): v for k, v in headers.items()}, body=body)


@pytest.mark.parametrize(
    ("secret", "change"),
    [
        ("another_secret", {}),
        (SECRET, {"X-Shopify-Hmac-Sha256": ""}),
        (SECRET, {"X-Shopify-Hmac-Sha256": "not base64 at all"}),
        ("", {}),
    ],
)
def test_a_wrong_or_missing_signature_is_refused(secret, change):
    headers, body = _delivery("webhook_orders_create.json")

    with pytest.raises(WebhookSignatureError):
        webhook_signature_check(secret=secret, headers={**headers, **change}, body=body)


def test_a_body_changed_after_signing_is_refused():
    headers, body = _delivery("webhook_orders_create.json")

    with pytest.raises(WebhookSignatureError):
        webhook_signature_check(
            secret=SECRET, headers=headers, body=body.replace(b'"quantity":2', b'"quantity":1')
        )


def test_the_event_id_is_per_topic_and_shopify_event():
    headers, _ = _delivery("webhook_orders_create.json")

    meta = delivery_headers(headers)
    fallback = delivery_headers({**headers, "X-Shopify-Event-Id": ""})

    assert meta.dedupe_id == "orders/create:01391365-5a7f-402c-b910-80de332928a8"
    assert fallback.dedupe_id == "orders/create:42a72b7c-d930-415c-952d-1cbb8d7de31d"
    assert meta.triggered_at == "2026-11-27T02:05:37.314358000Z"


@pytest.mark.parametrize("missing", [("X-Shopify-Topic",), ("X-Shopify-Event-Id", "X-Shopify-Webhook-Id")])
def test_a_delivery_without_topic_or_ids_is_a_payload_error(missing):
    headers, _ = _delivery("webhook_orders_create.json")

    with pytest.raises(WebhookPayloadError):
        delivery_headers({k: v for k, v in headers.items() if k not in missing})


def test_the_connector_parses_order_topics_and_keeps_other_topics_ignored(shop_connector):
    connector = shop_connector()
    order_headers, order_body = _delivery("webhook_orders_updated_partly_fulfilled_refunded.json")
    refund_headers, refund_body = _delivery("webhook_refunds_create.json")

    order_event = connector.webhook_parse(headers=order_headers, body=order_body)
    refund_event = connector.webhook_parse(headers=refund_headers, body=refund_body)

    assert (order_event.kind, order_event.topic) == ("order", "orders/updated")
    assert order_event.event_id == "orders/updated:e31297ce-14fd-4091-8ac2-dfa81c49197c"
    assert order_event.order.external_id == "9000000000001"
    assert order_event.payload["shopify"]["webhook_id"] == "9d6cd0ae-1d44-49a8-a108-e8625ddfe3b9"
    assert order_event.payload["body"]["id"] == 9000000000001
    assert (refund_event.kind, refund_event.order) == ("ignored", None)


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b"\xff\xfe"])
def test_the_connector_refuses_a_body_that_is_not_a_json_object(shop_connector, body):
    headers, _ = _delivery("webhook_orders_create.json")

    with pytest.raises(WebhookPayloadError):
        shop_connector().webhook_parse(headers=headers, body=body)


def test_the_connector_verifies_with_its_webhook_secret(shop_connector):
    headers, body = _delivery("webhook_orders_create.json")
    connector = shop_connector(credentials={"access_token": "x", "webhook_secret": SECRET})
    other = shop_connector(credentials={"access_token": "x", "webhook_secret": "rotated"})

    connector.webhook_verify(headers=headers, body=body)
    with pytest.raises(WebhookSignatureError):
        other.webhook_verify(headers=headers, body=body)


@pytest.mark.parametrize("auth", ["client_credentials", "authorization_code"])
def test_a_dev_dashboard_app_verifies_with_its_client_secret(shop_connector, auth):
    headers, body = _delivery("webhook_orders_create.json")
    connector = shop_connector(credentials={"client_id": "id", "client_secret": SECRET}, auth=auth)
    other = shop_connector(credentials={"client_id": "id", "client_secret": "another-app"}, auth=auth)

    connector.webhook_verify(headers=headers, body=body)
    with pytest.raises(WebhookSignatureError):
        other.webhook_verify(headers=headers, body=body)
