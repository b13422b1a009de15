"""Parallel shipments of one SKU on PostgreSQL never consume a FIFO layer twice.

Real threads, each with its own database connection, released together by a barrier.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum

from inventory_app.models import (
    AverageCost,
    CostingMethod,
    CostLayer,
    LayerConsumption,
    MovementReason,
    Order,
    StockLevel,
    StockMovement,
)
from inventory_app.services.costing import costing_settings_update
from inventory_app.services.ledger import StockChange, stock_apply
from inventory_app.services.orders import OrderInput, OrderLineInput, order_create, order_ship
from inventory_app.services.stock import stock_receive
from tests.factories import LocationFactory, SalesChannelFactory, SKUFactory
from tests.parallel import run_parallel

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

D = Decimal


def _three_layers(sku, loc) -> list[CostLayer]:
    stock_receive(sku=sku, location=loc, quantity=4, unit_cost=D("1.00"))  # 4.00
    stock_receive(sku=sku, location=loc, quantity=4, unit_cost=D("2.00"))  # 8.00
    stock_receive(sku=sku, location=loc, quantity=4, unit_cost=D("3.00"))  # 12.00 -> 12 units, 24.00
    return list(CostLayer.objects.filter(sku=sku).order_by("pk"))


def _assert_each_layer_consumed_exactly_once(layers: list[CostLayer]) -> None:
    for layer in layers:
        layer.refresh_from_db()
        taken = LayerConsumption.objects.filter(layer=layer).aggregate(q=Sum("quantity"), v=Sum("value"))
        assert (layer.quantity_remaining, layer.value_remaining) == (0, D("0.00"))
        assert (taken["q"], taken["v"]) == (layer.quantity_received, layer.value_received)


def test_parallel_order_shipments_consume_each_layer_once():
    assert connection.vendor == "postgresql"
    sku, loc = SKUFactory(), LocationFactory()
    layers = _three_layers(sku, loc)
    channel = SalesChannelFactory(code="race")
    orders = [
        order_create(
            channel=channel,
            data=OrderInput(external_ref=f"o{i}", lines=[OrderLineInput(sku_code=sku.code, quantity=2)]),
        )[0].pk
        for i in range(6)
    ]

    outcomes = run_parallel(6, lambda i: order_ship(order=Order.objects.get(pk=orders[i])) and "ok")

    assert outcomes == Counter({"ok": 6})
    _assert_each_layer_consumed_exactly_once(layers)
    shipped = StockMovement.objects.filter(sku=sku, reason=MovementReason.SHIPMENT)
    # 6 shipments of 2 units took all 12 units: COGS 4.00 + 8.00 + 12.00 = 24.00, no more.
    assert shipped.aggregate(v=Sum("value_delta"))["v"] == D("-24.00")
    assert sorted(m.value_delta for m in shipped) == sorted(
        [D("-2.00"), D("-2.00"), D("-4.00"), D("-4.00"), D("-6.00"), D("-6.00")]
    )


def test_twenty_parallel_shipments_against_twelve_layered_units():
    sku, loc = SKUFactory(), LocationFactory()
    layers = _three_layers(sku, loc)

    def ship_one(i: int) -> str:
        stock_apply(
            changes=[StockChange(sku_id=sku.pk, location_id=loc.pk, on_hand_delta=-1)],
            reason=MovementReason.SHIPMENT,
            reference=f"t{i}",
        )
        return "ok"

    outcomes = run_parallel(20, ship_one)

    assert outcomes == Counter({"ok": 12, "insufficient": 8})
    assert StockLevel.objects.get(sku=sku, location=loc).on_hand == 0
    _assert_each_layer_consumed_exactly_once(layers)
    values = sorted(
        StockMovement.objects.filter(sku=sku, reason=MovementReason.SHIPMENT).values_list(
            "value_delta", flat=True
        )
    )
    # oldest first across the serialised shipments: four at 3.00, four at 2.00, four at 1.00
    assert values == [D("-3.00")] * 4 + [D("-2.00")] * 4 + [D("-1.00")] * 4
    assert LayerConsumption.objects.filter(layer__isnull=True).count() == 0


def test_parallel_shipments_under_average_take_the_whole_pool_exactly_once():
    costing_settings_update(method=CostingMethod.AVERAGE)
    sku, loc = SKUFactory(), LocationFactory()
    _three_layers(sku, loc)  # 12 units worth 24.00 in one pool, 2.00 on average

    def ship_one(i: int) -> str:
        stock_apply(
            changes=[StockChange(sku_id=sku.pk, location_id=loc.pk, on_hand_delta=-1)],
            reason=MovementReason.SHIPMENT,
            reference=f"t{i}",
        )
        return "ok"

    outcomes = run_parallel(20, ship_one)

    assert outcomes == Counter({"ok": 12, "insufficient": 8})
    pool = AverageCost.objects.get(sku=sku, location=loc)
    assert (pool.quantity, pool.value) == (0, D("0.00"))
    values = StockMovement.objects.filter(sku=sku, reason=MovementReason.SHIPMENT).values_list(
        "value_delta", flat=True
    )
    assert sorted(values) == [D("-2.00")] * 12  # each unit 24.00 x 1/12 of what was left, never twice
