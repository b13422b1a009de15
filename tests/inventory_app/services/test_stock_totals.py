"""SKU stock totals and level values: kept by every ledger path in the level update's
transaction, refreshed when a location's selling flags change, never written back stale by a SKU
update."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from inventory_app.errors import InsufficientStock
from inventory_app.models import SKU, SalesChannel
from inventory_app.selectors.costing import inventory_valuation
from inventory_app.services.catalog import location_update, sku_update
from inventory_app.services.ledger import StockChange
from inventory_app.services.ledger_batch import OperationInput, stock_apply_many
from inventory_app.services.orders import OrderInput, OrderLineInput
from inventory_app.services.orders.batch import orders_create_many
from inventory_app.services.stock import stock_receive, stock_transfer
from inventory_app.services.stock_totals import sku_totals_refresh
from tests.factories import LocationFactory, SKUFactory
from tests.helpers import assert_sku_totals_match_levels

pytestmark = pytest.mark.django_db


def _totals(sku) -> tuple[int, int, int]:
    sku = SKU.objects.get(pk=sku.pk)
    return sku.on_hand_total, sku.committed_total, sku.available_total


def test_receive_and_transfer_to_an_unsellable_location_keep_available_to_sellable_stock():
    shop, back = LocationFactory(code="SHOP"), LocationFactory(code="BACK", is_sellable=False)
    sku = SKUFactory()
    stock_receive(sku=sku, location=shop, quantity=7)
    stock_transfer(sku=sku, from_location=shop, to_location=back, quantity=3)
    assert _totals(sku) == (7, 0, 4)
    assert_sku_totals_match_levels()


def test_batched_reservations_add_their_committed_units():
    shop = LocationFactory(code="SHOP")
    p, q = SKUFactory(code="P"), SKUFactory(code="Q")
    stock_receive(sku=p, location=shop, quantity=5)
    stock_receive(sku=q, location=shop, quantity=2)
    stock_apply_many(
        operations=[
            OperationInput(
                changes=[StockChange(sku_id=p.pk, location_id=shop.pk, committed_delta=2)], reason="reserve"
            ),
            OperationInput(
                changes=[
                    StockChange(sku_id=p.pk, location_id=shop.pk, committed_delta=1),
                    StockChange(sku_id=q.pk, location_id=shop.pk, committed_delta=2),
                ],
                reason="reserve",
            ),
        ]
    )
    assert (_totals(p), _totals(q)) == ((5, 3, 2), (2, 2, 0))
    assert_sku_totals_match_levels()


def test_batched_order_intake_keeps_totals():
    shop = LocationFactory(code="SHOP")
    p = SKUFactory(code="P")
    stock_receive(sku=p, location=shop, quantity=4)
    orders = [
        OrderInput(external_ref=f"o{n}", lines=[OrderLineInput(sku_code="P", quantity=1)]) for n in range(3)
    ]
    orders_create_many(channel=SalesChannel.objects.get(code="manual"), orders=orders, shortage="flag")
    assert _totals(p) == (4, 3, 1)
    assert_sku_totals_match_levels()


def test_a_refused_operation_leaves_the_totals_alone():
    shop = LocationFactory(code="SHOP")
    sku = SKUFactory()
    stock_receive(sku=sku, location=shop, quantity=1)
    with pytest.raises(InsufficientStock):
        stock_apply_many(
            operations=[
                OperationInput(
                    changes=[StockChange(sku_id=sku.pk, location_id=shop.pk, committed_delta=2)],
                    reason="reserve",
                )
            ]
        )
    assert _totals(sku) == (1, 0, 1)


def test_location_stops_selling_then_sells_again_refreshes_available():
    shop, other = LocationFactory(code="SHOP"), LocationFactory(code="OTHER")
    sku = SKUFactory()
    stock_receive(sku=sku, location=shop, quantity=6)
    stock_receive(sku=sku, location=other, quantity=1)
    location_update(location=shop, is_sellable=False)
    assert _totals(sku) == (7, 0, 1)
    location_update(location=shop, is_sellable=True)
    assert _totals(sku) == (7, 0, 7)
    assert_sku_totals_match_levels()


def test_sku_update_from_a_stale_instance_does_not_write_back_old_totals():
    shop = LocationFactory(code="SHOP")
    sku = SKUFactory()
    stale = SKU.objects.get(pk=sku.pk)  # read before the stock arrives: totals 0
    stock_receive(sku=sku, location=shop, quantity=9)
    sku_update(sku=stale, name="Renamed", backorder_policy="backorder")
    assert _totals(sku) == (9, 0, 9)
    assert SKU.objects.get(pk=sku.pk).name == "Renamed"


def test_refresh_recomputes_totals_that_drifted():
    shop = LocationFactory(code="SHOP")
    sku = SKUFactory()
    stock_receive(sku=sku, location=shop, quantity=3)
    SKU.objects.filter(pk=sku.pk).update(on_hand_total=99, committed_total=5, available_total=-2)
    assert sku_totals_refresh(sku_ids=[sku.pk]) == 1
    assert _totals(sku) == (3, 0, 3)


def test_level_value_follows_the_valued_movements_and_matches_the_ledger_valuation():
    shop, back = LocationFactory(code="SHOP"), LocationFactory(code="BACK")
    sku = SKUFactory(code="MUG")
    stock_receive(sku=sku, location=shop, quantity=4, unit_cost=Decimal("2.50"))
    stock_receive(sku=sku, location=shop, quantity=2, unit_cost=Decimal("4.00"))
    stock_transfer(sku=sku, from_location=shop, to_location=back, quantity=5)
    tomorrow = timezone.localdate() + timedelta(days=1)

    now = inventory_valuation()

    assert [(r.location_id, r.quantity, r.value) for r in now] == [
        (shop.pk, 1, Decimal("4.00")),
        (back.pk, 5, Decimal("14.00")),
    ]
    assert now == inventory_valuation(as_of=tomorrow)
