"""Shipments and cancellations made here reach the fake Shopify shop, exactly once.

The flow: a buyer's order on the shop is polled in, the seller ships it here (API or admin) with
carrier and tracking, the core's shipment hook queues a ChannelOrderPush and its task sends the
fulfillmentCreate; a retried task or a worker that died after Shopify took the call sends nothing
twice. Cancelling here sends orderCancel.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from channels_app.intake.polling import account_orders_sync
from channels_app.models import ChannelOrderPush, OrderPushStatus
from channels_app.order_reports.fulfilment import order_fulfilment_push
from channels_app.order_reports.pushes import channel_order_push_deliver
from channels_app.services.onboarding import account_listings_import
from inventory_app.models import Order, OrderStatus
from inventory_app.services.orders import Tracking, order_ship

from .conftest import clock_ticking

pytestmark = pytest.mark.django_db(transaction=True)


def _polled_order(fake_shopify, shopify_account, stocked, quantity: int = 2):
    location, _ = stocked({"LIN-0001-1": 5})
    account = shopify_account(page_size=50, location_ids=[location.pk])
    account_listings_import(account=account)
    placed = fake_shopify.place_order(lines=[{"sku": "LIN-0001-1", "quantity": quantity}])
    account_orders_sync(account_id=account.pk)
    return placed, Order.objects.get()


@pytest.mark.embedded
def test_a_shipment_made_through_the_api_reaches_shopify_once_with_its_tracking(
    fake_shopify, shopify_account, stocked, api_client
):
    placed, order = _polled_order(fake_shopify, shopify_account, stocked)

    shipped = api_client("operator").post(
        f"/api/v1/orders/{order.pk}/ship/",
        {"carrier": "UPS", "tracking_number": "1Z999AA10123456784"},
        format="json",
    )
    push = ChannelOrderPush.objects.get()
    again = channel_order_push_deliver(push_id=push.pk)  # a retried task

    assert shipped.status_code == 201
    assert shipped.json()["shipment"]["tracking_number"] == "1Z999AA10123456784"
    assert (push.kind, push.status, push.attempts) == ("fulfilment", OrderPushStatus.DELIVERED, 1)
    assert (again.status, again.attempts) == (OrderPushStatus.DELIVERED, 1)
    remote = fake_shopify.state.orders[placed.id]
    assert len(remote.fulfillments) == 1
    assert remote.fulfillments[0].tracking == [
        {"company": "UPS", "number": "1Z999AA10123456784", "url": None}
    ]
    assert remote.fulfillments[0].lines == [(placed.line_items[0].id, 2)]
    assert fake_shopify.counters["mutation:fulfillmentCreate"] == 1
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED


@pytest.mark.embedded
def test_a_fulfilment_that_landed_before_its_worker_died_is_not_sent_again(
    fake_shopify, shopify_account, stocked, settings
):
    placed, order = _polled_order(fake_shopify, shopify_account, stocked, quantity=3)
    line = order.lines.get()
    account = order.channel.channel_account
    account.enabled = False  # the first delivery waits: we play the worker dying mid-send below
    account.save(update_fields=["enabled"])
    order_ship(order=order, quantities={line.pk: 1})  # no tracking number: only counts can tell
    push = ChannelOrderPush.objects.get()
    account.enabled = True
    account.save(update_fields=["enabled"])
    # The worker sent fulfillmentCreate, Shopify took it, and the worker died before marking it.
    order_fulfilment_push(order_id=order.pk, quantities={line.pk: 1})
    ChannelOrderPush.objects.filter(pk=push.pk).update(
        status=OrderPushStatus.QUEUED, leased_until=timezone.now() - timedelta(seconds=1)
    )

    retried = channel_order_push_deliver(push_id=push.pk)
    order_ship(order=order, quantities={line.pk: 2})  # the rest ships later: it is sent

    remote = fake_shopify.state.orders[placed.id]
    assert retried.status == OrderPushStatus.DELIVERED
    assert [f.lines for f in remote.fulfillments] == [
        [(placed.line_items[0].id, 1)],
        [(placed.line_items[0].id, 2)],
    ]
    assert remote.line_items[0].fulfilled_quantity == 3
    assert list(ChannelOrderPush.objects.values_list("status", flat=True)) == ["delivered", "delivered"]


def test_a_worker_holding_the_lease_keeps_others_off(fake_shopify, shopify_account, stocked):
    placed, order = _polled_order(fake_shopify, shopify_account, stocked)
    account = order.channel.channel_account
    account.enabled = False
    account.save(update_fields=["enabled"])
    order_ship(order=order)
    push = ChannelOrderPush.objects.get()
    account.enabled = True
    account.save(update_fields=["enabled"])
    ChannelOrderPush.objects.filter(pk=push.pk).update(leased_until=timezone.now() + timedelta(minutes=1))

    held = channel_order_push_deliver(push_id=push.pk)

    assert held.status == OrderPushStatus.QUEUED
    assert fake_shopify.state.orders[placed.id].fulfillments == []


def test_cancelling_a_shopify_order_here_cancels_it_on_shopify(
    fake_shopify, shopify_account, stocked, api_client
):
    placed, order = _polled_order(fake_shopify, shopify_account, stocked)

    response = api_client("operator").post(f"/api/v1/orders/{order.pk}/cancel/", {"reason": "out of stock"})
    again = api_client("operator").post(f"/api/v1/orders/{order.pk}/cancel/", {})

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert response.json()["channel_notices"] == [
        f"Order {placed.id} is being cancelled on Linen shop as well (the buyer is refunded there)."
    ]
    assert again.json()["channel_notices"] == []
    remote = fake_shopify.state.orders[placed.id]
    assert remote.cancelled_at is not None and remote.cancel_reason == "OTHER"
    assert fake_shopify.counters["order_cancels"] == 1
    push = ChannelOrderPush.objects.get()
    assert (push.kind, push.status) == ("cancel", OrderPushStatus.DELIVERED)
    order.refresh_from_db()
    assert order.needs_attention is False


def test_a_cancellation_shopify_refuses_is_flagged_on_the_order(
    fake_shopify, shopify_account, stocked, admin_client
):
    placed, order = _polled_order(fake_shopify, shopify_account, stocked)
    # Someone fulfilled a unit on Shopify itself, which our poll has not seen yet: Shopify refuses.
    fake_shopify.state.orders[placed.id].line_items[0].fulfilled_quantity = 1

    response = admin_client.post(
        reverse("admin:inventory_app_order_changelist"),
        {"action": "cancel_orders", "_selected_action": [order.pk]},
        follow=True,
    )

    shown = [str(m) for m in response.context["messages"]]
    assert shown[0] == "1 order(s) cancelled."
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert order.needs_attention is True
    assert "Linen shop refused the cancellation" in order.attention_reason
    assert "Cannot cancel an order that has fulfillments" in order.attention_reason
    assert ChannelOrderPush.objects.get().status == OrderPushStatus.FAILED


def test_units_the_shop_fulfilled_itself_do_not_swallow_our_later_shipment(
    fake_shopify, shopify_account, stocked
):
    placed, order = _polled_order(fake_shopify, shopify_account, stocked)
    clock_ticking(fake_shopify)
    state = fake_shopify.state
    fo = state.fulfillment_orders[placed.fulfillment_order_ids[0]]
    state.fulfill(order=placed, lines=[(fo, fo.line_items[0], 1)], tracking=[])  # the seller, on Shopify
    account_orders_sync(account_id=order.channel.channel_account.pk)  # we take that shipment in
    line = order.lines.get()
    line.refresh_from_db()
    shipped_by_shop = line.quantity_shipped

    order_ship(order=order, quantities={line.pk: 1}, tracking=Tracking(carrier="UPS", number="1Z2"))

    assert shipped_by_shop == 1
    assert ChannelOrderPush.objects.get().status == OrderPushStatus.DELIVERED
    assert [f.lines for f in state.orders[placed.id].fulfillments] == [
        [(placed.line_items[0].id, 1)],
        [(placed.line_items[0].id, 1)],
    ]
