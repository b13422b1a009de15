"""orders_create_many: the same rows as order_create one by one, with a fixed number of queries."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext

from inventory_app.errors import InsufficientStock, InvalidStockOperation, OrderError
from inventory_app.models import (
    Allocation,
    Order,
    OrderLine,
    SalesChannel,
    StockLevel,
    StockMovement,
    StockOperation,
)
from inventory_app.services.ledger import StockChange
from inventory_app.services.ledger_batch import OperationInput, stock_apply_many
from inventory_app.services.orders import OrderInput, OrderLineInput, order_create
from inventory_app.services.orders.batch import orders_create_many
from inventory_app.services.stock import stock_receive
from tests.factories import KitComponentFactory, KitFactory, LocationFactory, SKUFactory
from tests.helpers import stock_levels

pytestmark = pytest.mark.django_db


@pytest.fixture
def manual():
    return SalesChannel.objects.get(code="manual")


@pytest.fixture
def stock():
    """P: 2 at A and 3 at B; Q: 1 at A; kit K = 2 Q + 1 P; BO (backorders allowed): 1 at A."""
    a, b = LocationFactory(code="A", priority=1), LocationFactory(code="B", priority=2)
    p, q = SKUFactory(code="P"), SKUFactory(code="Q")
    backorder = SKUFactory(code="BO", backorder_policy="backorder")
    kit = KitFactory(code="K")
    KitComponentFactory(kit=kit, component=q, quantity=2)
    KitComponentFactory(kit=kit, component=p, quantity=1)
    stock_receive(sku=p, location=a, quantity=2)
    stock_receive(sku=p, location=b, quantity=3)
    stock_receive(sku=q, location=a, quantity=1)
    stock_receive(sku=backorder, location=a, quantity=1)
    return {"P": p, "Q": q, "BO": backorder}


def _orders() -> list[OrderInput]:
    def order(ref: str, *lines: tuple[str, int]) -> OrderInput:
        return OrderInput(
            external_ref=ref,
            lines=[OrderLineInput(sku_code=c, quantity=n, external_line_id=f"{ref}-{c}") for c, n in lines],
        )

    return [
        order("1", ("P", 4)),
        order("2", ("K", 1)),
        order("3", ("BO", 3)),
        order("4", ("NOPE", 1), ("P", 1)),
    ]


@pytest.mark.parametrize("mode", ["one_by_one", "many"])
def test_many_ends_in_the_same_rows_as_one_by_one(manual, stock, mode):
    if mode == "one_by_one":
        for data in _orders():
            order_create(channel=manual, data=data, shortage="flag")
    else:
        created = orders_create_many(channel=manual, orders=_orders(), shortage="flag")
        assert [o.external_ref for o in created] == ["1", "2", "3", "4"]

    assert stock_levels(stock["P"]) == {"A": (2, 2), "B": (3, 3)}
    assert stock_levels(stock["Q"]) == {"A": (1, 1)}
    assert stock_levels(stock["BO"]) == {"A": (1, 3)}
    assert sorted(
        Allocation.objects.values_list("line__order__external_ref", "sku__code", "location__code", "quantity")
    ) == [("1", "P", "A", 2), ("1", "P", "B", 2), ("2", "P", "B", 1), ("2", "Q", "A", 1), ("3", "BO", "A", 3)]
    assert dict(Order.objects.values_list("external_ref", "attention_reason")) == {
        "1": "",
        "2": "Oversold: Q short 1",
        "3": "",
        "4": "Unknown SKU(s): NOPE\nOversold: P short 1",
    }
    assert list(Order.objects.filter(needs_attention=True).order_by("external_ref").values_list(
        "external_ref", flat=True
    )) == ["2", "4"]  # fmt: skip
    assert list(OrderLine.objects.filter(backordered=True).values_list("external_line_id", flat=True)) == [
        "3-BO"
    ]
    assert sorted(
        StockOperation.objects.filter(reason="reserve").values_list("reference", flat=True)
    ) == sorted(
        f"order:{pk}"
        for pk in Order.objects.filter(external_ref__in=["1", "2", "3"]).values_list("pk", flat=True)
    )
    # The ledger's after-values chain across the orders, as with one call per order.
    assert list(
        StockMovement.objects.filter(sku=stock["P"], reason="reserve")
        .order_by("pk")
        .values_list("location__code", "committed_delta", "committed_after", "order_line__external_line_id")
    ) == [("A", 2, 2, "1-P"), ("B", 2, 2, "1-P"), ("B", 1, 3, "2-K")]


def test_many_runs_the_same_number_of_queries_for_10_or_60_orders(manual, stock):
    sku = SKUFactory(code="BULK")
    stock_receive(sku=sku, location=LocationFactory(code="C", priority=3), quantity=100)

    def run(first: int, count: int) -> int:
        orders = [
            OrderInput(external_ref=f"B{n}", lines=[OrderLineInput(sku_code="BULK", quantity=1)])
            for n in range(first, first + count)
        ]
        with CaptureQueriesContext(connection) as queries:
            orders_create_many(channel=manual, orders=orders, shortage="flag")
        return len(queries)

    # 19 for the orders and the ledger (2 of them: lock and update the SKUs' stock totals), 3
    # for their events (kits containing the SKU, the availability events, the order.created events).
    assert run(0, 10) == run(10, 60) == 22
    assert stock_levels(sku) == {"C": (100, 70)}
    assert list(
        StockMovement.objects.filter(sku=sku, reason="reserve")
        .order_by("pk")
        .values_list("committed_after", flat=True)
    ) == list(range(1, 71))


def test_many_with_raise_creates_nothing_when_one_order_is_short(manual, stock):
    with pytest.raises(InsufficientStock):
        orders_create_many(channel=manual, orders=_orders(), shortage="raise")

    assert Order.objects.count() == 0
    assert stock_levels(stock["P"]) == {"A": (2, 0), "B": (3, 0)}
    assert not StockMovement.objects.filter(reason="reserve").exists()


def test_many_refuses_an_existing_or_repeated_reference_and_creates_nothing(manual, stock):
    order_create(channel=manual, data=_orders()[0])

    with pytest.raises(OrderError):
        orders_create_many(channel=manual, orders=[_orders()[1], _orders()[1]])
    with pytest.raises(IntegrityError):
        orders_create_many(channel=manual, orders=[_orders()[1], _orders()[0]])

    assert list(Order.objects.values_list("external_ref", flat=True)) == ["1"]
    assert stock_levels(stock["Q"]) == {"A": (1, 0)}


def test_stock_apply_many_takes_reservations_only_and_changes_nothing_on_a_shortfall(stock):
    p = stock["P"]
    a = StockLevel.objects.get(sku=p, location__code="A").location_id

    with pytest.raises(InvalidStockOperation):
        stock_apply_many(
            operations=[OperationInput(changes=[StockChange(sku_id=p.pk, location_id=a, on_hand_delta=1)],
                                       reason="adjustment")]
        )  # fmt: skip
    with pytest.raises(InsufficientStock):
        stock_apply_many(
            operations=[
                OperationInput(
                    changes=[StockChange(sku_id=p.pk, location_id=a, committed_delta=2)], reason="reserve"
                ),
                OperationInput(
                    changes=[StockChange(sku_id=p.pk, location_id=a, committed_delta=1)], reason="reserve"
                ),
            ]
        )

    assert stock_levels(p) == {"A": (2, 0), "B": (3, 0)}
    assert not StockOperation.objects.filter(reason="reserve").exists()
