"""Real parallel transactions on PostgreSQL: threads with their own connections, started together."""

from __future__ import annotations

from collections import Counter

import pytest
from django.db import connection

from inventory_app.models import Order, SalesChannel, StockLevel, StockMovement, StockOperation
from inventory_app.services.ledger import StockChange, stock_apply
from inventory_app.services.orders import OrderInput, OrderLineInput, order_create
from inventory_app.services.stock import stock_receive
from tests.factories import LocationFactory, SKUFactory
from tests.parallel import run_parallel

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_fifty_concurrent_reservations_against_ten_units():
    assert connection.vendor == "postgresql"
    sku, loc = SKUFactory(), LocationFactory()
    stock_receive(sku=sku, location=loc, quantity=10)

    def reserve(i: int) -> str:
        stock_apply(
            changes=[StockChange(sku_id=sku.pk, location_id=loc.pk, committed_delta=1)],
            reason="reserve",
            reference=f"t{i}",
        )
        return "ok"

    outcomes = run_parallel(50, reserve)

    assert outcomes == Counter({"ok": 10, "insufficient": 40})
    level = StockLevel.objects.get(sku=sku, location=loc)
    assert (level.on_hand, level.committed) == (10, 10)
    assert StockMovement.objects.filter(reason="reserve").count() == 10
    assert sorted(
        StockMovement.objects.filter(reason="reserve").values_list("committed_after", flat=True)
    ) == list(range(1, 11))


def test_fifty_concurrent_orders_against_ten_units_create_ten_orders():
    sku, loc = SKUFactory(), LocationFactory()
    stock_receive(sku=sku, location=loc, quantity=10)
    channel = SalesChannel.objects.get(code="manual")

    def buy(i: int) -> str:
        order_create(
            channel=channel, data=OrderInput(external_ref=f"o{i}", lines=[OrderLineInput(sku.code, 1)])
        )
        return "ok"

    outcomes = run_parallel(50, buy)

    assert outcomes == Counter({"ok": 10, "insufficient": 40})
    assert Order.objects.count() == 10
    level = StockLevel.objects.get(sku=sku, location=loc)
    assert (level.on_hand, level.committed) == (10, 10)
    assert StockMovement.objects.filter(reason="reserve").count() == 10


def test_same_order_delivered_twenty_times_at_once_is_created_once():
    sku, loc = SKUFactory(), LocationFactory()
    stock_receive(sku=sku, location=loc, quantity=10)
    channel = SalesChannel.objects.get(code="manual")

    def deliver(i: int) -> str:
        _, created = order_create(
            channel=channel, data=OrderInput(external_ref="dup-1", lines=[OrderLineInput(sku.code, 2)])
        )
        return "created" if created else "existing"

    outcomes = run_parallel(20, deliver)

    assert outcomes == Counter({"created": 1, "existing": 19})
    assert StockLevel.objects.get(sku=sku, location=loc).committed == 2
    assert StockMovement.objects.filter(reason="reserve").count() == 1


def test_same_idempotency_key_twenty_times_at_once_moves_stock_once():
    sku, loc = SKUFactory(), LocationFactory()

    def receive(i: int) -> str:
        op = stock_receive(sku=sku, location=loc, quantity=5, idempotency_key="delivery-77")
        return "replayed" if op.replayed else "applied"

    outcomes = run_parallel(20, receive)

    assert outcomes == Counter({"applied": 1, "replayed": 19})
    assert StockLevel.objects.get(sku=sku, location=loc).on_hand == 5
    assert StockOperation.objects.filter(idempotency_key="delivery-77").count() == 1


def test_crossing_batches_do_not_deadlock():
    a, b, loc = SKUFactory(), SKUFactory(), LocationFactory()
    stock_receive(sku=a, location=loc, quantity=100)
    stock_receive(sku=b, location=loc, quantity=100)

    def reserve_both(i: int) -> str:
        first, second = (a, b) if i % 2 else (b, a)
        stock_apply(
            changes=[
                StockChange(sku_id=first.pk, location_id=loc.pk, committed_delta=1),
                StockChange(sku_id=second.pk, location_id=loc.pk, committed_delta=1),
            ],
            reason="reserve",
        )
        return "ok"

    outcomes = run_parallel(40, reserve_both)

    assert outcomes == Counter({"ok": 40})
    assert StockLevel.objects.get(sku=a).committed == 40
    assert StockLevel.objects.get(sku=b).committed == 40
