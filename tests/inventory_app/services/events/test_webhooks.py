"""Webhook deliveries to a real HTTP endpoint on 127.0.0.1: signed, in order per key, retried."""

from __future__ import annotations

import json
from collections import deque
from datetime import timedelta

import pytest
from django.utils import timezone

from inventory_app.models import DeliveryStatus, Event, EventType, OrderStatus, SalesChannel, WebhookDelivery
from inventory_app.services.alerts import alerts_current
from inventory_app.services.events.delivery import webhook_endpoint_deliver
from inventory_app.services.events.endpoints import (
    webhook_delivery_redeliver,
    webhook_endpoint_create,
    webhook_endpoint_enable,
    webhook_endpoint_secret_rotate,
)
from inventory_app.services.events.publish import events_publish
from inventory_app.services.events.signing import webhook_secret_generate
from inventory_app.services.orders import OrderInput, OrderLineInput, order_create, order_ship
from inventory_app.services.stock import stock_receive
from tests.inventory_app.services.events.signatures import signature_valid

pytestmark = pytest.mark.django_db

ALL_TYPES = [EventType.AVAILABILITY_CHANGED, EventType.ORDER_CREATED, EventType.SHIPMENT_CREATED]


def _bodies(deliveries: list[dict]) -> list[dict]:
    return [json.loads(d["raw"]) for d in deliveries]


def _summary(deliveries: list[dict]) -> list[tuple]:
    out = []
    for body in _bodies(deliveries):
        data = body["data"]
        if body["type"] == EventType.AVAILABILITY_CHANGED:
            out.append((body["type"], data["sku"], data["available"]))
        else:
            out.append((body["type"], data["external_ref"]))
    return out


def test_a_sale_a_kit_and_a_shipment_reach_the_endpoint_signed_and_in_order(catalog, webhook_receiver):
    endpoint, secret = webhook_endpoint_create(url=webhook_receiver.url, event_types=ALL_TYPES)
    sheet, case, location = catalog["sheet"], catalog["case"], catalog["location"]

    stock_receive(sku=sheet, location=location, quantity=10)
    events_publish()  # what the worker does after each commit
    stock_receive(sku=case, location=location, quantity=3)
    events_publish()
    order, _ = order_create(
        channel=SalesChannel.objects.get(code="manual"),
        data=OrderInput(external_ref="S-1", lines=[OrderLineInput("SHEET", 4)]),
    )
    events_publish()
    order_ship(order=order, quantities=None, reference="ship-1")
    events_publish()
    run = webhook_endpoint_deliver(endpoint_id=endpoint.pk)

    received = webhook_receiver.received
    assert run.delivered == len(received) == 10
    assert run.failed == 0
    assert _summary(received) == [
        ("availability.changed", "SHEET", 10),
        ("availability.changed", "BEDSET", 0),  # no CASE yet
        ("availability.changed", "CASE", 3),
        ("availability.changed", "BEDSET", 3),  # the kit moved with no movement of its own
        ("availability.changed", "SHEET", 6),
        ("availability.changed", "BEDSET", 3),
        ("order.created", "S-1"),
        ("availability.changed", "SHEET", 6),
        ("availability.changed", "BEDSET", 3),
        ("shipment.created", "S-1"),
    ]
    bodies = _bodies(received)
    assert [b["sequence"] for b in bodies] == sorted(b["sequence"] for b in bodies)
    assert all(signature_valid(secret=secret, delivery=d) for d in received)
    assert not signature_valid(secret=webhook_secret_generate(), delivery=received[0])
    first = received[0]["headers"]
    assert first["Webhook-Id"] == bodies[0]["id"] == Event.objects.get(seq=bodies[0]["sequence"]).public_id
    assert first["Content-Type"] == "application/json"
    assert bodies[-1]["data"]["order_id"] == order.pk
    assert order.shipments.count() == 1
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {DeliveryStatus.DELIVERED}


def _receive(sku, location, quantity):
    stock_receive(sku=sku, location=location, quantity=quantity)
    events_publish()


def test_an_endpoint_that_fails_for_a_while_then_gets_every_missed_event_in_order(catalog, webhook_receiver):
    endpoint, secret = webhook_endpoint_create(
        url=webhook_receiver.url, event_types=[EventType.AVAILABILITY_CHANGED]
    )
    sheet, case, location = catalog["sheet"], catalog["case"], catalog["location"]
    for quantity in (5, 1, 2):
        _receive(sheet, location, quantity)
    t0 = timezone.now()
    webhook_receiver.statuses = deque([500, 503, 500, 500])

    first = webhook_endpoint_deliver(endpoint_id=endpoint.pk, now=t0)
    early = webhook_endpoint_deliver(endpoint_id=endpoint.pk, now=t0 + timedelta(seconds=4))
    _receive(case, location, 4)  # more changes while the endpoint is down
    _receive(sheet, location, 1)
    second = webhook_endpoint_deliver(endpoint_id=endpoint.pk, now=t0 + timedelta(seconds=6))
    third = webhook_endpoint_deliver(endpoint_id=endpoint.pk, now=t0 + timedelta(seconds=20))
    fourth = webhook_endpoint_deliver(endpoint_id=endpoint.pk, now=t0 + timedelta(seconds=60))

    # Every failed try held the later events of its SKU (and of the kit containing it).
    assert (first.delivered, first.failed) == (0, 2)  # SHEET's first, BEDSET's first
    assert (early.delivered, early.failed, early.ran) == (0, 0, True)  # nothing due yet: no request
    assert (second.delivered, second.failed) == (1, 2)  # CASE's first went out; SHEET, BEDSET failed
    assert (third.delivered, third.failed) == (9, 0)  # 4 SHEET, 5 BEDSET (CASE's change moved the kit)
    assert (fourth.delivered, fourth.failed) == (0, 0)
    accepted = webhook_receiver.accepted()
    by_key: dict[str, list[int]] = {}
    for body in _bodies(accepted):
        by_key.setdefault(body["data"]["sku"], []).append(body["sequence"])
    published = Event.objects.filter(type=EventType.AVAILABILITY_CHANGED).order_by("seq")
    assert [b["sequence"] for b in _bodies(accepted) if b["data"]["sku"] == "SHEET"] == [
        e.seq for e in published if e.payload["sku"] == "SHEET"
    ]
    assert sorted(b["id"] for b in _bodies(accepted)) == sorted(e.public_id for e in published)  # each once
    assert all(seqs == sorted(seqs) for seqs in by_key.values())
    assert [b["data"]["available"] for b in _bodies(accepted) if b["data"]["sku"] == "SHEET"][-1] == 9
    assert all(signature_valid(secret=secret, delivery=d) for d in webhook_receiver.received)
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {DeliveryStatus.DELIVERED}
    endpoint.refresh_from_db()
    assert endpoint.failing_since is None and endpoint.is_active


def test_a_failed_delivery_holds_only_its_own_key(catalog, webhook_receiver):
    endpoint, _ = webhook_endpoint_create(
        url=webhook_receiver.url, event_types=[EventType.AVAILABILITY_CHANGED]
    )
    sheet, case, location = catalog["sheet"], catalog["case"], catalog["location"]
    _receive(sheet, location, 2)  # SHEET, BEDSET
    _receive(case, location, 1)  # CASE, BEDSET
    _receive(sheet, location, 2)  # SHEET, BEDSET
    webhook_receiver.statuses = deque([500, 200, 200])  # SHEET's first fails, BEDSET's and CASE's pass

    run = webhook_endpoint_deliver(endpoint_id=endpoint.pk, now=timezone.now())

    sent = [(b["data"]["sku"], b["sequence"]) for b in _bodies(webhook_receiver.received)]
    assert [sku for sku, _ in sent] == ["SHEET", "BEDSET", "CASE", "BEDSET", "BEDSET"]
    assert (run.delivered, run.failed) == (4, 1)
    held = WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING).order_by("seq")
    assert [(d.key, d.attempts) for d in held] == [(f"sku:{sheet.pk}", 1), (f"sku:{sheet.pk}", 0)]


def test_an_endpoint_failing_for_a_day_is_disabled_with_an_alert_and_enabling_sends_what_it_missed(
    catalog, webhook_receiver
):
    endpoint, _ = webhook_endpoint_create(
        url=webhook_receiver.url, event_types=[EventType.AVAILABILITY_CHANGED]
    )
    other, _ = webhook_endpoint_create(
        url=webhook_receiver.url, event_types=[EventType.WEBHOOK_ENDPOINT_DISABLED]
    )
    sheet, location = catalog["sheet"], catalog["location"]
    _receive(sheet, location, 1)
    t0 = timezone.now()
    webhook_receiver.statuses = deque([500] * 5)  # SHEET and BEDSET twice, SHEET once more
    webhook_endpoint_deliver(endpoint_id=endpoint.pk, now=t0)
    webhook_endpoint_deliver(endpoint_id=endpoint.pk, now=t0 + timedelta(hours=12))

    last = webhook_endpoint_deliver(endpoint_id=endpoint.pk, now=t0 + timedelta(hours=24, seconds=1))
    _receive(sheet, location, 1)  # while disabled: kept for it
    idle = webhook_endpoint_deliver(endpoint_id=endpoint.pk, now=t0 + timedelta(hours=25))

    endpoint.refresh_from_db()
    assert not endpoint.is_active and endpoint.disabled_at is not None
    assert "failed for 24 hours" in endpoint.disabled_reason
    assert last.failed == 1 and (idle.ran, idle.delivered) == (False, 0)
    assert [a.key for a in alerts_current() if a.kind == "webhook"] == [f"webhook:{endpoint.pk}"]
    disabled = Event.objects.get(type=EventType.WEBHOOK_ENDPOINT_DISABLED)
    assert disabled.payload["endpoint_id"] == endpoint.pk
    assert WebhookDelivery.objects.get(endpoint=other).event == disabled
    statuses = (
        WebhookDelivery.objects.filter(endpoint=endpoint).order_by("seq").values_list("status", flat=True)
    )
    assert list(statuses) == ["failed", "pending", "pending", "pending"]  # SHEET given up; BEDSET not tried

    pending = webhook_endpoint_enable(endpoint=endpoint)
    run = webhook_endpoint_deliver(endpoint_id=endpoint.pk)

    assert pending == WebhookDelivery.objects.filter(endpoint=endpoint).count() == run.delivered
    assert [b["data"]["available"] for b in _bodies(webhook_receiver.accepted())] == [1, 0, 2, 0]


def test_a_rotated_secret_signs_beside_the_new_one_until_the_overlap_ends(
    catalog, webhook_receiver, settings
):
    endpoint, old = webhook_endpoint_create(
        url=webhook_receiver.url, event_types=[EventType.AVAILABILITY_CHANGED]
    )
    endpoint, new = webhook_endpoint_secret_rotate(endpoint=endpoint)
    _receive(catalog["case"], catalog["location"], 1)

    webhook_endpoint_deliver(endpoint_id=endpoint.pk)
    after_overlap = endpoint.previous_secret_until + timedelta(seconds=1)
    delivery = WebhookDelivery.objects.order_by("seq").first()
    webhook_delivery_redeliver(delivery=delivery)
    webhook_endpoint_deliver(endpoint_id=endpoint.pk, now=after_overlap)

    during, late = webhook_receiver.received[0], webhook_receiver.received[-1]
    assert len(during["headers"]["Webhook-Signature"].split()) == 2
    assert signature_valid(secret=old, delivery=during) and signature_valid(secret=new, delivery=during)
    assert len(late["headers"]["Webhook-Signature"].split()) == 1
    assert signature_valid(secret=new, delivery=late) and not signature_valid(secret=old, delivery=late)
    assert late["headers"]["Webhook-Id"] == json.loads(late["raw"])["id"] == delivery.event.public_id


def test_deliveries_go_only_where_the_egress_guard_allows(catalog, settings):
    from django.core.exceptions import ValidationError

    settings.WEBHOOKS_ALLOW_PRIVATE_HOSTS = False
    with pytest.raises(ValidationError, match="https"):
        webhook_endpoint_create(url="http://127.0.0.1:9/hook", event_types=[EventType.ORDER_CREATED])
    endpoint, _ = webhook_endpoint_create(
        url="https://127.0.0.1:9/hook", event_types=[EventType.ORDER_CREATED]
    )
    order_create(
        channel=SalesChannel.objects.get(code="manual"),
        data=OrderInput(external_ref="S-9", lines=[OrderLineInput("SHEET", 1)]),
        shortage="flag",
    )
    events_publish()

    run = webhook_endpoint_deliver(endpoint_id=endpoint.pk)

    delivery = WebhookDelivery.objects.get()
    assert (run.delivered, run.failed) == (0, 1)
    assert "non-public address" in delivery.last_error
    assert delivery.log.get().status_code is None
    assert Event.objects.get(type=EventType.ORDER_CREATED).payload["status"] == OrderStatus.OPEN
