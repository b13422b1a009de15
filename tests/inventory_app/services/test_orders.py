"""Orders: create reserves (kits through components), cancel releases, ship consumes, unknown SKUs flagged."""

from __future__ import annotations

from decimal import Decimal

import pytest

from inventory_app.errors import InsufficientStock, OrderError
from inventory_app.models import Allocation, Order, OrderStatus, SalesChannel, StockLevel, StockMovement
from inventory_app.services.orders import (
    OrderInput,
    OrderLineInput,
    order_cancel,
    order_create,
    order_line_link_sku,
    order_ship,
)
from inventory_app.services.stock import stock_receive
from tests.factories import KitComponentFactory, KitFactory, LocationFactory, SKUFactory
from tests.helpers import stock_levels

pytestmark = pytest.mark.django_db


@pytest.fixture
def manual():
    return SalesChannel.objects.get(code="manual")


def _order(ref: str, *lines: tuple[str, int]) -> OrderInput:
    return OrderInput(external_ref=ref, lines=[OrderLineInput(sku_code=c, quantity=q) for c, q in lines])


def test_create_reserves_from_locations_by_priority(manual):
    sku = SKUFactory()
    first, second = LocationFactory(code="A", priority=1), LocationFactory(code="B", priority=2)
    stock_receive(sku=sku, location=first, quantity=2)
    stock_receive(sku=sku, location=second, quantity=5)

    order, created = order_create(channel=manual, data=_order("1001", (sku.code, 4)))

    assert created is True
    assert order.status == OrderStatus.OPEN
    assert stock_levels(sku) == {"A": (2, 2), "B": (5, 2)}
    line = order.lines.get()
    assert sorted(line.allocations.values_list("location__code", "quantity")) == [("A", 2), ("B", 2)]


def test_create_same_external_ref_twice_reserves_once(manual):
    sku, loc = SKUFactory(), LocationFactory()
    stock_receive(sku=sku, location=loc, quantity=5)

    first, created_first = order_create(channel=manual, data=_order("1002", (sku.code, 2)))
    again, created_again = order_create(channel=manual, data=_order("1002", (sku.code, 2)))

    assert (created_first, created_again) == (True, False)
    assert again.pk == first.pk
    assert Order.objects.count() == 1
    assert stock_levels(sku) == {loc.code: (5, 2)}
    assert StockMovement.objects.filter(reason="reserve").count() == 1


def test_create_short_with_reject_policy_raises_and_creates_nothing(manual):
    sku, loc = SKUFactory(code="TBL-1"), LocationFactory()
    stock_receive(sku=sku, location=loc, quantity=1)

    with pytest.raises(InsufficientStock) as err:
        order_create(channel=manual, data=_order("1003", (sku.code, 3)))

    assert [(s.sku_code, s.requested, s.available) for s in err.value.shortfalls] == [("TBL-1", 3, 1)]
    assert Order.objects.count() == 0
    assert stock_levels(sku) == {loc.code: (1, 0)}


def test_create_short_with_flag_reserves_what_there_is_and_flags(manual):
    sku, loc = SKUFactory(code="TBL-2"), LocationFactory()
    stock_receive(sku=sku, location=loc, quantity=1)

    order, _ = order_create(channel=manual, data=_order("1004", (sku.code, 3)), shortage="flag")

    order.refresh_from_db()
    assert order.needs_attention is True
    assert "Oversold: TBL-2 short 2" in order.attention_reason
    assert stock_levels(sku) == {loc.code: (1, 1)}


def test_create_backorder_sku_commits_beyond_on_hand(manual):
    sku, loc = SKUFactory(backorder_policy="backorder"), LocationFactory()
    stock_receive(sku=sku, location=loc, quantity=1)

    order, _ = order_create(channel=manual, data=_order("1005", (sku.code, 3)))

    assert stock_levels(sku) == {loc.code: (1, 3)}
    assert order.lines.get().backordered is True


def test_create_unknown_sku_is_kept_and_flagged(manual):
    sku, loc = SKUFactory(), LocationFactory()
    stock_receive(sku=sku, location=loc, quantity=5)

    order, _ = order_create(channel=manual, data=_order("1006", (sku.code, 1), ("NOPE-9", 2)))

    assert order.needs_attention is True
    assert order.attention_reason == "Unknown SKU(s): NOPE-9"
    unknown = order.lines.get(external_sku="NOPE-9")
    assert unknown.sku is None
    assert unknown.quantity == 2
    assert stock_levels(sku) == {loc.code: (5, 1)}


def test_link_unknown_line_reserves_and_clears_flag(manual):
    sku, loc = SKUFactory(), LocationFactory()
    stock_receive(sku=sku, location=loc, quantity=5)
    order, _ = order_create(channel=manual, data=_order("1007", ("OLD-CODE", 2)))

    order_line_link_sku(line=order.lines.get(), sku=sku)

    order.refresh_from_db()
    assert order.needs_attention is False
    assert order.attention_reason == ""
    assert stock_levels(sku) == {loc.code: (5, 2)}


def test_kit_order_reserves_components_nested(manual):
    cloth, napkin, loc = SKUFactory(), SKUFactory(), LocationFactory()
    napkins4 = KitFactory()
    KitComponentFactory(kit=napkins4, component=napkin, quantity=4)
    set_ = KitFactory()
    KitComponentFactory(kit=set_, component=cloth, quantity=1)
    KitComponentFactory(kit=set_, component=napkins4, quantity=2)
    stock_receive(sku=cloth, location=loc, quantity=10)
    stock_receive(sku=napkin, location=loc, quantity=30)

    order, _ = order_create(channel=manual, data=_order("1008", (set_.code, 3)))

    assert stock_levels(cloth) == {loc.code: (10, 3)}
    assert stock_levels(napkin) == {loc.code: (30, 24)}
    assert not StockLevel.objects.filter(sku__in=[set_, napkins4]).exists()
    assert sorted(
        Allocation.objects.filter(line__order=order).values_list("sku__code", "quantity")
    ) == sorted([(cloth.code, 3), (napkin.code, 24)])


def test_cancel_releases_and_twice_changes_nothing(manual):
    sku, loc = SKUFactory(), LocationFactory()
    stock_receive(sku=sku, location=loc, quantity=5)
    order, _ = order_create(channel=manual, data=_order("1009", (sku.code, 2)))

    order_cancel(order=order)
    order_cancel(order=order)

    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert stock_levels(sku) == {loc.code: (5, 0)}
    assert StockMovement.objects.filter(reason="release").count() == 1
    assert order.lines.get().quantity_cancelled == 2


def test_ship_partial_then_rest(manual):
    sku, loc = SKUFactory(), LocationFactory()
    stock_receive(sku=sku, location=loc, quantity=5)
    order, _ = order_create(channel=manual, data=_order("1010", (sku.code, 3)))
    line = order.lines.get()

    order_ship(order=order, quantities={line.pk: 1})
    order.refresh_from_db()
    assert order.status == OrderStatus.PARTIALLY_SHIPPED
    assert stock_levels(sku) == {loc.code: (4, 2)}

    order_ship(order=order)
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
    assert order.shipped_at is not None
    assert stock_levels(sku) == {loc.code: (2, 0)}
    line.refresh_from_db()
    assert line.quantity_shipped == 3


def test_ship_with_same_key_twice_ships_once(manual):
    sku, loc = SKUFactory(), LocationFactory()
    stock_receive(sku=sku, location=loc, quantity=5)
    order, _ = order_create(channel=manual, data=_order("1011", (sku.code, 3)))
    line = order.lines.get()

    first = order_ship(order=order, quantities={line.pk: 2}, idempotency_key="shp-1")
    second = order_ship(order=order, quantities={line.pk: 2}, idempotency_key="shp-1")

    assert second.pk == first.pk and second.replayed
    line.refresh_from_db()
    assert line.quantity_shipped == 2
    assert stock_levels(sku) == {loc.code: (3, 1)}


def test_ship_more_than_open_is_refused(manual):
    sku, loc = SKUFactory(), LocationFactory()
    stock_receive(sku=sku, location=loc, quantity=5)
    order, _ = order_create(channel=manual, data=_order("1012", (sku.code, 2)))

    with pytest.raises(OrderError, match="can ship 1 to 2 units, not 3"):
        order_ship(order=order, quantities={order.lines.get().pk: 3})

    assert stock_levels(sku) == {loc.code: (5, 2)}


def test_ship_unlinked_line_is_refused(manual):
    order, _ = order_create(channel=manual, data=_order("1013", ("GHOST", 1)))

    with pytest.raises(OrderError, match="link it first"):
        order_ship(order=order)

    assert StockMovement.objects.count() == 0


def test_ship_kit_consumes_components(manual):
    a, b, loc = SKUFactory(), SKUFactory(), LocationFactory()
    kit = KitFactory()
    KitComponentFactory(kit=kit, component=a, quantity=2)
    KitComponentFactory(kit=kit, component=b, quantity=1)
    stock_receive(sku=a, location=loc, quantity=10)
    stock_receive(sku=b, location=loc, quantity=10)
    order, _ = order_create(channel=manual, data=_order("1014", (kit.code, 2)))

    order_ship(order=order)

    assert stock_levels(a) == {loc.code: (6, 0)}
    assert stock_levels(b) == {loc.code: (8, 0)}


def test_cancel_shipped_order_is_refused(manual):
    sku, loc = SKUFactory(), LocationFactory()
    stock_receive(sku=sku, location=loc, quantity=5, unit_cost=Decimal("1"))
    order, _ = order_create(channel=manual, data=_order("1015", (sku.code, 1)))
    order_ship(order=order)

    with pytest.raises(OrderError):
        order_cancel(order=order)

    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED


def test_cancel_partially_shipped_releases_rest(manual):
    sku, loc = SKUFactory(), LocationFactory()
    stock_receive(sku=sku, location=loc, quantity=5)
    order, _ = order_create(channel=manual, data=_order("1016", (sku.code, 3)))
    order_ship(order=order, quantities={order.lines.get().pk: 1})

    order_cancel(order=order)

    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
    assert stock_levels(sku) == {loc.code: (4, 0)}
    line = order.lines.get()
    assert (line.quantity_shipped, line.quantity_cancelled) == (1, 2)
