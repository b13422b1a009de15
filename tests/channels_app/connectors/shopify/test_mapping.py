"""Pure mapping functions on recorded (and one documented-shape) Shopify payloads."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from channels_app.connectors.dto import OrderLineDTO
from channels_app.connectors.errors import ConnectorError, WebhookPayloadError
from channels_app.connectors.shopify.mapping import (
    fulfilment_plan,
    gid,
    gid_tail,
    listing_from_graphql,
    order_from_graphql,
    order_from_rest,
)

SAMPLES = Path(__file__).parent / "samples"


def _sample(name: str) -> dict:
    return json.loads((SAMPLES / name).read_text())


def test_a_new_order_webhook_maps_to_an_open_snapshot():
    body = _sample("webhook_orders_create.json")["body"]

    order = order_from_rest(body)

    assert (order.external_id, order.status, order.is_paid) == ("9000000000001", "open", True)
    assert order.updated_at == datetime(2026, 11, 20, 9, 30, 20, tzinfo=UTC)
    assert order.created_at == order.updated_at
    assert (order.currency, order.total, order.customer_email) == (
        "USD",
        Decimal("30.00"),
        "buyer@example.com",
    )
    assert order.lines == [
        OrderLineDTO(
            external_line_id="9000000000001",
            listing_external_id="gid://shopify/ProductVariant/9000000000001",
            sku_code="LIN-0001-1",
            title="Linen Product 1",
            quantity=2,
            unit_price=Decimal("10.00"),
        ),
        OrderLineDTO(
            external_line_id="9000000000002",
            listing_external_id="gid://shopify/ProductVariant/9000000000004",
            sku_code="LIN-0002-2",
            title="Linen Product 2",
            quantity=1,
            unit_price=Decimal("10.00"),
        ),
    ]


def test_a_partly_fulfilled_and_refunded_order_counts_shipped_and_removed_units():
    body = _sample("webhook_orders_updated_partly_fulfilled_refunded.json")["body"]

    order = order_from_rest(body)

    assert order.status == "open"
    assert [(li.quantity, li.quantity_fulfilled, li.quantity_cancelled) for li in order.lines] == [
        (2, 1, 0),
        (1, 0, 1),
    ]


def test_a_cancelled_order_webhook_maps_to_cancelled():
    body = _sample("webhook_orders_cancelled.json")["body"]

    order = order_from_rest(body)

    assert (order.status, order.is_paid) == ("cancelled", True)
    assert [(li.quantity, li.quantity_fulfilled) for li in order.lines] == [(1, 0)]


def test_the_documented_shape_reads_returns_cancelled_fulfillments_customer_and_address():
    body = _sample("webhook_orders_updated_documented_shape.json")["body"]

    order = order_from_rest(body)

    assert order.updated_at == datetime(2026, 11, 21, 9, 2, 10, tzinfo=timezone(timedelta(hours=-5)))
    assert (order.currency, order.total, order.is_paid) == ("EUR", Decimal("598.94"), True)
    assert (order.customer_name, order.customer_email) == ("Bob Norman", "bob.norman@mail.example.com")
    assert order.shipping_address == {
        "name": "Bob Norman",
        "first_name": "Bob",
        "last_name": "Norman",
        "address1": "Chestnut Street 92",
        "city": "Louisville",
        "province": "Kentucky",
        "province_code": "KY",
        "zip": "40202",
        "country": "United States",
        "country_code": "US",
        "phone": "+1(502)-459-2181",
    }
    assert [
        (
            li.external_line_id,
            li.listing_external_id,
            li.quantity,
            li.quantity_fulfilled,
            li.quantity_cancelled,
        )
        for li in order.lines
    ] == [
        ("466157049", "gid://shopify/ProductVariant/39072856", 3, 3, 0),  # one returned after shipping
        ("518995019", "gid://shopify/ProductVariant/49148385", 4, 1, 1),  # one removed before shipping
        ("703073504", "", 1, 0, 0),
    ]


def test_the_delivery_time_stands_in_only_when_the_body_has_no_updated_at():
    body = {**_sample("webhook_orders_create.json")["body"]}
    del body["updated_at"]

    order = order_from_rest(body, fallback_updated_at="2026-11-27T02:05:37.314358Z")

    assert order.updated_at == datetime(2026, 11, 27, 2, 5, 37, 314358, tzinfo=UTC)


@pytest.mark.parametrize(
    "change",
    [
        {"line_items": None},
        {"id": None, "line_items": [{"quantity": 1}]},
        {"updated_at": "yesterday"},
        {"updated_at": "2026-11-20T09:30:20"},
        {"total_price": "lots"},
    ],
)
def test_a_malformed_order_body_is_a_payload_error(change):
    body = {**_sample("webhook_orders_create.json")["body"], **change}

    with pytest.raises(WebhookPayloadError):
        order_from_rest(body)


def test_a_graphql_orders_page_maps_like_the_webhooks():
    page = _sample("graphql_orders_page.json")["data"]["orders"]

    first, second = (order_from_graphql(node) for node in page["nodes"])

    assert (first.external_id, first.status, first.is_paid) == ("9000000000001", "open", True)
    assert first.updated_at == datetime(2026, 11, 20, 9, 30, 27, tzinfo=UTC)
    assert [
        (
            li.external_line_id,
            li.listing_external_id,
            li.quantity,
            li.quantity_fulfilled,
            li.quantity_cancelled,
        )
        for li in first.lines
    ] == [
        ("9000000000001", "gid://shopify/ProductVariant/9000000000001", 2, 1, 0),
        ("9000000000002", "gid://shopify/ProductVariant/9000000000004", 1, 0, 1),
    ]
    assert (second.status, [li.quantity_fulfilled for li in second.lines]) == ("cancelled", [0])
    assert order_from_rest(
        _sample("webhook_orders_updated_partly_fulfilled_refunded.json")["body"]
    ).lines == [OrderLineDTO(**{**line.__dict__, "unit_price": Decimal("10.00")}) for line in first.lines]


def test_a_malformed_graphql_order_is_a_connector_error():
    node = {**_sample("graphql_orders_page.json")["data"]["orders"]["nodes"][0], "updatedAt": None}

    with pytest.raises(ConnectorError):
        order_from_graphql(node)


def test_variants_map_to_listings_at_the_location():
    nodes = _sample("graphql_product_variants_page.json")["data"]["productVariants"]["nodes"]

    listing = listing_from_graphql(nodes[0], location_id="gid://shopify/Location/70000000001")
    untracked = listing_from_graphql(
        {**nodes[1], "inventoryItem": {**nodes[1]["inventoryItem"], "tracked": False}}, location_id="L"
    )
    unstocked = listing_from_graphql(
        {**nodes[2], "inventoryItem": {**nodes[2]["inventoryItem"], "inventoryLevel": None}}, location_id="L"
    )

    assert (listing.external_id, listing.sku_code, listing.title, listing.quantity) == (
        "gid://shopify/ProductVariant/9000000000001",
        "LIN-0001-1",
        "Linen Product 1 - Size 1",
        6,
    )
    assert listing.external_inventory_item_id == "gid://shopify/InventoryItem/9000000000001"
    assert listing.external_product_id == "gid://shopify/Product/9000000000001"
    assert listing.extra == {
        "location_id": "gid://shopify/Location/70000000001",
        "product_status": "ACTIVE",
        "inventory_policy": "DENY",
        "tracked": True,
    }
    assert (listing.push_enabled, untracked.push_enabled, unstocked.push_enabled) == (True, False, False)
    assert unstocked.quantity is None


def test_shipped_lines_are_spread_over_the_open_fulfillment_order_lines():
    orders = _sample("graphql_fulfillment_orders.json")["data"]["order"]["fulfillmentOrders"]["nodes"]

    plan, left = fulfilment_plan(
        fulfillment_orders=orders, lines={"9000000000001": 3, "9000000000002": 1, "42": 1}
    )

    assert plan == {
        "gid://shopify/Location/70000000001": [
            (
                "gid://shopify/FulfillmentOrder/9000000000001",
                "gid://shopify/FulfillmentOrderLineItem/9000000000001",
                1,
            )
        ]
    }
    assert left == {"9000000000001": 2, "9000000000002": 1, "42": 1}


def test_closed_fulfillment_orders_take_nothing():
    orders = _sample("graphql_fulfillment_orders.json")["data"]["order"]["fulfillmentOrders"]["nodes"]
    closed = [{**orders[0], "status": "CLOSED"}]

    assert fulfilment_plan(fulfillment_orders=closed, lines={"9000000000001": 1}) == (
        {},
        {"9000000000001": 1},
    )


def test_global_ids():
    assert gid("Order", 12) == "gid://shopify/Order/12"
    assert gid("Order", "gid://shopify/Order/12") == "gid://shopify/Order/12"
    assert gid_tail("gid://shopify/InventoryLevel/5?inventory_item_id=7") == "5"
    assert gid_tail(12) == "12"
    assert gid_tail(None) == ""
