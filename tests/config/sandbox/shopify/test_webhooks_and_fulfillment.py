"""Webhook subscriptions and signed deliveries (with faults); buyer orders; fulfillmentCreate."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

CREATE = """
mutation Sub($topic: WebhookSubscriptionTopic!, $url: String!) {
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: {uri: $url, format: JSON}) {
    webhookSubscription { id topic uri endpoint { ... on WebhookHttpEndpoint { callbackUrl } } }
    userErrors { field message }
  }
}"""
LIST = "{ webhookSubscriptions(first: 10) { nodes { id topic uri format apiVersion { handle } } } }"
FULFILL = """
mutation Ship($fulfillment: FulfillmentInput!) {
  fulfillmentCreate(fulfillment: $fulfillment) {
    fulfillment { id status name trackingInfo { company number url } }
    userErrors { field message }
  }
}"""


def _subscribe(client, topic, url):
    return client.data(CREATE, {"topic": topic, "url": url})["webhookSubscriptionCreate"]


def _valid_hmac(secret: str, delivery: dict) -> bool:
    expected = base64.b64encode(hmac.new(secret.encode(), delivery["raw"], hashlib.sha256).digest()).decode()
    return hmac.compare_digest(expected, delivery["headers"]["X-Shopify-Hmac-Sha256"])


def test_placed_order_is_delivered_signed_with_shopify_headers_and_rest_payload(
    fake_shopify, shopify_client, webhook_receiver
):
    created = _subscribe(shopify_client, "ORDERS_CREATE", webhook_receiver.url)
    assert created["userErrors"] == []
    assert created["webhookSubscription"]["endpoint"] == {"callbackUrl": webhook_receiver.url}
    before = fake_shopify.state.available("LIN-0003-1")
    order = fake_shopify.place_order(lines=[{"sku": "LIN-0003-1", "quantity": 2}])
    assert fake_shopify.state.available("LIN-0003-1") == before - 2
    (delivery,) = webhook_receiver.wait_for(1)
    assert _valid_hmac(fake_shopify.client_secret, delivery)
    assert not _valid_hmac("another-secret", delivery)
    headers = delivery["headers"]
    assert headers["X-Shopify-Topic"] == "orders/create"
    assert headers["X-Shopify-Shop-Domain"] == "fake-shop.myshopify.com"
    assert headers["X-Shopify-API-Version"] == "2026-10"
    for name in ("X-Shopify-Webhook-Id", "X-Shopify-Event-Id", "X-Shopify-Triggered-At"):
        assert headers[name]
    body = webhook_receiver.json(delivery)
    assert body["id"] == order.id
    assert body["admin_graphql_api_id"] == f"gid://shopify/Order/{order.id}"
    assert (body["name"], body["financial_status"], body["fulfillment_status"], body["cancelled_at"]) == (
        "#1001",
        "paid",
        None,
        None,
    )
    (line,) = body["line_items"]
    variant = fake_shopify.state.variant_by_sku("LIN-0003-1")
    assert (line["sku"], line["quantity"], line["variant_id"]) == ("LIN-0003-1", 2, variant.id)
    assert body["updated_at"].endswith("+00:00")


def test_subscriptions_are_listed_and_duplicates_refused(shopify_client, webhook_receiver):
    _subscribe(shopify_client, "ORDERS_CREATE", webhook_receiver.url)
    again = _subscribe(shopify_client, "ORDERS_CREATE", webhook_receiver.url)
    assert again["userErrors"] == [
        {"field": ["webhookSubscription", "uri"], "message": "Address for this topic has already been taken"}
    ]
    remote = _subscribe(shopify_client, "ORDERS_UPDATED", "http://example.com/hook")
    assert remote["userErrors"][0]["message"] == "Address protocol http:// is not supported"
    nodes = shopify_client.data(LIST)["webhookSubscriptions"]["nodes"]
    assert [(n["topic"], n["uri"], n["format"], n["apiVersion"]["handle"]) for n in nodes] == [
        ("ORDERS_CREATE", webhook_receiver.url, "JSON", "2026-10")
    ]


def test_non_2xx_is_retried_with_the_same_webhook_and_payload(fake_shopify, shopify_client, webhook_receiver):
    _subscribe(shopify_client, "ORDERS_CREATE", webhook_receiver.url)
    webhook_receiver.statuses.extend([500, 503])
    fake_shopify.place_order(lines=[{"sku": "LIN-0001-1", "quantity": 1}])
    deliveries = webhook_receiver.wait_for(3)
    assert [d["status"] for d in deliveries] == [500, 503, 200]
    assert len({d["headers"]["X-Shopify-Webhook-Id"] for d in deliveries}) == 1
    assert len({d["raw"] for d in deliveries}) == 1
    assert fake_shopify.counters["webhook_failures"] == 2


def test_a_subscription_whose_retries_are_exhausted_is_removed(
    fake_shopify, shopify_client, webhook_receiver
):
    _subscribe(shopify_client, "ORDERS_CREATE", webhook_receiver.url)
    webhook_receiver.statuses.extend([500, 500, 500])  # first attempt + the 2 retries of the test schedule
    fake_shopify.place_order(lines=[{"sku": "LIN-0001-1", "quantity": 1}])
    webhook_receiver.wait_for(3)
    assert fake_shopify.webhooks.wait_idle()
    assert len(fake_shopify.webhooks.failed) == 1
    assert fake_shopify.state.subscriptions == {}


def test_duplicate_and_out_of_order_delivery_faults(fake_shopify, shopify_client, webhook_receiver):
    _subscribe(shopify_client, "ORDERS_CREATE", webhook_receiver.url)
    fake_shopify.webhooks.faults.duplicates = 1
    fake_shopify.place_order(lines=[{"sku": "LIN-0001-1", "quantity": 1}])
    first, second = webhook_receiver.wait_for(2)
    assert first["headers"]["X-Shopify-Webhook-Id"] == second["headers"]["X-Shopify-Webhook-Id"]
    fake_shopify.webhooks.faults.duplicates = 0
    fake_shopify.webhooks.hold()
    older = fake_shopify.place_order(lines=[{"sku": "LIN-0001-1", "quantity": 1}])
    newer = fake_shopify.place_order(lines=[{"sku": "LIN-0001-1", "quantity": 1}])
    fake_shopify.webhooks.release("reverse")
    late = webhook_receiver.wait_for(4)[2:]
    assert [webhook_receiver.json(d)["id"] for d in late] == [newer.id, older.id]


def test_bad_signature_fault_is_detectable(fake_shopify, shopify_client, webhook_receiver):
    _subscribe(shopify_client, "ORDERS_CREATE", webhook_receiver.url)
    fake_shopify.webhooks.faults.bad_signature = True
    fake_shopify.place_order(lines=[{"sku": "LIN-0001-1", "quantity": 1}])
    (delivery,) = webhook_receiver.wait_for(1)
    assert not _valid_hmac(fake_shopify.client_secret, delivery)


def test_fulfillment_create_ships_lines_and_announces_it(fake_shopify, shopify_client, webhook_receiver):
    _subscribe(shopify_client, "ORDERS_FULFILLED", webhook_receiver.url)
    state = fake_shopify.state
    variant = state.variant_by_sku("LIN-0001-1")
    level = state.level(variant.inventory_item_id, next(iter(state.locations)))
    on_hand = level.get("on_hand")
    order = fake_shopify.place_order(lines=[{"sku": "LIN-0001-1", "quantity": 2}])
    assert (level.get("committed"), level.get("on_hand")) == (2, on_hand)
    fo = state.fulfillment_orders[order.fulfillment_order_ids[0]]
    fulfillment = {
        "lineItemsByFulfillmentOrder": [
            {
                "fulfillmentOrderId": fo.gid,
                "fulfillmentOrderLineItems": [{"id": fo.line_items[0].gid, "quantity": 2}],
            }
        ],
        "trackingInfo": {"company": "DHL Express", "number": "JD0146", "url": "https://track.example/JD0146"},
        "notifyCustomer": False,
    }
    data = shopify_client.data(FULFILL, {"fulfillment": fulfillment})["fulfillmentCreate"]
    assert data["userErrors"] == []
    assert data["fulfillment"]["status"] == "SUCCESS"
    assert data["fulfillment"]["trackingInfo"] == [
        {"company": "DHL Express", "number": "JD0146", "url": "https://track.example/JD0146"}
    ]
    assert (level.get("committed"), level.get("on_hand")) == (0, on_hand - 2)
    assert fo.status == "CLOSED"
    again = shopify_client.data(FULFILL, {"fulfillment": fulfillment})["fulfillmentCreate"]
    assert again["fulfillment"] is None and again["userErrors"]
    (delivery,) = webhook_receiver.wait_for(1)
    body = webhook_receiver.json(delivery)
    assert (delivery["headers"]["X-Shopify-Topic"], body["fulfillment_status"]) == (
        "orders/fulfilled",
        "fulfilled",
    )
    assert body["fulfillments"][0]["tracking_number"] == "JD0146"


def test_cancelled_order_restocks_and_shows_cancelled_at(fake_shopify):
    before = fake_shopify.state.available("LIN-0001-1")
    order = fake_shopify.place_order(lines=[{"sku": "LIN-0001-1", "quantity": 1}])
    fake_shopify.cancel_order(order.id)
    assert fake_shopify.state.available("LIN-0001-1") == before
    assert order.cancelled_at is not None
    assert order.financial_status == "REFUNDED"


def test_refund_with_restock_returns_units_and_is_announced(fake_shopify, shopify_client, webhook_receiver):
    _subscribe(shopify_client, "REFUNDS_CREATE", webhook_receiver.url)
    before = fake_shopify.state.available("LIN-0001-1")
    order = fake_shopify.place_order(lines=[{"sku": "LIN-0001-1", "quantity": 3}])
    fake_shopify.refund_order(order.id, lines=[{"sku": "LIN-0001-1", "quantity": 1}], restock=True)
    assert fake_shopify.state.available("LIN-0001-1") == before - 2
    assert order.financial_status == "PARTIALLY_REFUNDED"
    (delivery,) = webhook_receiver.wait_for(1)
    assert delivery["headers"]["X-Shopify-Topic"] == "refunds/create"
    body = webhook_receiver.json(delivery)
    assert body["order_id"] == order.id and body["restock"] is True
    (line,) = body["refund_line_items"]
    assert (line["quantity"], line["restock_type"], line["line_item"]["sku"]) == (1, "cancel", "LIN-0001-1")


def test_delayed_delivery_fault(fake_shopify, shopify_client, webhook_receiver):
    _subscribe(shopify_client, "ORDERS_CREATE", webhook_receiver.url)
    fake_shopify.webhooks.faults.delay = 0.4
    started = time.monotonic()
    fake_shopify.place_order(lines=[{"sku": "LIN-0001-1", "quantity": 1}])
    assert webhook_receiver.wait_for(1, timeout=0.2) == []
    assert len(webhook_receiver.wait_for(1, timeout=5)) == 1
    assert time.monotonic() - started >= 0.4


def test_a_new_order_also_sends_orders_updated_with_the_same_order(
    fake_shopify, shopify_client, webhook_receiver
):
    _subscribe(shopify_client, "ORDERS_CREATE", webhook_receiver.url)
    _subscribe(shopify_client, "ORDERS_UPDATED", webhook_receiver.url)
    order = fake_shopify.place_order(lines=[{"sku": "LIN-0001-1", "quantity": 1}])
    deliveries = webhook_receiver.wait_for(2)
    assert sorted(d["headers"]["X-Shopify-Topic"] for d in deliveries) == ["orders/create", "orders/updated"]
    assert {webhook_receiver.json(d)["id"] for d in deliveries} == {order.id}
    assert len({d["headers"]["X-Shopify-Event-Id"] for d in deliveries}) == 2
