"""The ledger invariant under randomized, seeded sequences of every kind of operation.

After each sequence: for every (SKU, location) the sum of movement deltas equals the level row,
every movement's after-values chain from the previous one, committed equals the units held in
allocations, and no constraint was ever bypassed.
"""

from __future__ import annotations

import random

import pytest
from django.db.models import Sum

from inventory_app.errors import InsufficientStock, InvalidStockOperation, OrderError
from inventory_app.models import Allocation, Order, OrderStatus, SalesChannel, StockLevel, StockMovement
from inventory_app.services.orders import OrderInput, OrderLineInput, order_cancel, order_create, order_ship
from inventory_app.services.stock import (
    stock_adjust,
    stock_count,
    stock_receive,
    stock_return,
    stock_transfer,
)
from tests.factories import KitComponentFactory, KitFactory, LocationFactory, SKUFactory
from tests.helpers import assert_sku_totals_match_levels

pytestmark = pytest.mark.django_db

EXPECTED = (InsufficientStock, InvalidStockOperation, OrderError)


def _one_random_step(rng: random.Random, skus, kits, locations, channel, step: int) -> None:
    sku = rng.choice(skus)
    loc = rng.choice(locations)
    action = rng.choice(
        [
            "receive",
            "adjust",
            "count",
            "transfer",
            "return",
            "order",
            "order",
            "order",
            "cancel",
            "ship",
            "ship",
        ]
    )
    if action == "receive":
        stock_receive(
            sku=sku,
            location=loc,
            quantity=rng.randint(1, 5),
            idempotency_key=rng.choice([None, f"k{step % 7}"]),
        )
    elif action == "adjust":
        stock_adjust(sku=sku, location=loc, delta=rng.choice([-3, -1, 1, 2]), reason_detail="correction")
    elif action == "count":
        stock_count(sku=sku, location=loc, counted=rng.randint(0, 8))
    elif action == "transfer":
        other = rng.choice([x for x in locations if x != loc])
        stock_transfer(sku=sku, from_location=loc, to_location=other, quantity=rng.randint(1, 3))
    elif action == "return":
        stock_return(sku=sku, location=loc, quantity=1)
    elif action == "order":
        lines = [
            OrderLineInput(sku_code=rng.choice(skus + kits).code, quantity=rng.randint(1, 3))
            for _ in range(rng.randint(1, 3))
        ]
        order_create(
            channel=channel,
            data=OrderInput(external_ref=f"r{rng.randint(0, 40)}", lines=lines),
            shortage=rng.choice(["raise", "flag"]),
        )
    else:
        orders = list(
            Order.objects.exclude(status__in=[OrderStatus.CANCELLED, OrderStatus.SHIPPED]).order_by("pk")
        )
        if not orders:
            return
        order = rng.choice(orders)
        if action == "cancel":
            order_cancel(order=order)
        else:
            quantities = {
                line.pk: rng.randint(1, line.quantity_open)
                for line in order.lines.all()
                if line.quantity_open and line.sku_id
            }
            order_ship(order=order, quantities=quantities or None)


def _assert_invariants() -> None:
    for level in StockLevel.objects.all():
        moves = StockMovement.objects.filter(sku_id=level.sku_id, location_id=level.location_id)
        sums = moves.aggregate(on_hand=Sum("on_hand_delta"), committed=Sum("committed_delta"))
        assert (sums["on_hand"] or 0, sums["committed"] or 0) == (level.on_hand, level.committed)
        valued = moves.exclude(on_hand_delta=0).aggregate(value=Sum("value_delta"))["value"] or 0
        assert valued == level.value
        on_hand = committed = 0
        for move in moves.order_by("pk"):
            on_hand += move.on_hand_delta
            committed += move.committed_delta
            assert (move.on_hand_after, move.committed_after) == (on_hand, committed)
        held = Allocation.objects.filter(sku_id=level.sku_id, location_id=level.location_id).aggregate(
            q=Sum("quantity")
        )
        assert (held["q"] or 0) == level.committed
        assert level.on_hand >= 0
        assert level.allow_backorder or level.committed <= level.on_hand
    assert_sku_totals_match_levels()


@pytest.mark.parametrize("seed", range(12))
def test_ledger_matches_levels_after_random_operations(seed):
    rng = random.Random(seed)
    locations = [LocationFactory(priority=i) for i in range(2)] + [LocationFactory(is_sellable=False)]
    skus = [SKUFactory() for _ in range(3)] + [SKUFactory(backorder_policy="backorder")]
    kit = KitFactory()
    KitComponentFactory(kit=kit, component=skus[0], quantity=2)
    KitComponentFactory(kit=kit, component=skus[1], quantity=1)
    outer = KitFactory()
    KitComponentFactory(kit=outer, component=kit, quantity=1)
    KitComponentFactory(kit=outer, component=skus[2], quantity=1)
    channel = SalesChannel.objects.get(code="manual")

    refused = 0
    for step in range(60):
        try:
            _one_random_step(rng, skus, [kit, outer], locations, channel, step)
        except EXPECTED:
            refused += 1

    _assert_invariants()
    assert StockMovement.objects.count() > 10
    assert refused < 60
