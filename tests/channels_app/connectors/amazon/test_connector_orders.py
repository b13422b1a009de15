"""Order intake by polling getOrders / getOrderItems on the fake, through the engine's poll."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from channels_app.intake.polling import account_orders_sync
from channels_app.models import SyncCursor
from config.sandbox.amazon.testing import SpApiCaller, shipment_confirmation
from inventory_app.models import Order, OrderStatus, StockMovement
from inventory_app.services.stock import stock_receive
from tests.factories import LocationFactory, SKUFactory
from tests.helpers import stock_level

pytestmark = pytest.mark.django_db


@pytest.fixture
def linen(amazon, connect, link):
    """LINEN-1: 5 on hand with us, 5 shown on Amazon, listing linked."""
    location, sku = LocationFactory(code="MAIN"), SKUFactory(code="LINEN-1")
    stock_receive(sku=sku, location=location, quantity=5)
    amazon.seed_listing("LINEN-1", 5)
    account = connect(amazon)
    link(account, sku, pushed=5)
    return account, sku, location


def _queries(amazon, operation: str) -> list[dict]:
    return [r["query"] for r in amazon.requests if r["operation"] == operation]


def test_a_pending_order_reserves_then_unshipped_keeps_one_reservation_and_canceled_releases(amazon, linen):
    account, sku, location = linen
    placed = amazon.place_order("LINEN-1", 2)  # Amazon shows 3; payment not authorised yet

    account_orders_sync(account_id=account.pk)
    order = Order.objects.get(channel=account.sales_channel)
    pending = (order.external_ref, order.status, order.is_paid, stock_level(sku, location))
    movements = StockMovement.objects.count()

    amazon.advance(300)  # payment authorised: Unshipped, with prices
    account_orders_sync(account_id=account.pk)
    unshipped = (Order.objects.filter(channel=account.sales_channel).count(), stock_level(sku, location))
    movements_after_unshipped = StockMovement.objects.count()

    amazon.cancel_order(placed.amazon_order_id)
    account_orders_sync(account_id=account.pk)
    order.refresh_from_db()

    assert pending == (placed.amazon_order_id, OrderStatus.OPEN, False, (5, 2))
    assert unshipped == (1, (5, 2))
    assert movements_after_unshipped == movements
    assert (order.status, stock_level(sku, location)) == (OrderStatus.CANCELLED, (5, 0))
    line = order.lines.get()
    assert (line.external_line_id, line.external_sku, line.sku_id, line.quantity) == (
        placed.items[0].order_item_id,
        "LINEN-1",
        sku.pk,
        2,
    )


def test_get_orders_pages_with_next_token_and_the_next_poll_rereads_the_overlap(amazon, linen):
    account, sku, location = linen
    account.options["orders_page_size"] = 2
    account.save(update_fields=["options"])
    ids = []
    for _ in range(5):
        ids.append(amazon.place_order("LINEN-1", 1).amazon_order_id)
        amazon.advance(1)

    first = account_orders_sync(account_id=account.pk)
    cursor = datetime.fromisoformat(SyncCursor.objects.get(account=account, stream="orders").value)
    item_calls = amazon.stats.requests["getOrderItems"]
    second = account_orders_sync(account_id=account.pk)

    queries = _queries(amazon, "getOrders")
    assert first == {"orders": 5, "applied": 5, "busy": 0}
    assert second == {
        "orders": 5,
        "applied": 0,
        "busy": 0,
    }  # the overlap re-reads them; nothing applied twice
    assert len(queries) == 6  # pages of 2, 2, 1 twice
    assert [("NextToken" in q) for q in queries[:3]] == [False, True, True]
    assert all(q["MaxResultsPerPage"] == ["2"] and q["FulfillmentChannels"] == ["MFN"] for q in queries)
    overlap_start = (cursor - timedelta(seconds=600)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert queries[3]["LastUpdatedAfter"] == [overlap_start]
    assert "OrderStatuses" in queries[0] and "OrderStatuses" not in queries[3]
    assert item_calls == 5 and amazon.stats.requests["getOrderItems"] == 5  # unchanged orders: cached
    assert sorted(Order.objects.values_list("external_ref", flat=True)) == sorted(ids)
    assert stock_level(sku, location) == (5, 5)


def test_polling_twice_creates_one_order_and_reserves_once(amazon, linen):
    account, sku, location = linen
    amazon.place_order("LINEN-1", 1)

    account_orders_sync(account_id=account.pk)
    account_orders_sync(account_id=account.pk)

    assert Order.objects.count() == 1
    assert stock_level(sku, location) == (5, 1)


def test_amazon_fulfilled_orders_are_not_taken_in(amazon, linen):
    account, _sku, _location = linen
    amazon.seed_listing("TOWEL-FBA", 40, fulfillment_channel_code="AMAZON_NA")
    amazon.place_order("TOWEL-FBA", 3)

    result = account_orders_sync(account_id=account.pk)

    assert result == {"orders": 0, "applied": 0, "busy": 0}
    assert Order.objects.count() == 0
    assert amazon.stats.requests["getOrderItems"] == 0


def test_an_order_shipped_on_amazon_ships_our_order(amazon, linen):
    account, sku, location = linen
    placed = amazon.place_order("LINEN-1", 2)
    amazon.advance(300)
    account_orders_sync(account_id=account.pk)
    caller = SpApiCaller(amazon, amazon.access_token(), validate=False)
    answer = caller.call(  # the seller confirmed the shipment in Seller Central
        "confirmShipment",
        "POST",
        f"/orders/v0/orders/{placed.amazon_order_id}/shipmentConfirmation",
        body=shipment_confirmation(placed, [(placed.items[0], 2)]),
    )
    assert answer.status_code == 204

    account_orders_sync(account_id=account.pk)
    order = Order.objects.get()

    assert (order.status, order.lines.get().quantity_shipped) == (OrderStatus.SHIPPED, 2)
    assert stock_level(sku, location) == (3, 0)


def test_order_items_are_read_page_by_page(fake_factory, connect):
    amazon = fake_factory(order_items_page_size=2)
    location = LocationFactory(code="MAIN")
    codes = ("SHEET", "PILLOW", "DUVET")
    for code in codes:
        stock_receive(sku=SKUFactory(code=code), location=location, quantity=4)
        amazon.seed_listing(code, 4)
    account = connect(amazon)
    amazon.place_order(lines=[(code, 1) for code in codes])

    account_orders_sync(account_id=account.pk)

    assert amazon.stats.requests["getOrderItems"] == 2
    assert [
        item["query"].get("NextToken") is not None
        for item in amazon.requests
        if item["operation"] == "getOrderItems"
    ] == [
        False,
        True,
    ]
    assert sorted(Order.objects.get().lines.values_list("external_sku", "quantity")) == [
        ("DUVET", 1),
        ("PILLOW", 1),
        ("SHEET", 1),
    ]
