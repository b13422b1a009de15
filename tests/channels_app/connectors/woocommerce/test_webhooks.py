"""Webhooks end to end: the fake store delivers signed webhooks over HTTP to our live server
(PostgreSQL, eager Celery): forged signatures, the ping, duplicates, older snapshots, a
disabled hook re-enabled with the orders it missed brought in by the poll."""

from __future__ import annotations

import pytest
import requests

from channels_app.intake.polling import account_orders_sync
from channels_app.models import InboundEvent, Listing
from channels_app.services.accounts import account_connector
from inventory_app.models import Order, StockLevel, StockMovement

pytestmark = pytest.mark.django_db(transaction=True)


def _committed(location, sku) -> int:
    return StockLevel.objects.get(sku=sku, location=location).committed


def test_registration_makes_four_hooks_pinged_and_is_not_repeated(fake_woo, subscribed):
    account, _location, _sku, url = subscribed
    hooks = fake_woo.hooks.hooks.values()
    assert sorted(h["topic"] for h in hooks) == [
        "order.created",
        "order.deleted",
        "order.restored",
        "order.updated",
    ]
    assert {h["status"] for h in hooks} == {"active"}
    account_connector(account=account).webhooks_register(url=url)  # again: nothing duplicated
    assert len(fake_woo.hooks.hooks) == 4
    assert not InboundEvent.objects.filter(account=account).exists()  # the pings stored nothing


def test_the_ping_is_answered_200_and_stores_nothing(subscribed):
    account, _location, _sku, url = subscribed
    answer = requests.post(url, data="webhook_id=42", timeout=5)
    assert answer.status_code == 200
    assert not InboundEvent.objects.filter(account=account).exists()


def test_a_forged_signature_is_refused_and_nothing_is_stored(fake_woo, subscribed):
    account, location, sku, _url = subscribed
    fake_woo.hooks.forge = True
    fake_woo.store.order_create(lines=[{"sku": "MUG", "quantity": 1}])
    assert fake_woo.hooks.wait_idle(timeout=20)

    assert {a["status"] for a in fake_woo.hooks.log} == {401}
    assert not InboundEvent.objects.filter(account=account).exists()
    assert not Order.objects.exists()
    assert _committed(location, sku) == 0


def test_an_unsigned_order_body_is_refused(fake_woo, subscribed):
    account, _location, _sku, url = subscribed
    answer = requests.post(url, json={"id": 1, "status": "processing"}, timeout=5)
    assert answer.status_code == 401
    assert not InboundEvent.objects.filter(account=account).exists()


def test_a_duplicate_delivery_moves_stock_once(fake_woo, subscribed):
    account, location, sku, _url = subscribed
    fake_woo.hooks.duplicate = True
    fake_woo.store.order_create(lines=[{"sku": "MUG", "quantity": 2}])
    assert fake_woo.hooks.wait_idle(timeout=20)

    deliveries = [a["delivery"] for a in fake_woo.hooks.log]
    assert len(deliveries) == 4 and len(set(deliveries)) == 2  # created + updated, each sent twice
    assert {a["status"] for a in fake_woo.hooks.log} == {200}
    assert Order.objects.count() == 1
    assert _committed(location, sku) == 2
    assert StockMovement.objects.filter(sku=sku, reason="reserve").count() == 1
    assert InboundEvent.objects.filter(account=account, source="webhook").count() == 2


def test_an_older_snapshot_arriving_late_is_ignored(fake_woo, subscribed):
    account, location, sku, _url = subscribed
    fake_woo.hooks.payload_at_delivery = False  # bodies as they were when each event happened
    fake_woo.hooks.hold()
    order = fake_woo.store.order_create(lines=[{"sku": "MUG", "quantity": 1}])
    fake_woo.store.order_status_set(order, "cancelled")
    fake_woo.hooks.release(reverse=True)  # cancelled first, then the older processing snapshot
    assert fake_woo.hooks.wait_idle(timeout=20)

    row = Order.objects.get()
    assert row.status == "cancelled"
    assert _committed(location, sku) == 0
    statuses = sorted(e.error for e in InboundEvent.objects.filter(account=account, source="webhook"))
    assert "ignored: older" in statuses
    assert fake_woo.store.available("MUG") == 5  # WooCommerce restored, we pushed 5


def test_a_disabled_hook_is_re_enabled_by_the_poll_and_missed_orders_arrive(
    fake_woo, subscribed, django_server
):
    account, location, sku, url = subscribed
    for hook in fake_woo.hooks.hooks.values():
        hook["delivery_url"] = django_server + "/webhooks/channels/no-such-token/"  # our URL broken
    for _ in range(5):
        fake_woo.store.order_create(lines=[{"sku": "MUG", "quantity": 1}], status="pending")
    assert fake_woo.hooks.wait_idle(timeout=20)
    created = fake_woo.hooks.hooks
    assert {h["status"] for h in created.values() if h["topic"] == "order.created"} == {"disabled"}
    paid = fake_woo.store.order_create(lines=[{"sku": "MUG", "quantity": 2}])  # missed: hook disabled
    assert fake_woo.hooks.wait_idle(timeout=20)
    assert not Order.objects.exists()
    for hook in created.values():
        hook["delivery_url"] = url  # our server is back

    result = account_orders_sync(account_id=account.pk)

    assert {h["status"] for h in created.values()} == {"active"}
    assert result["applied"] == 1
    assert list(Order.objects.values_list("external_ref", flat=True)) == [str(paid["id"])]
    assert _committed(location, sku) == 2
    fake_woo.store.order_create(lines=[{"sku": "MUG", "quantity": 1}])  # delivered again
    assert fake_woo.hooks.wait_idle(timeout=20)
    assert Order.objects.count() == 2
    assert _committed(location, sku) == 3
    assert Listing.objects.get(account=account).last_pushed_qty == fake_woo.store.available("MUG")
