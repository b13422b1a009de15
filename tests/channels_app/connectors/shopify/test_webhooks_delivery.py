"""Webhooks end to end: the fake shop delivers signed webhooks over HTTP to our live server
(PostgreSQL, eager Celery); duplicates, reordering, forged signatures, refunds with restock."""

from __future__ import annotations

import pytest
from django.urls import reverse

from channels_app.intake.polling import account_orders_sync
from channels_app.models import InboundEvent, InboundEventStatus
from channels_app.services.accounts import account_connector
from channels_app.services.onboarding import account_listings_import
from inventory_app.models import Order, OrderStatus, StockLevel

from .conftest import clock_ticking

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def subscribed(fake_shopify, shopify_account, stocked, django_server):
    """Our stock of two SKUs, the account linked, orders caught up, webhooks registered to us."""
    location, skus = stocked({"LIN-0001-1": 5, "LIN-0002-1": 4})
    account = shopify_account(location_ids=[location.pk])
    account_listings_import(account=account)
    account_orders_sync(account_id=account.pk)
    url = django_server + reverse("channels_webhooks:receive", args=[account.webhook_token])
    account_connector(account=account).webhooks_register(url=url)
    return account, location, skus


def _committed(location, sku) -> int:
    return StockLevel.objects.get(sku=sku, location=location).committed


def test_an_order_delivered_twice_creates_one_order_and_reserves_once(fake_shopify, subscribed):
    account, location, skus = subscribed
    fake_shopify.webhooks.faults.duplicates = 1

    placed = fake_shopify.place_order(lines=[{"sku": "LIN-0001-1", "quantity": 2}])
    assert fake_shopify.webhooks.wait_idle(timeout=20)

    attempts = fake_shopify.webhooks.attempts
    assert sorted(a["topic"] for a in attempts) == ["orders/create"] * 2 + ["orders/updated"] * 2
    assert {a["status"] for a in attempts} == {200}
    order = Order.objects.get(channel=account.sales_channel)
    assert order.external_ref == str(placed.id)
    assert _committed(location, skus["LIN-0001-1"]) == 2
    events = InboundEvent.objects.filter(account=account, source="webhook")
    assert sorted(e.topic for e in events) == ["orders/create", "orders/updated"]
    assert {e.status for e in events} == {InboundEventStatus.PROCESSED}


def test_orders_updated_before_orders_create_changes_nothing_more(fake_shopify, subscribed):
    account, location, skus = subscribed
    fake_shopify.webhooks.hold()

    fake_shopify.place_order(lines=[{"sku": "LIN-0002-1", "quantity": 3}])
    fake_shopify.webhooks.release("reverse")
    assert fake_shopify.webhooks.wait_idle(timeout=20)

    assert [a["topic"] for a in fake_shopify.webhooks.attempts] == ["orders/updated", "orders/create"]
    assert Order.objects.filter(channel=account.sales_channel).count() == 1
    assert _committed(location, skus["LIN-0002-1"]) == 3


def test_a_late_creation_after_the_cancellation_does_not_reopen_the_order(fake_shopify, subscribed):
    account, location, skus = subscribed
    clock_ticking(fake_shopify)
    fake_shopify.webhooks.hold()

    placed = fake_shopify.place_order(lines=[{"sku": "LIN-0001-1", "quantity": 1}])
    fake_shopify.cancel_order(placed.id)
    fake_shopify.webhooks.release("reverse")
    assert fake_shopify.webhooks.wait_idle(timeout=20)

    assert [a["topic"] for a in fake_shopify.webhooks.attempts] == [
        "orders/updated",
        "orders/cancelled",
        "orders/updated",
        "orders/create",
    ]
    order = Order.objects.get(channel=account.sales_channel)
    assert order.status == OrderStatus.CANCELLED
    assert _committed(location, skus["LIN-0001-1"]) == 0
    assert order.external_updated_at.isoformat() == placed.updated_at.isoformat()


def test_a_forged_signature_is_refused_and_nothing_is_stored_until_the_poll(fake_shopify, subscribed):
    account, location, skus = subscribed
    fake_shopify.webhooks.faults.bad_signature = True

    fake_shopify.place_order(lines=[{"sku": "LIN-0001-1", "quantity": 1}])
    assert fake_shopify.webhooks.wait_idle(timeout=20)

    assert {a["status"] for a in fake_shopify.webhooks.attempts} == {401}
    assert len(fake_shopify.webhooks.attempts) == 6  # 2 webhooks x (1 + 2 retries)
    assert not InboundEvent.objects.filter(account=account).exclude(source="poll").exists()
    assert not Order.objects.filter(channel=account.sales_channel).exists()
    assert _committed(location, skus["LIN-0001-1"]) == 0
    account_orders_sync(account_id=account.pk)  # the poll finds the order whose webhook was lost
    assert Order.objects.filter(channel=account.sales_channel).count() == 1
    assert _committed(location, skus["LIN-0001-1"]) == 1


def test_a_refund_that_restocks_releases_the_refunded_units(fake_shopify, subscribed):
    account, location, skus = subscribed
    clock_ticking(fake_shopify)
    placed = fake_shopify.place_order(lines=[{"sku": "LIN-0001-1", "quantity": 3}])
    assert fake_shopify.webhooks.wait_idle(timeout=20)
    assert _committed(location, skus["LIN-0001-1"]) == 3

    fake_shopify.refund_order(placed.id, lines=[{"sku": "LIN-0001-1", "quantity": 2}], restock=True)
    assert fake_shopify.webhooks.wait_idle(timeout=20)

    line = Order.objects.get(channel=account.sales_channel).lines.get()
    assert (line.quantity, line.quantity_cancelled) == (3, 2)
    assert _committed(location, skus["LIN-0001-1"]) == 1
    refund = InboundEvent.objects.get(account=account, topic="refunds/create")
    assert refund.status == InboundEventStatus.IGNORED
    assert refund.payload["body"]["refund_line_items"][0]["restock_type"] == "cancel"


def test_a_fulfilment_we_push_comes_back_by_webhook_without_shipping_twice(fake_shopify, subscribed):
    from channels_app.connectors.dto import FulfilmentDTO
    from inventory_app.services.orders import order_ship

    account, location, skus = subscribed
    clock_ticking(fake_shopify)
    fake_shopify.place_order(lines=[{"sku": "LIN-0002-1", "quantity": 2}])
    assert fake_shopify.webhooks.wait_idle(timeout=20)
    order = Order.objects.get(channel=account.sales_channel)
    line = order.lines.get()
    order_ship(order=order, quantities={line.pk: 2}, reference="shipment-1", idempotency_key="ship-1")

    account_connector(account=account).fulfilment_push(
        fulfilment=FulfilmentDTO(
            order_external_id=order.external_ref,
            lines={line.external_line_id: 2},
            carrier="DHL",
            tracking_number="JD014600006281230704",
            tracking_url="https://www.dhl.com/track?id=JD014600006281230704",
        )
    )
    assert fake_shopify.webhooks.wait_idle(timeout=20)

    order.refresh_from_db()
    line.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
    assert line.quantity_shipped == 2
    assert StockLevel.objects.get(sku=skus["LIN-0002-1"], location=location).on_hand == 2
    topics = [a["topic"] for a in fake_shopify.webhooks.attempts]
    assert "orders/fulfilled" in topics
    assert (
        InboundEvent.objects.get(account=account, topic="orders/fulfilled").status
        == InboundEventStatus.PROCESSED
    )
