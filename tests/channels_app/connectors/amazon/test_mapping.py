"""Mapping of recorded SP-API payloads (samples/, recorded from the fake by samples/record.py)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from channels_app.connectors.amazon.mapping import (
    AmazonPayloadError,
    feed_report_outcomes,
    listing_from_amazon,
    order_from_amazon,
    patch_issues_text,
    quantity_from_amazon,
)
from channels_app.connectors.amazon.shipping import confirm_shipment_body
from channels_app.connectors.dto import FulfilmentDTO, OrderLineDTO
from channels_app.connectors.errors import ConnectorError

SAMPLES = Path(__file__).parent / "samples"
US = "ATVPDKIKX0DER"


def _sample(name: str) -> dict:
    return json.loads((SAMPLES / name).read_text(encoding="utf-8"))


def _orders() -> dict[str, dict]:
    return {o["OrderStatus"]: o for o in _sample("get_orders.json")["payload"]["Orders"]}


def _items(status: str) -> list[dict]:
    return _sample(f"get_order_items_{status}.json")["payload"]["OrderItems"]


def test_an_unshipped_order_is_open_and_paid_with_line_unit_prices():
    order = order_from_amazon(_orders()["Unshipped"], _items("unshipped"))

    assert (order.external_id, order.status, order.is_paid) == ("903-1000003-8141873", "open", True)
    assert (order.currency, order.total) == ("USD", Decimal("202.50"))
    assert order.created_at == datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    assert order.lines == [
        OrderLineDTO(
            external_line_id="10000000007919",
            quantity=2,
            sku_code="LINEN-SHEET-Q",
            listing_external_id="LINEN-SHEET-Q",
            title="Linen Sheet Queen",
            unit_price=Decimal("89.00"),
        ),
        OrderLineDTO(
            external_line_id="10000000015838",
            quantity=1,
            sku_code="LINEN-PILLOW",
            listing_external_id="LINEN-PILLOW",
            title="Linen Pillowcase",
            unit_price=Decimal("24.50"),
        ),
    ]
    assert (order.customer_name, order.customer_email, dict(order.shipping_address)) == ("", "", {})


def test_a_pending_order_is_open_and_unpaid_without_prices_and_a_canceled_one_is_cancelled():
    pending = order_from_amazon(_orders()["Pending"], _items("pending"))
    cancelled = order_from_amazon(_orders()["Canceled"], _items("canceled"))

    assert (pending.status, pending.is_paid, pending.total) == ("open", False, Decimal("0"))
    assert [(line.quantity, line.unit_price) for line in pending.lines] == [(3, Decimal("0.00"))]
    assert (cancelled.status, cancelled.external_id) == ("cancelled", "907-1000007-3183266")


def test_two_states_within_one_last_update_second_are_distinct_ordered_versions():
    base = dict(_orders()["Pending"])
    unshipped = {**base, "OrderStatus": "Unshipped"}
    canceled = {**base, "OrderStatus": "Canceled"}
    partly = {**base, "OrderStatus": "PartiallyShipped", "NumberOfItemsShipped": 1}
    shipped = {**base, "OrderStatus": "Shipped", "NumberOfItemsShipped": 3}

    versions = [
        order_from_amazon(o, _items("pending")).updated_at for o in (base, unshipped, partly, shipped)
    ]

    assert versions == sorted(versions) and len(set(versions)) == 4
    assert versions[0] == datetime(2026, 3, 2, 9, 36, 40, 10_000, tzinfo=UTC)
    assert order_from_amazon(canceled, []).updated_at > versions[0]
    assert order_from_amazon(shipped, []).status == "fulfilled"


def test_malformed_or_unknown_orders_are_refused():
    order = _orders()["Unshipped"]

    with pytest.raises(AmazonPayloadError, match="OrderStatus"):
        order_from_amazon({**order, "OrderStatus": "Teleported"}, [])
    with pytest.raises(AmazonPayloadError, match="LastUpdateDate"):
        order_from_amazon({k: v for k, v in order.items() if k != "LastUpdateDate"}, [])
    with pytest.raises(AmazonPayloadError, match="order item"):
        order_from_amazon(order, [{"SellerSKU": "X"}])


def test_a_seller_fulfilled_listing_is_pushable_and_an_fba_one_is_not():
    seller = listing_from_amazon(_sample("get_listings_item_seller.json"), marketplace_id=US)
    fba = listing_from_amazon(_sample("get_listings_item_fba.json"), marketplace_id=US)

    assert (seller.external_id, seller.sku_code, seller.quantity, seller.push_enabled) == (
        "LINEN-SHEET-Q",
        "LINEN-SHEET-Q",
        10,
        True,
    )
    assert (seller.title, seller.external_product_id) == ("Linen Sheet Queen", "B02CFD2E05")
    assert dict(seller.extra) == {"fulfillment_channel_code": "DEFAULT", "product_type": "PRODUCT"}
    assert (fba.quantity, fba.push_enabled, fba.extra["fulfillment_channel_code"]) == (
        None,
        False,
        "AMAZON_NA",
    )
    assert quantity_from_amazon({"attributes": _sample("get_listings_item_seller.json")["attributes"]}) == 10


def test_search_listings_items_sample_maps_every_item():
    items = _sample("search_listings_items.json")["items"]

    listings = [listing_from_amazon(item, marketplace_id=US) for item in items]

    assert [(li.external_id, li.quantity, li.push_enabled) for li in listings] == [
        ("LINEN-SHEET-Q", 12, True),
        ("LINEN-FBA-TOWEL", None, False),
        ("LINEN/PILLOW-2", 0, True),
    ]
    assert listings[0].extra["product_type"] == "BED_SHEET"


def test_the_processing_report_fails_only_the_sku_with_an_error_issue():
    report = _sample("feed_processing_report.json")

    outcomes = feed_report_outcomes(report, message_skus={1: "LINEN-SHEET-Q", 2: "LINEN-BLOCKED"})

    assert outcomes == {
        "LINEN-SHEET-Q": (True, ""),
        "LINEN-BLOCKED": (False, "FAKE_REJECTED: The SKU is blocked from offers by a listing policy"),
    }


def test_report_issues_named_by_message_id_count_and_warnings_do_not():
    report = {
        "issues": [
            {"messageId": 1, "code": "90220", "severity": "ERROR", "message": "quantity is required"},
            {"messageId": 2, "code": "99022", "severity": "WARNING", "message": "slow down"},
        ]
    }

    outcomes = feed_report_outcomes(report, message_skus={1: "A", 2: "B"})

    assert outcomes == {"A": (False, "90220: quantity is required"), "B": (True, "")}


def test_patch_issues_are_summarised_for_the_listing():
    answer = {
        "status": "INVALID",
        "issues": [{"code": "8560", "message": "SKU does not match", "severity": "ERROR"}],
    }

    assert patch_issues_text(answer) == "8560: SKU does not match"
    assert patch_issues_text({"status": "INVALID"}) == "submission INVALID"


def test_the_shipment_confirmation_names_items_carrier_and_a_stable_numeric_package_id():
    fulfilment = FulfilmentDTO(
        order_external_id="903-1000003-8141873",
        lines={"10000000007919": 2, "10000000015838": 0},
        carrier="fedex",
        tracking_number="7489",
    )
    when = datetime(2026, 3, 3, 15, 0, tzinfo=UTC)

    body = confirm_shipment_body(fulfilment=fulfilment, marketplace_id=US, ship_date=when)
    again = confirm_shipment_body(fulfilment=fulfilment, marketplace_id=US, ship_date=when)

    detail = body["packageDetail"]
    assert body["marketplaceId"] == US
    assert (detail["carrierCode"], detail["trackingNumber"], detail["shipDate"]) == (
        "FedEx",
        "7489",
        "2026-03-03T15:00:00Z",
    )
    assert detail["orderItems"] == [{"orderItemId": "10000000007919", "quantity": 2}]
    assert detail["packageReferenceId"] == again["packageDetail"]["packageReferenceId"]
    assert detail["packageReferenceId"].isdigit()
    with pytest.raises(ConnectorError, match="tracking number"):
        confirm_shipment_body(
            fulfilment=FulfilmentDTO(order_external_id="1", lines={"a": 1}), marketplace_id=US, ship_date=when
        )
