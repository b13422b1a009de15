"""Returns (RMA): authorisation limits, restock at the shipped cost, quarantine, write-off."""

from __future__ import annotations

from decimal import Decimal

import pytest

from inventory_app import hooks
from inventory_app.models import (
    CostLayer,
    MovementReason,
    ReturnDisposition,
    ReturnReason,
    ReturnStatus,
    StockLevel,
    StockMovement,
)
from inventory_app.selectors.costing import inventory_valuation, order_cogs
from inventory_app.services.orders import OrderInput, OrderLineInput, order_create, order_ship
from inventory_app.services.returns import (
    ReturnError,
    ReturnLineInput,
    ReturnReceiveInput,
    return_authorization_cancel,
    return_authorization_create,
    return_receive,
)
from inventory_app.services.stock import stock_receive
from tests.factories import KitComponentFactory, KitFactory, LocationFactory, SalesChannelFactory, SKUFactory

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def shipped():
    """3 units shipped from WH at 2 x 4.00 + 1 x 1.00 = 9.00; then today's cost rises to 9.00."""
    sku, loc = SKUFactory(), LocationFactory()
    stock_receive(sku=sku, location=loc, quantity=2, unit_cost=D("4.00"))
    stock_receive(sku=sku, location=loc, quantity=1, unit_cost=D("1.00"))
    order, _ = order_create(
        channel=SalesChannelFactory(code="shop"),
        data=OrderInput(external_ref="r1", lines=[OrderLineInput(sku_code=sku.code, quantity=3)]),
    )
    order_ship(order=order)
    stock_receive(sku=sku, location=loc, quantity=5, unit_cost=D("9.00"))
    return sku, loc, order, order.lines.get()


def test_authorisation_cannot_exceed_shipped_units(shipped):
    _, _, order, line = shipped
    return_authorization_create(order=order, lines=[ReturnLineInput(order_line_id=line.pk, quantity=2)])

    with pytest.raises(ReturnError, match="only 1 shipped units"):
        return_authorization_create(order=order, lines=[ReturnLineInput(order_line_id=line.pk, quantity=2)])

    assert order.returns.count() == 1


def test_restock_returns_units_at_their_shipped_cost_and_notifies_channels(shipped, on_commit):
    sku, loc, order, line = shipped
    rma = return_authorization_create(
        order=order, lines=[ReturnLineInput(order_line_id=line.pk, quantity=3, reason=ReturnReason.UNWANTED)]
    )
    seen = []
    hooks.availability_listener_register(seen.append)
    try:
        with on_commit(execute=True):
            return_receive(
                authorization=rma,
                items=[
                    ReturnReceiveInput(
                        return_line_id=rma.lines.get().pk,
                        quantity=2,
                        disposition=ReturnDisposition.RESTOCK,
                        location_id=loc.pk,
                    )
                ],
                idempotency_key="rma-1-a",
            )
    finally:
        hooks.availability_listener_unregister(seen.append)

    # the line shipped 3 units worth 9.00: 2 come back at round(9.00 x 2 / 3) = 6.00, not 2 x 9.00
    movement = StockMovement.objects.get(reason=MovementReason.RETURN)
    assert (movement.on_hand_delta, movement.value_delta, movement.order_line_id) == (2, D("6.00"), line.pk)
    assert seen == [frozenset({sku.pk})]
    assert StockLevel.objects.get(sku=sku, location=loc).on_hand == 7  # 5 + 2
    assert order_cogs(order_id=order.pk).cogs == D("3.00")  # 9.00 - 6.00
    rma.refresh_from_db()
    assert (rma.status, rma.lines.get().quantity_received) == (ReturnStatus.OPEN, 2)


def test_same_return_receipt_key_takes_goods_in_once(shipped):
    _, loc, order, line = shipped
    rma = return_authorization_create(order=order, lines=[ReturnLineInput(order_line_id=line.pk, quantity=1)])
    item = ReturnReceiveInput(
        return_line_id=rma.lines.get().pk,
        quantity=1,
        disposition=ReturnDisposition.RESTOCK,
        location_id=loc.pk,
    )

    first = return_receive(authorization=rma, items=[item], idempotency_key="k")
    again = return_receive(authorization=rma, items=[item], idempotency_key="k")

    assert [r.pk for r in again] == [r.pk for r in first]
    assert StockMovement.objects.filter(reason=MovementReason.RETURN).count() == 1


def test_write_off_takes_the_returned_units_out_at_the_same_cost(shipped):
    sku, loc, order, line = shipped
    value_before = inventory_valuation(sku_ids=[sku.pk])[0].value  # 5 x 9.00 = 45.00
    rma = return_authorization_create(order=order, lines=[ReturnLineInput(order_line_id=line.pk, quantity=3)])

    return_receive(
        authorization=rma,
        items=[
            ReturnReceiveInput(
                return_line_id=rma.lines.get().pk,
                quantity=3,
                disposition=ReturnDisposition.WRITE_OFF,
                location_id=loc.pk,
            )
        ],
    )

    back = StockMovement.objects.get(reason=MovementReason.RETURN)
    gone = StockMovement.objects.get(reason=MovementReason.WRITE_OFF)
    assert (back.value_delta, gone.value_delta, gone.reverses_id) == (D("9.00"), D("-9.00"), back.pk)
    assert value_before == D("45.00")
    assert inventory_valuation(sku_ids=[sku.pk])[0].value == D("45.00")  # the 9.00 layers are untouched
    assert StockLevel.objects.get(sku=sku, location=loc).on_hand == 5
    assert order_cogs(order_id=order.pk).cogs == D("0.00")  # COGS reversed; the loss is the write-off
    rma.refresh_from_db()
    assert rma.status == ReturnStatus.RECEIVED


def test_quarantine_needs_a_non_sellable_location_and_keeps_the_value(shipped):
    _, loc, order, line = shipped
    quarantine = LocationFactory(is_sellable=False)
    rma = return_authorization_create(order=order, lines=[ReturnLineInput(order_line_id=line.pk, quantity=1)])
    rl = rma.lines.get()

    with pytest.raises(ReturnError):
        return_receive(
            authorization=rma,
            items=[ReturnReceiveInput(rl.pk, 1, ReturnDisposition.QUARANTINE, loc.pk)],
        )
    return_receive(
        authorization=rma, items=[ReturnReceiveInput(rl.pk, 1, ReturnDisposition.QUARANTINE, quarantine.pk)]
    )

    # 1 of 3 units worth 9.00: round(9.00 / 3) = 3.00, kept in quarantine
    assert [(r.quantity, r.value) for r in inventory_valuation(location_ids=[quarantine.pk])] == [
        (1, D("3.00"))
    ]
    with pytest.raises(ReturnError):
        return_authorization_cancel(authorization=rma)


def test_kit_line_returns_its_components_at_their_cost():
    kit = KitFactory()
    a = KitComponentFactory(kit=kit, quantity=2).component
    b = KitComponentFactory(kit=kit, quantity=1).component
    loc = LocationFactory()
    stock_receive(sku=a, location=loc, quantity=4, unit_cost=D("1.50"))
    stock_receive(sku=b, location=loc, quantity=2, unit_cost=D("7.00"))
    order, _ = order_create(
        channel=SalesChannelFactory(code="shop"),
        data=OrderInput(external_ref="k1", lines=[OrderLineInput(sku_code=kit.code, quantity=2)]),
    )
    order_ship(order=order)  # 4 x 1.50 + 2 x 7.00 = 20.00
    line = order.lines.get()
    rma = return_authorization_create(order=order, lines=[ReturnLineInput(order_line_id=line.pk, quantity=1)])

    return_receive(
        authorization=rma,
        items=[ReturnReceiveInput(rma.lines.get().pk, 1, ReturnDisposition.RESTOCK, loc.pk)],
    )

    # one kit back: 2 x a (6.00 x 2/4 = 3.00) and 1 x b (14.00 x 1/2 = 7.00)
    returned = dict(
        StockMovement.objects.filter(reason=MovementReason.RETURN).values_list("sku_id", "value_delta")
    )
    assert returned == {a.pk: D("3.00"), b.pk: D("7.00")}
    assert order_cogs(order_id=order.pk).cogs == D("10.00")
    assert CostLayer.objects.filter(sku=a, quantity_remaining__gt=0).count() == 1
