"""The costing engine, with worked examples checked by hand (the arithmetic is in the comments)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from inventory_app.errors import InvalidStockOperation
from inventory_app.models import (
    AverageCost,
    CostingMethod,
    CostLayer,
    LayerConsumption,
    MovementReason,
    StockMovement,
)
from inventory_app.selectors.costing import inventory_valuation, order_cogs, valuation_from_layers
from inventory_app.services.costing import costing_settings_update, value_share
from inventory_app.services.ledger import StockChange, stock_apply
from inventory_app.services.orders import OrderInput, OrderLineInput, order_create, order_ship
from inventory_app.services.stock import (
    stock_adjust,
    stock_count,
    stock_receive,
    stock_return,
    stock_transfer,
)
from tests.factories import LocationFactory, SalesChannelFactory, SKUFactory

pytestmark = pytest.mark.django_db

D = Decimal


def _sell(sku, quantity: int, ref: str):
    """Create and ship an order of ``quantity`` units; return (order, shipment operation)."""
    order, _ = order_create(
        channel=SalesChannelFactory(code="shop"),
        data=OrderInput(external_ref=ref, lines=[OrderLineInput(sku_code=sku.code, quantity=quantity)]),
    )
    return order, order_ship(order=order)


def _layers(sku, location) -> list[tuple[int, int, Decimal, Decimal]]:
    return [
        (layer.quantity_received, layer.quantity_remaining, layer.unit_cost, layer.value_remaining)
        for layer in CostLayer.objects.filter(sku=sku, location=location).order_by("pk")
    ]


def test_value_share_gives_the_residual_cent_to_the_last_units():
    # 1.00 for 3 units: 1 unit = round(1.00 x 1/3) = 0.33, then 1 of the 2 left = round(0.67/2) = 0.34
    # (half up), and the last unit takes what remains, 0.33: 0.33 + 0.34 + 0.33 = 1.00.
    assert value_share(value=D("1.00"), quantity=3, take=1) == D("0.33")
    assert value_share(value=D("0.67"), quantity=2, take=1) == D("0.34")
    assert value_share(value=D("0.33"), quantity=1, take=1) == D("0.33")


def test_fifo_shipment_across_three_layers_with_a_partial_layer():
    sku, loc = SKUFactory(), LocationFactory()
    stock_receive(sku=sku, location=loc, quantity=10, unit_cost=D("1.00"))  # layer 1: 10.00
    stock_receive(sku=sku, location=loc, quantity=5, unit_cost=D("1.20"))  # layer 2: 6.00
    stock_receive(sku=sku, location=loc, quantity=8, unit_cost=D("1.5050"))  # layer 3: 8 x 1.505 = 12.04

    order, shipment = _sell(sku, 17, "fifo-1")

    # 17 units = 10 from layer 1 (10.00) + 5 from layer 2 (6.00) + 2 of the 8 of layer 3:
    # round(12.04 x 2 / 8, 2) = round(3.01) = 3.01. COGS = 10.00 + 6.00 + 3.01 = 19.01.
    movement = shipment.movements.get()
    assert movement.value_delta == D("-19.01")
    assert movement.unit_cost == D("1.1182")  # 19.01 / 17 = 1.11823... -> 1.1182
    assert list(
        LayerConsumption.objects.filter(movement=movement).order_by("pk").values_list("quantity", "value")
    ) == [(10, D("10.00")), (5, D("6.00")), (2, D("3.01"))]
    assert _layers(sku, loc) == [
        (10, 0, D("1.0000"), D("0.00")),
        (5, 0, D("1.2000"), D("0.00")),
        (8, 6, D("1.5050"), D("9.03")),  # 12.04 - 3.01
    ]
    assert order_cogs(order_id=order.pk).cogs == D("19.01")
    assert inventory_valuation(sku_ids=[sku.pk])[0].value == D("9.03")  # 10.00 + 6.00 + 12.04 - 19.01


def test_average_after_mixed_receipts_and_sales():
    costing_settings_update(method=CostingMethod.AVERAGE)
    sku, loc = SKUFactory(), LocationFactory()
    stock_receive(sku=sku, location=loc, quantity=10, unit_cost=D("2.00"))  # 10 units, 20.00
    stock_receive(sku=sku, location=loc, quantity=5, unit_cost=D("3.50"))  # 15 units, 37.50, avg 2.50
    _, first = _sell(sku, 4, "avg-1")  # 37.50 x 4 / 15 = 10.00 -> 11 units, 27.50
    stock_receive(sku=sku, location=loc, quantity=9, unit_cost=D("3.00"))  # 20 units, 54.50, avg 2.725
    _, second = _sell(sku, 3, "avg-2")  # 54.50 x 3 / 20 = 8.175 -> 8.18 (half up) -> 17 units, 46.32

    assert first.movements.get().value_delta == D("-10.00")
    assert second.movements.get().value_delta == D("-8.18")
    pool = AverageCost.objects.get(sku=sku, location=loc)
    assert (pool.quantity, pool.value, pool.unit_cost) == (17, D("46.32"), D("2.7247"))  # 46.32/17

    _, last = _sell(sku, 17, "avg-3")  # the last 17 units take exactly what is left: 46.32

    assert last.movements.get().value_delta == D("-46.32")
    pool.refresh_from_db()
    assert (pool.quantity, pool.value) == (0, D("0.00"))
    # value in 20.00 + 17.50 + 27.00 = 64.50 = value out 10.00 + 8.18 + 46.32
    assert not CostLayer.objects.exists()


def test_return_reenters_at_the_cost_it_left_with_not_todays_cost():
    sku, loc = SKUFactory(), LocationFactory()
    stock_receive(sku=sku, location=loc, quantity=2, unit_cost=D("4.00"))  # layer 1: 8.00
    stock_receive(sku=sku, location=loc, quantity=1, unit_cost=D("1.00"))  # layer 2: 1.00
    order, _ = _sell(sku, 3, "ret-1")  # 8.00 + 1.00 = 9.00 shipped, 3.00 a unit on average
    stock_receive(sku=sku, location=loc, quantity=5, unit_cost=D("9.00"))  # today's cost is 9.00
    line = order.lines.get()

    op = stock_return(sku=sku, location=loc, quantity=2, order_line_id=line.pk)

    # The line shipped 3 units worth 9.00: 2 of them come back at round(9.00 x 2 / 3) = 6.00.
    movement = op.movements.get()
    assert (movement.value_delta, movement.unit_cost) == (D("6.00"), D("3.0000"))
    assert _layers(sku, loc)[-1] == (2, 2, D("3.0000"), D("6.00"))
    cogs = order_cogs(order_id=order.pk).lines[line.pk]
    assert (cogs.cost_shipped, cogs.cost_returned, cogs.cogs) == (D("9.00"), D("6.00"), D("3.00"))

    last = stock_return(sku=sku, location=loc, quantity=1, order_line_id=line.pk)

    # The last unit takes what the line has left: 9.00 - 6.00 = 3.00; COGS of the line is now 0.
    assert last.movements.get().value_delta == D("3.00")
    assert order_cogs(order_id=order.pk).cogs == D("0.00")


def test_valuation_as_of_past_moments_equals_remaining_layers_then():
    sku, loc = SKUFactory(), LocationFactory()
    stock_receive(sku=sku, location=loc, quantity=10, unit_cost=D("1.00"))
    t1 = timezone.now()  # layer A 10 x 1.00 = 10.00
    _sell(sku, 4, "val-1")
    t2 = timezone.now()  # layer A 6 left = 6.00
    stock_receive(sku=sku, location=loc, quantity=5, unit_cost=D("2.10"))
    t3 = timezone.now()  # A 6.00 + layer B 5 x 2.10 = 10.50 -> 16.50
    _sell(sku, 8, "val-2")  # takes A 6 (6.00) + B 2: round(10.50 x 2/5) = 4.20 -> B 3 left = 6.30

    expected = {t1: (10, D("10.00")), t2: (6, D("6.00")), t3: (11, D("16.50")), None: (3, D("6.30"))}
    for moment, (units, value) in expected.items():
        ledger = inventory_valuation(as_of=moment, sku_ids=[sku.pk])
        assert [(r.quantity, r.value) for r in ledger] == [(units, value)]
        assert valuation_from_layers(as_of=moment, sku_ids=[sku.pk]) == {(sku.pk, loc.pk): (units, value)}
    before_anything = timezone.now() - timedelta(days=1)
    assert inventory_valuation(as_of=before_anything, sku_ids=[sku.pk]) == []


def test_transfer_moves_the_consumed_cost_into_a_new_layer():
    sku, a, b = SKUFactory(), LocationFactory(), LocationFactory()
    stock_receive(sku=sku, location=a, quantity=4, unit_cost=D("1.00"))
    stock_receive(sku=sku, location=a, quantity=4, unit_cost=D("2.00"))

    op = stock_transfer(sku=sku, from_location=a, to_location=b, quantity=6)

    # out of A: 4 x 1.00 + 2 x 2.00 = 8.00; into B one layer of 6 units worth 8.00 (1.3333 each)
    out, into = sorted(op.movements.all(), key=lambda m: m.on_hand_delta)
    assert (out.value_delta, into.value_delta) == (D("-8.00"), D("8.00"))
    assert _layers(sku, b) == [(6, 6, D("1.3333"), D("8.00"))]
    assert _layers(sku, a)[-1] == (4, 2, D("2.0000"), D("4.00"))


def test_adjustments_and_counts_are_valued():
    sku, loc = SKUFactory(default_unit_cost=D("7.00")), LocationFactory()
    stock_receive(sku=sku, location=loc, quantity=3, unit_cost=D("1.00"))
    stock_receive(sku=sku, location=loc, quantity=3, unit_cost=D("2.00"))

    lost = stock_adjust(sku=sku, location=loc, delta=-2, reason_detail="lost").movements.get()
    found = stock_adjust(sku=sku, location=loc, delta=1, reason_detail="found").movements.get()
    counted = stock_count(sku=sku, location=loc, counted=2).movements.get()

    assert lost.value_delta == D("-2.00")  # 2 of the oldest layer at 1.00
    assert found.value_delta == D("2.00")  # the newest layer's unit cost, 2.00, not the default 7.00
    # on hand 5 (1 x 1.00, 3 x 2.00, 1 x 2.00) counted as 2: 3 go, oldest first: 1.00 + 2 x 2.00
    assert (counted.on_hand_delta, counted.value_delta) == (-3, D("-5.00"))
    assert inventory_valuation(sku_ids=[sku.pk])[0].value == D("4.00")  # 9.00 - 2.00 + 2.00 - 5.00


def test_reservations_and_releases_move_no_cost():
    sku, loc = SKUFactory(), LocationFactory()
    stock_receive(sku=sku, location=loc, quantity=5, unit_cost=D("1.00"))

    order_create(
        channel=SalesChannelFactory(code="shop"),
        data=OrderInput(external_ref="r-1", lines=[OrderLineInput(sku_code=sku.code, quantity=2)]),
    )

    reserve = StockMovement.objects.get(reason=MovementReason.RESERVE)
    assert reserve.value_delta is None
    assert not LayerConsumption.objects.exists()
    assert _layers(sku, loc) == [(5, 5, D("1.0000"), D("5.00"))]


def test_reversal_takes_back_exactly_its_own_layer_and_refuses_once_consumed():
    sku, loc = SKUFactory(), LocationFactory()
    stock_receive(sku=sku, location=loc, quantity=2, unit_cost=D("1.00"))
    second = stock_receive(sku=sku, location=loc, quantity=3, unit_cost=D("5.00")).movements.get()

    back = stock_apply(
        changes=[
            StockChange(sku_id=sku.pk, location_id=loc.pk, on_hand_delta=-3, reverses_movement_id=second.pk)
        ],
        reason=MovementReason.RECEIPT,
    )

    assert back.movements.get().value_delta == D("-15.00")  # its own 3 x 5.00, not the oldest 1.00s
    assert _layers(sku, loc) == [(2, 2, D("1.0000"), D("2.00")), (3, 0, D("5.0000"), D("0.00"))]
    with pytest.raises(InvalidStockOperation):
        stock_apply(
            changes=[
                StockChange(
                    sku_id=sku.pk, location_id=loc.pk, on_hand_delta=-1, reverses_movement_id=second.pk
                )
            ],
            reason=MovementReason.RECEIPT,
        )
    assert StockMovement.objects.filter(on_hand_delta=-1).count() == 0


def test_costing_method_cannot_change_once_stock_is_valued():
    sku, loc = SKUFactory(), LocationFactory()
    stock_receive(sku=sku, location=loc, quantity=1, unit_cost=D("1.00"))

    with pytest.raises(InvalidStockOperation):
        costing_settings_update(method=CostingMethod.AVERAGE)

    assert costing_settings_update(currency="eur").currency == "EUR"


def test_average_reversal_takes_back_the_receipt_value_not_the_average():
    costing_settings_update(method=CostingMethod.AVERAGE)
    sku, loc = SKUFactory(), LocationFactory()
    stock_receive(sku=sku, location=loc, quantity=4, unit_cost=D("1.00"))  # 4 units, 4.00
    wrong = stock_receive(sku=sku, location=loc, quantity=2, unit_cost=D("7.00")).movements.get()  # 6, 18.00

    back = stock_apply(
        changes=[
            StockChange(sku_id=sku.pk, location_id=loc.pk, on_hand_delta=-2, reverses_movement_id=wrong.pk)
        ],
        reason=MovementReason.RECEIPT,
    )

    # the pool gives back exactly what the receipt added (14.00), not 2 x the average 3.00
    assert back.movements.get().value_delta == D("-14.00")
    pool = AverageCost.objects.get(sku=sku, location=loc)
    assert (pool.quantity, pool.value, pool.unit_cost) == (4, D("4.00"), D("1.0000"))


def test_stock_that_predates_costing_leaves_at_the_default_cost():
    sku, loc = SKUFactory(default_unit_cost=D("2.5000")), LocationFactory()
    stock_receive(sku=sku, location=loc, quantity=3, unit_cost=D("1.00"))
    CostLayer.objects.filter(sku=sku).delete()  # as if the units had been received before costing existed

    out = stock_adjust(sku=sku, location=loc, delta=-2, reason_detail="lost").movements.get()

    assert out.value_delta == D("-5.00")  # 2 x the SKU's default 2.50, recorded as unlayered
    assert list(LayerConsumption.objects.filter(movement=out).values_list("layer", "quantity", "value")) == [
        (None, 2, D("5.00"))
    ]
