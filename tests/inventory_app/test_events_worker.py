"""Events end to end through the real broker: a sale and its shipment, committed here, reach a
webhook endpoint on 127.0.0.1 signed, published and delivered by a separate ``celery worker``
process (tasks enqueued after commit; on the embedded pass: the file-system broker and SQLite)."""

from __future__ import annotations

import json

import pytest

from inventory_app.models import DeliveryStatus, EventType, SalesChannel, WebhookDelivery
from inventory_app.services.events.endpoints import webhook_endpoint_create
from inventory_app.services.events.publish import events_publish
from inventory_app.services.orders import OrderInput, OrderLineInput, order_create, order_ship
from inventory_app.services.stock import stock_receive
from tests.factories import KitComponentFactory, KitFactory, LocationFactory, SKUFactory
from tests.inventory_app.services.events.signatures import signature_valid
from tests.worker_process import celery_worker, wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.embedded]


def test_a_worker_delivers_a_sale_its_kit_and_its_shipment_to_the_endpoint(
    webhook_receiver, celery_through_broker, settings
):
    settings.WEBHOOKS_ALLOW_PRIVATE_HOSTS = True
    sheet, location = SKUFactory(code="SHEET"), LocationFactory(code="WH1")
    KitComponentFactory(kit=KitFactory(code="PAIR"), component=sheet, quantity=2)
    stock_receive(sku=sheet, location=location, quantity=6)
    events_publish()  # before the endpoint exists: not for it
    _, secret = webhook_endpoint_create(
        url=webhook_receiver.url,
        event_types=[EventType.AVAILABILITY_CHANGED, EventType.ORDER_CREATED, EventType.SHIPMENT_CREATED],
    )

    with celery_worker("events", WEBHOOKS_ALLOW_PRIVATE_HOSTS="1") as worker:
        order, _ = order_create(
            channel=SalesChannel.objects.get(code="manual"),
            data=OrderInput(external_ref="W-1", lines=[OrderLineInput("SHEET", 2)]),
        )
        wait_for(
            lambda: len(webhook_receiver.received) >= 3, timeout=90, what="the sale's events", proc=worker
        )
        order_ship(order=order, quantities=None, reference="ship-w1")
        wait_for(
            lambda: len(webhook_receiver.received) >= 6, timeout=90, what="the shipment's events", proc=worker
        )

    bodies = [json.loads(d["raw"]) for d in webhook_receiver.received]
    assert [(b["type"], b["data"].get("sku") or b["data"].get("external_ref")) for b in bodies] == [
        ("availability.changed", "SHEET"),
        ("availability.changed", "PAIR"),
        ("order.created", "W-1"),
        ("availability.changed", "SHEET"),
        ("availability.changed", "PAIR"),
        ("shipment.created", "W-1"),
    ]
    assert [b["data"].get("available") for b in bodies[:2]] == [4, 2]
    assert all(signature_valid(secret=secret, delivery=d) for d in webhook_receiver.received)
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {DeliveryStatus.DELIVERED}
