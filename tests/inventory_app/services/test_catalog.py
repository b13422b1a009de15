"""Catalog services: the backorder policy reaches the level rows; kits keep no stock."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.utils import timezone

from inventory_app.errors import InvalidStockOperation
from inventory_app.models import SalesChannel, StockLevel
from inventory_app.services.catalog import kit_component_set, sku_create, sku_update
from inventory_app.services.orders import OrderInput, OrderLineInput, order_create
from inventory_app.services.stock import stock_receive
from tests.factories import KitFactory, LocationFactory, SKUFactory

pytestmark = pytest.mark.django_db

OLD = datetime(2020, 1, 1, tzinfo=UTC)


def test_sku_create_strips_code():
    sku = sku_create(code="  TBL-9 ", name="Tablecloth")

    assert sku.code == "TBL-9"


def test_backorder_policy_change_updates_levels():
    sku, loc = SKUFactory(), LocationFactory()
    stock_receive(sku=sku, location=loc, quantity=1)

    StockLevel.objects.update(updated_at=OLD)
    mark = timezone.now()

    sku_update(sku=sku, backorder_policy="backorder")

    level = StockLevel.objects.get(sku=sku)
    assert level.allow_backorder is True
    assert level.updated_at >= mark  # an incremental sync sees the changed level


def test_stopping_backorders_with_backordered_reservations_is_refused():
    sku, loc = SKUFactory(backorder_policy="backorder"), LocationFactory()
    stock_receive(sku=sku, location=loc, quantity=1)
    order_create(
        channel=SalesChannel.objects.get(code="manual"),
        data=OrderInput(external_ref="b", lines=[OrderLineInput(sku.code, 3)]),
    )

    with pytest.raises(InvalidStockOperation, match="backordered"):
        sku_update(sku=sku, backorder_policy="reject")

    sku.refresh_from_db()
    assert sku.backorder_policy == "backorder"
    assert StockLevel.objects.get(sku=sku).allow_backorder is True


def test_sku_with_stock_cannot_become_kit():
    sku, loc = SKUFactory(), LocationFactory()
    stock_receive(sku=sku, location=loc, quantity=1)

    with pytest.raises(InvalidStockOperation, match="cannot become a kit"):
        sku_update(sku=sku, is_kit=True)


def test_kit_component_zero_removes_it():
    kit, part = KitFactory(), SKUFactory()
    kit_component_set(kit=kit, component=part, quantity=2)

    assert kit_component_set(kit=kit, component=part, quantity=0) is None
    assert kit.components.count() == 0


def test_component_on_non_kit_is_refused():
    with pytest.raises(InvalidStockOperation, match="is not a kit"):
        kit_component_set(kit=SKUFactory(), component=SKUFactory(), quantity=1)
