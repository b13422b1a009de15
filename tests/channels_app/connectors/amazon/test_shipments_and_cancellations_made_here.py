"""A shipment made here reaches Amazon as confirmShipment (through the outbox); an order cancelled
here is not cancellable through Amazon's API, so the seller is told plainly to do it in Seller
Central (API answer and the order's attention flag) and nothing is sent to Amazon."""

from __future__ import annotations

import pytest

from channels_app.intake.polling import account_orders_sync
from channels_app.models import ChannelOrderPush, OrderPushStatus
from inventory_app.models import Order, OrderStatus
from inventory_app.services.orders import Tracking, order_ship
from inventory_app.services.stock import stock_receive
from tests.factories import LocationFactory, SKUFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _polled_order(amazon, connect, link):
    location, sku = LocationFactory(code="MAIN"), SKUFactory(code="LINEN-1")
    stock_receive(sku=sku, location=location, quantity=5)
    amazon.seed_listing("LINEN-1", 5)
    account = connect(amazon)
    link(account, sku, pushed=5)
    placed = amazon.place_order("LINEN-1", 2)
    amazon.advance(300)  # paid: Unshipped
    account_orders_sync(account_id=account.pk)
    return placed, Order.objects.get()


def test_a_shipment_made_here_is_confirmed_on_amazon_with_its_tracking(amazon, connect, link):
    placed, order = _polled_order(amazon, connect, link)

    order_ship(order=order, tracking=Tracking(carrier="UPS", number="1Z999AA10123456784"))

    push = ChannelOrderPush.objects.get()
    assert push.status == OrderPushStatus.DELIVERED
    remote = amazon.order(placed.amazon_order_id)
    assert remote.status == "Shipped"
    assert [(p["carrierCode"], p["trackingNumber"]) for p in remote.shipments] == [
        ("UPS", "1Z999AA10123456784")
    ]


def test_cancelling_an_amazon_order_here_tells_the_seller_to_cancel_it_in_seller_central(
    amazon, connect, link, api_client
):
    placed, order = _polled_order(amazon, connect, link)
    calls_before = len(amazon.requests)

    response = api_client("operator").post(f"/api/v1/orders/{order.pk}/cancel/", {}, format="json")

    body = response.json()
    assert response.status_code == 200 and body["status"] == OrderStatus.CANCELLED
    (notice,) = body["channel_notices"]
    assert notice.startswith("Amazon's Orders API cannot cancel an order for us: cancel order")
    assert placed.amazon_order_id in notice and "Seller Central" in notice
    order.refresh_from_db()
    assert order.needs_attention is True and notice in order.attention_reason
    assert ChannelOrderPush.objects.count() == 0
    # Only the engine's own reads and the availability push of the released units went out.
    sent = {r["operation"] for r in amazon.requests[calls_before:]}
    assert sent <= {"getOrders", "getOrderItems", "getListingsItem", "patchListingsItem"}
    assert amazon.order(placed.amazon_order_id).status == "Unshipped"
