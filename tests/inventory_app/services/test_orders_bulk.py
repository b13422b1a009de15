"""orders_bulk_create: each order created, found or refused on its own, in order."""

from __future__ import annotations

import pytest

from inventory_app.errors import InsufficientStock, OrderConflict
from inventory_app.models import Order, SalesChannel, StockOperation
from inventory_app.services.orders import OrderInput, OrderLineInput, order_create
from inventory_app.services.orders.bulk import orders_bulk_create
from inventory_app.services.stock import stock_receive
from tests.factories import LocationFactory, SKUFactory, UserFactory
from tests.helpers import stock_level

pytestmark = pytest.mark.django_db


def _order(ref: str, quantity: int) -> OrderInput:
    return OrderInput(external_ref=ref, lines=[OrderLineInput("CUP", quantity)])


def test_each_order_is_created_found_or_refused_alone_and_a_refusal_changes_nothing():
    shelf, cup = LocationFactory(code="MAIN"), SKUFactory(code="CUP")
    stock_receive(sku=cup, location=shelf, quantity=10)
    manual = SalesChannel.objects.get(code="manual")
    first, _ = order_create(channel=manual, data=_order("A", 2))
    operations = StockOperation.objects.count()

    outcomes = orders_bulk_create(
        orders=[
            (manual, _order("A", 2)),
            (manual, _order("B", 1)),
            (manual, _order("A", 3)),
            (manual, _order("D", 50)),
        ],
        user=UserFactory(role="operator"),
    )

    second = Order.objects.get(external_ref="B")
    assert [(o.order, o.status, type(o.refusal)) for o in outcomes] == [
        (first, "existing", type(None)),
        (second, "created", type(None)),
        (None, "failed", OrderConflict),
        (None, "failed", InsufficientStock),
    ]
    assert outcomes[2].refusal.differences == [{"path": "lines[0].quantity", "stored": "2", "sent": "3"}]
    assert sorted(Order.objects.values_list("external_ref", flat=True)) == ["A", "B"]
    assert stock_level(cup, shelf) == (10, 3)
    assert StockOperation.objects.count() == operations + 1  # B's reservation only
