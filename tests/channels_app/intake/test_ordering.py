"""Intake ordering: polled versions within one second, older deliveries, equal timestamps."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from channels_app.intake.orders import OLDER_SNAPSHOT
from channels_app.intake.polling import account_orders_sync
from channels_app.models import InboundEvent
from inventory_app.models import Order, StockLevel, StockMovement
from tests.channels_app.helpers import webhook_post

pytestmark = pytest.mark.django_db


def _second() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def test_two_polled_versions_within_one_second_are_both_applied(shop_a, on_commit):
    shop, account, sku, location = shop_a
    order = shop.buy("A-L1", 3)
    stamp = _second()  # a vendor with second-precision timestamps
    shop.orders[order["id"]]["updated_at"] = stamp
    with on_commit(execute=True):
        first = account_orders_sync(account_id=account.pk)
    lines = shop.orders[order["id"]]["lines"]
    lines[0]["cancelled"] = 2
    shop.orders[order["id"]]["updated_at"] = stamp  # changed again within the same second

    with on_commit(execute=True):
        second = account_orders_sync(account_id=account.pk)
        third = account_orders_sync(account_id=account.pk)

    assert (first["applied"], second["applied"], third["applied"]) == (1, 1, 0)
    line = Order.objects.get(external_ref=order["id"]).lines.get()
    assert (line.quantity, line.quantity_cancelled) == (3, 2)
    assert StockLevel.objects.get(sku=sku, location=location).committed == 1
    ids = sorted(InboundEvent.objects.filter(account=account).values_list("event_id", flat=True))
    assert len(ids) == 2
    assert all(i.startswith(f"poll:{order['id']}:{stamp}:") and len(i.rsplit(":", 1)[1]) == 16 for i in ids)


def test_older_delivery_after_a_newer_one_is_ignored_as_older(client, shop_a, on_commit):
    shop, account, sku, location = shop_a
    created = shop.buy("A-L1", 3)
    reduced_lines = [dict(created["lines"][0], cancelled=1)]
    reduced = shop.order_update(created["id"], lines=reduced_lines)
    paid = shop.order_update(created["id"], paid=True)
    with on_commit(execute=True):
        newest = webhook_post(client, account, *shop.webhook(paid, "order.paid"))  # newest first
        middle = webhook_post(client, account, *shop.webhook(reduced, "order.updated"))
        oldest = webhook_post(client, account, *shop.webhook(created, "order.created"))
    movements = StockMovement.objects.count()

    assert [r.status_code for r in (newest, middle, oldest)] == [200, 200, 200]
    saved = Order.objects.get(external_ref=created["id"])
    assert saved.external_updated_at == datetime.fromisoformat(paid["updated_at"])
    line = saved.lines.get()
    assert (line.quantity, line.quantity_cancelled) == (3, 1)
    assert StockLevel.objects.get(sku=sku, location=location).committed == 2
    events = {
        e.topic: (e.status, e.error) for e in InboundEvent.objects.filter(account=account, source="webhook")
    }
    assert events == {
        "order.paid": ("processed", ""),
        "order.updated": ("ignored", OLDER_SNAPSHOT),
        "order.created": ("ignored", OLDER_SNAPSHOT),
    }
    assert StockMovement.objects.count() == movements


def test_equal_timestamp_with_different_content_is_applied(client, shop_a, on_commit):
    shop, account, sku, location = shop_a
    created = shop.buy("A-L1", 3)
    with on_commit(execute=True):
        webhook_post(client, account, *shop.webhook(created, "order.created"))
    same_time = dict(created, lines=[dict(created["lines"][0], cancelled=2)])

    with on_commit(execute=True):
        response = webhook_post(client, account, *shop.webhook(same_time, "order.updated"))

    assert response.status_code == 200
    line = Order.objects.get(external_ref=created["id"]).lines.get()
    assert line.quantity_cancelled == 2
    assert StockLevel.objects.get(sku=sku, location=location).committed == 1
    assert set(InboundEvent.objects.filter(source="webhook").values_list("status", flat=True)) == {
        "processed"
    }
