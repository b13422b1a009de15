"""The WooCommerce status table: which orders are taken in, and as what."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from channels_app.connectors.errors import WebhookPayloadError
from channels_app.connectors.woocommerce.mapping import order_from_json, wc_deducted


def _order(status: str, *, reduced: int | None = None, quantity: int = 2) -> dict:
    meta = [] if reduced is None else [{"id": 9, "key": "_reduced_stock", "value": str(reduced)}]
    return {
        "id": 727, "status": status, "date_modified_gmt": "2026-05-01T10:02:11", "currency": "EUR",
        "total": "20.00", "billing": {"first_name": "Ada", "last_name": "L", "email": "a@x.example"},
        "line_items": [{"id": 315, "product_id": 22, "variation_id": 733, "quantity": quantity,
                        "sku": "TEE-M", "price": 10, "name": "Tee", "meta_data": meta}],
    }  # fmt: skip


@pytest.mark.parametrize(
    ("status", "reduced", "expected"),
    [
        ("pending", None, None),
        ("failed", None, None),
        ("failed", 2, "open"),  # an old store that keeps failed orders deducted
        ("on-hold", None, "open"),
        ("on-hold", 2, "open"),
        ("processing", 2, "open"),
        ("completed", 2, "fulfilled"),
        ("cancelled", None, "cancelled"),
        ("refunded", None, "cancelled"),
        ("refunded", 0, "cancelled"),
        ("checkout-draft", None, None),
        ("trash", None, None),
    ],
)
def test_status_table(status, reduced, expected):
    order = order_from_json(_order(status, reduced=reduced))
    assert (order.status if order else None) == expected


def test_a_snapshot_carries_lines_dates_and_buyer():
    order = order_from_json(_order("processing", reduced=2))
    assert order.updated_at == datetime(2026, 5, 1, 10, 2, 11, tzinfo=UTC)
    line = order.lines[0]
    assert (line.external_line_id, line.listing_external_id, line.sku_code, line.quantity) == (
        "315",
        "733",
        "TEE-M",
        2,
    )
    assert (order.customer_name, order.currency, str(order.total), order.is_paid) == (
        "Ada L",
        "EUR",
        "20.00",
        True,
    )


def test_a_refund_that_restocked_one_unit_cancels_that_unit_only():
    order = order_from_json(_order("refunded", reduced=1, quantity=3))
    assert (order.status, order.lines[0].quantity_cancelled) == ("open", 2)


def test_deducted_reads_the_line_meta_before_the_status():
    assert wc_deducted(_order("pending", reduced=2)) is True
    assert wc_deducted(_order("processing", reduced=0)) is False
    assert wc_deducted(_order("processing")) is True


def test_an_order_without_status_is_a_payload_error():
    with pytest.raises(WebhookPayloadError):
        order_from_json({"id": 1})
