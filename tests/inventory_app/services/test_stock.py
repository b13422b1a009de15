"""Stock operations: receive, adjust, count, transfer, return."""

from __future__ import annotations

from decimal import Decimal

import pytest

from inventory_app.errors import InsufficientStock, InvalidStockOperation
from inventory_app.models import StockLevel, StockMovement
from inventory_app.services.stock import (
    stock_adjust,
    stock_count,
    stock_receive,
    stock_return,
    stock_transfer,
)
from tests.factories import LocationFactory, SKUFactory, UserFactory

pytestmark = pytest.mark.django_db


def _on_hand(sku, loc) -> int:
    return StockLevel.objects.get(sku=sku, location=loc).on_hand


def test_receive_records_cost_user_and_reference():
    sku, loc, user = SKUFactory(default_unit_cost=Decimal("3.10")), LocationFactory(), UserFactory()

    op = stock_receive(sku=sku, location=loc, quantity=4, reference="PO-7", note="first", user=user)

    assert _on_hand(sku, loc) == 4
    assert (op.reason, op.reference, op.note, op.user_id) == ("receipt", "PO-7", "first", user.pk)
    assert op.movements.get().unit_cost == Decimal("3.1000")


def test_receive_zero_is_refused():
    with pytest.raises(InvalidStockOperation):
        stock_receive(sku=SKUFactory(), location=LocationFactory(), quantity=0)

    assert StockMovement.objects.count() == 0


def test_adjust_needs_known_reason_and_write_off_is_its_own_reason():
    sku, loc = SKUFactory(), LocationFactory()
    stock_receive(sku=sku, location=loc, quantity=5)

    with pytest.raises(InvalidStockOperation):
        stock_adjust(sku=sku, location=loc, delta=-1, reason_detail="because")
    op = stock_adjust(sku=sku, location=loc, delta=-2, reason_detail="write_off")

    assert (op.reason, op.reason_detail) == ("write_off", "write_off")
    assert _on_hand(sku, loc) == 3


def test_count_below_committed_is_refused():
    from inventory_app.models import SalesChannel
    from inventory_app.services.orders import OrderInput, OrderLineInput, order_create

    sku, loc = SKUFactory(), LocationFactory()
    stock_receive(sku=sku, location=loc, quantity=5)
    order_create(
        channel=SalesChannel.objects.get(code="manual"),
        data=OrderInput(external_ref="c1", lines=[OrderLineInput(sku.code, 4)]),
    )

    with pytest.raises(InsufficientStock):
        stock_count(sku=sku, location=loc, counted=3)

    assert _on_hand(sku, loc) == 5


def test_count_same_figure_records_operation_without_movement():
    sku, loc = SKUFactory(), LocationFactory()
    stock_receive(sku=sku, location=loc, quantity=5)

    op = stock_count(sku=sku, location=loc, counted=5)

    assert op.movements.count() == 0
    assert _on_hand(sku, loc) == 5


def test_transfer_moves_between_locations_atomically():
    sku, a, b = SKUFactory(), LocationFactory(), LocationFactory()
    stock_receive(sku=sku, location=a, quantity=5)

    op = stock_transfer(sku=sku, from_location=a, to_location=b, quantity=3)

    assert (_on_hand(sku, a), _on_hand(sku, b)) == (2, 3)
    assert sorted(op.movements.values_list("on_hand_delta", flat=True)) == [-3, 3]
    with pytest.raises(InsufficientStock):
        stock_transfer(sku=sku, from_location=a, to_location=b, quantity=3)
    assert (_on_hand(sku, a), _on_hand(sku, b)) == (2, 3)


def test_transfer_to_same_location_is_refused():
    loc = LocationFactory()

    with pytest.raises(InvalidStockOperation):
        stock_transfer(sku=SKUFactory(), from_location=loc, to_location=loc, quantity=1)


def test_return_adds_on_hand():
    sku, loc = SKUFactory(), LocationFactory()

    op = stock_return(sku=sku, location=loc, quantity=2, unit_cost=Decimal("1.5"))

    assert _on_hand(sku, loc) == 2
    assert op.reason == "return"


def test_inactive_location_refuses_incoming_stock():
    with pytest.raises(InvalidStockOperation, match="inactive"):
        stock_receive(sku=SKUFactory(), location=LocationFactory(is_active=False), quantity=1)
