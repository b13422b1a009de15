"""order_lines_cancel: a channel reduces some lines; their reservations are released, nothing else."""

from __future__ import annotations

import pytest

from inventory_app.errors import OrderError
from inventory_app.models import Order, OrderStatus, SalesChannel, StockLevel, StockMovement
from inventory_app.services.orders import OrderInput, OrderLineInput, order_create, order_lines_cancel
from inventory_app.services.stock import stock_receive
from tests.factories import KitComponentFactory, KitFactory, LocationFactory, SKUFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def manual():
    return SalesChannel.objects.get(code="manual")


def _committed(sku) -> int:
    return sum(StockLevel.objects.filter(sku=sku).values_list("committed", flat=True))


def test_cancelling_some_units_releases_exactly_those(manual):
    location = LocationFactory(code="A")
    sku, other = SKUFactory(code="S1"), SKUFactory(code="S2")
    stock_receive(sku=sku, location=location, quantity=10)
    stock_receive(sku=other, location=location, quantity=10)
    order, _ = order_create(
        channel=manual,
        data=OrderInput(external_ref="R1", lines=[OrderLineInput("S1", 5), OrderLineInput("S2", 2)]),
    )
    first = order.lines.get(sku=sku)

    result = order_lines_cancel(order=order, quantities={first.pk: 3}, reason="channel edit")

    first.refresh_from_db()
    assert (first.quantity, first.quantity_cancelled, first.quantity_open) == (5, 3, 2)
    assert (_committed(sku), _committed(other)) == (2, 2)
    assert first.allocations.get().quantity == 2
    assert result.status == OrderStatus.OPEN
    assert StockMovement.objects.filter(reason="release").count() == 1


def test_cancelling_every_open_unit_cancels_the_order_and_kits_release_components(manual):
    location = LocationFactory(code="A")
    kit = KitFactory(code="KIT")
    part = SKUFactory(code="PART")
    KitComponentFactory(kit=kit, component=part, quantity=2)
    stock_receive(sku=part, location=location, quantity=10)
    order, _ = order_create(
        channel=manual, data=OrderInput(external_ref="R2", lines=[OrderLineInput("KIT", 3)])
    )
    line = order.lines.get()
    assert _committed(part) == 6

    result = order_lines_cancel(order=order, quantities={line.pk: 3})

    assert _committed(part) == 0
    assert result.status == OrderStatus.CANCELLED
    assert Order.objects.get(pk=order.pk).cancelled_at is not None


def test_cancelling_more_than_is_open_changes_nothing(manual):
    location = LocationFactory(code="A")
    sku = SKUFactory(code="S1")
    stock_receive(sku=sku, location=location, quantity=10)
    order, _ = order_create(
        channel=manual, data=OrderInput(external_ref="R3", lines=[OrderLineInput("S1", 2)])
    )
    line = order.lines.get()
    movements = StockMovement.objects.count()

    with pytest.raises(OrderError):
        order_lines_cancel(order=order, quantities={line.pk: 3})

    line.refresh_from_db()
    assert (line.quantity_cancelled, _committed(sku), StockMovement.objects.count()) == (0, 2, movements)
