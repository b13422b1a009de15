"""Pure mapping of BigCommerce JSON: statuses, lines, dates, listings, adjustment identities."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from channels_app.connectors.bigcommerce.mapping import (
    adjustment_item,
    bc_time,
    listings_from_product,
    order_from_json,
    order_state,
)
from channels_app.connectors.errors import ConnectorError

ORDER = {
    "id": 118,
    "status_id": 11,
    "date_created": "Fri, 01 May 2026 09:55:02 +0000",
    "date_modified": "Fri, 01 May 2026 09:55:03 +0000",
    "currency_code": "USD",
    "total_inc_tax": "20.0000",
}
LINE = {
    "id": 65,
    "order_id": 118,
    "product_id": 77,
    "variant_id": 75,
    "order_address_id": 51,
    "sku": "TEE-S",
    "name": "Tee",
    "quantity": 3,
    "quantity_shipped": 1,
    "quantity_refunded": 0,
    "base_price": "10.0000",
}


@pytest.mark.parametrize(
    ("status_id", "state"),
    [
        (1, "open"),
        (7, "open"),
        (11, "open"),
        (3, "open"),
        (14, "open"),
        (2, "fulfilled"),
        (10, "fulfilled"),
        (4, "cancelled"),
        (5, "cancelled"),
        (6, "cancelled"),
    ],
)
def test_status_ids_map_to_our_states(status_id, state):
    assert order_state(status_id) == state


@pytest.mark.parametrize("status_id", [0, 15, -1])
def test_incomplete_and_unknown_statuses_are_not_orders(status_id):
    with pytest.raises(ConnectorError):
        order_state(status_id)


def test_an_order_with_its_products_is_one_snapshot():
    order = order_from_json(ORDER, [LINE])

    assert (order.external_id, order.status, order.is_paid) == ("118", "open", True)
    assert order.updated_at == datetime(2026, 5, 1, 9, 55, 3, tzinfo=UTC)
    (line,) = order.lines
    assert (line.external_line_id, line.listing_external_id, line.sku_code) == ("65", "75", "TEE-S")
    assert (line.quantity, line.quantity_fulfilled, line.quantity_cancelled) == (3, 1, 0)


def test_a_shipped_order_fulfils_every_line_and_a_partial_refund_cancels_unshipped_units():
    shipped = order_from_json({**ORDER, "status_id": 2}, [LINE])
    refunded = order_from_json({**ORDER, "status_id": 14}, [{**LINE, "quantity_refunded": 1}])

    assert (shipped.status, shipped.lines[0].quantity_fulfilled) == ("fulfilled", 3)
    assert (refunded.status, refunded.lines[0].quantity_cancelled) == ("open", 1)


def test_unpaid_statuses_are_not_paid():
    assert order_from_json({**ORDER, "status_id": 7}, [LINE]).is_paid is False


def test_dates_are_rfc2822_or_iso():
    assert bc_time("2026-05-01T09:50:00+02:00") == datetime(2026, 5, 1, 7, 50, tzinfo=UTC)
    assert bc_time("") is None


def test_listings_follow_the_inventory_tracking():
    simple = {
        "id": 1,
        "name": "Mug",
        "sku": "MUG",
        "inventory_tracking": "product",
        "inventory_level": 4,
        "base_variant_id": 10,
        "variants": [{"id": 10, "sku": "MUG", "option_values": []}],
    }
    options = {
        "id": 2,
        "name": "Tee",
        "inventory_tracking": "variant",
        "base_variant_id": None,
        "variants": [
            {"id": 20, "sku": "TEE-S", "inventory_level": 2, "option_values": [{"id": 1}]},
            {"id": 21, "sku": "TEE-M", "inventory_level": 0, "option_values": [{"id": 2}]},
        ],
    }

    rows = [
        (x.external_id, x.sku_code, x.quantity, x.push_enabled)
        for p in (simple, options)
        for x in listings_from_product(p)
    ]

    assert rows == [("10", "MUG", 4, True), ("20", "TEE-S", 2, True), ("21", "TEE-M", 0, True)]


def test_an_adjustment_item_carries_exactly_one_identity():
    assert adjustment_item(
        tracking="product", product_id="1", variant_id="10", location_id=1, quantity=3
    ) == {
        "location_id": 1,
        "product_id": 1,
        "quantity": 3,
    }
    assert adjustment_item(
        tracking="variant", product_id="2", variant_id="20", location_id=4, quantity=0
    ) == {
        "location_id": 4,
        "variant_id": 20,
        "quantity": 0,
    }
