"""Events are written with the change they describe, and numbered in commit order."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from inventory_app.errors import InsufficientStock
from inventory_app.hooks import (
    CredentialsExpiry,
    credentials_provider_register,
    credentials_provider_unregister,
)
from inventory_app.models import Event, EventType, SalesChannel
from inventory_app.selectors.events import events_after
from inventory_app.services.alerts import alerts_refresh
from inventory_app.services.events.publish import events_publish
from inventory_app.services.events.record import events_record
from inventory_app.services.events.sweep import events_prune
from inventory_app.services.orders import (
    OrderInput,
    OrderLineInput,
    order_cancel,
    order_create,
    order_lines_cancel,
)
from inventory_app.services.reorder import reorder_rule_set
from inventory_app.services.stock import stock_adjust, stock_receive


def _types(**filters) -> list[tuple[str, str]]:
    return list(Event.objects.filter(**filters).order_by("pk").values_list("type", "key"))


@pytest.mark.django_db
def test_a_refused_stock_change_records_no_event(catalog):
    with pytest.raises(InsufficientStock):
        stock_adjust(sku=catalog["sheet"], location=catalog["location"], delta=-1, reason_detail="lost")

    assert Event.objects.count() == 0


@pytest.mark.django_db
def test_an_orders_life_is_told_in_events_keyed_by_the_order(catalog):
    sheet, case, location = catalog["sheet"], catalog["case"], catalog["location"]
    stock_receive(sku=sheet, location=location, quantity=5)
    stock_receive(sku=case, location=location, quantity=5)
    Event.objects.all().delete()
    order, _ = order_create(
        channel=SalesChannel.objects.get(code="manual"),
        data=OrderInput(external_ref="A-1", lines=[OrderLineInput("SHEET", 2), OrderLineInput("CASE", 1)]),
    )
    order_lines_cancel(order=order, quantities={order.lines.get(external_sku="CASE").pk: 1})
    order_cancel(order=order, reason="buyer changed their mind")

    key = f"order:{order.pk}"
    assert _types(key=key) == [
        (EventType.ORDER_CREATED, key),
        (EventType.ORDER_UPDATED, key),
        (EventType.ORDER_CANCELLED, key),
    ]
    created, updated, cancelled = (e.payload for e in Event.objects.filter(key=key).order_by("pk"))
    assert [(line["sku"], line["quantity_cancelled"]) for line in updated["lines"]] == [
        ("SHEET", 0),
        ("CASE", 1),
    ]
    assert (created["status"], cancelled["status"], cancelled["external_ref"]) == ("open", "cancelled", "A-1")
    # Each reservation or release also moved the SKUs and the kit made of them.
    assert len(_types(type=EventType.AVAILABILITY_CHANGED)) == 2 + 2 + 3


@pytest.mark.django_db
def test_stock_low_is_an_event_when_a_sku_falls_to_its_reorder_point_not_while_it_stays_there(catalog):
    sheet, location = catalog["sheet"], catalog["location"]
    reorder_rule_set(sku=sheet, location=location, reorder_point=3, reorder_quantity=10)
    stock_receive(sku=sheet, location=location, quantity=5)
    events_publish()
    stock_adjust(sku=sheet, location=location, delta=-2, reason_detail="damaged")
    events_publish()
    stock_adjust(sku=sheet, location=location, delta=-1, reason_detail="damaged")
    events_publish()

    low = list(Event.objects.filter(type=EventType.STOCK_LOW))
    assert [(e.key, e.payload["sku"], e.payload["available"]) for e in low] == [
        (f"sku:{sheet.pk}", "SHEET", 3)
    ]


@pytest.mark.django_db
def test_channel_failures_and_expiring_credentials_become_events_once(catalog):
    soon = timezone.now() + timedelta(days=2)

    def provider():
        return [
            CredentialsExpiry(key="shop:1", name="Shop", expires_at=soon, text="Reconnect."),
            CredentialsExpiry(key="shop:2", name="Far", expires_at=soon + timedelta(days=60), text=""),
        ]

    credentials_provider_register(provider)
    try:
        alerts_refresh()
        alerts_refresh()
    finally:
        credentials_provider_unregister(provider)

    events = list(Event.objects.filter(type=EventType.CREDENTIALS_EXPIRING))
    assert [(e.key, e.payload["key"]) for e in events] == [("credentials:shop:1", "credentials:shop:1")]
    assert "Shop: credentials expire" in events[0].payload["text"]


@pytest.mark.django_db
def test_events_past_the_retention_window_are_pruned(catalog, settings):
    settings.EVENTS_RETENTION_DAYS = 30
    stock_receive(sku=catalog["sheet"], location=catalog["location"], quantity=1)
    events_publish()
    Event.objects.filter(key=f"sku:{catalog['sheet'].pk}").update(
        occurred_at=timezone.now() - timedelta(days=31)
    )

    assert events_prune() == 1
    assert list(Event.objects.values_list("key", flat=True)) == [f"sku:{catalog['bedset'].pk}"]


@pytest.mark.django_db(transaction=True)
def test_an_event_that_commits_late_is_numbered_after_and_a_cursor_reader_still_gets_it():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL")
    inserted, release = threading.Event(), threading.Event()
    errors = []

    def slow_writer():
        try:
            with transaction.atomic():
                events_record(events=[("order.updated", "order:1", {"n": "slow"})])
                inserted.set()
                release.wait(10)
        except Exception as exc:  # pragma: no cover - surfaced below
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=slow_writer)
    thread.start()
    assert inserted.wait(10)
    events_record(events=[("order.updated", "order:2", {"n": "fast"})])  # a higher id, committed first
    events_publish()
    reader = events_after(after=0)
    release.set()
    thread.join(10)
    events_publish()
    later = events_after(after=reader.events[-1].seq)

    assert errors == []
    assert [e.payload["n"] for e in reader.events] == ["fast"]
    assert [e.payload["n"] for e in later.events] == ["slow"]
    slow, fast = Event.objects.get(payload__n="slow"), Event.objects.get(payload__n="fast")
    assert slow.pk < fast.pk and slow.seq > fast.seq
