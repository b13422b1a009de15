"""Available-to-sell: stock SKUs over sellable locations, kits from their components, in bulk."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inventory_app.errors import InvalidStockOperation
from inventory_app.models import SalesChannel
from inventory_app.selectors.availability import sku_available_to_sell
from inventory_app.selectors.kits import kit_components_flatten
from inventory_app.services.catalog import kit_component_set
from inventory_app.services.orders import OrderInput, OrderLineInput, order_create
from inventory_app.services.stock import stock_receive
from tests.factories import KitComponentFactory, KitFactory, LocationFactory, SKUFactory

pytestmark = pytest.mark.django_db


def test_stock_sku_sums_sellable_locations_minus_committed():
    sku = SKUFactory()
    a, b, quarantine = LocationFactory(), LocationFactory(), LocationFactory(is_sellable=False)
    stock_receive(sku=sku, location=a, quantity=4)
    stock_receive(sku=sku, location=b, quantity=3)
    stock_receive(sku=sku, location=quarantine, quantity=50)
    order_create(
        channel=SalesChannel.objects.get(code="manual"),
        data=OrderInput(external_ref="x", lines=[OrderLineInput(sku.code, 2)]),
    )

    assert sku_available_to_sell(sku_ids=[sku.pk]) == {sku.pk: 5}
    assert sku_available_to_sell(sku_ids=[sku.pk], location_ids=[b.pk]) == {sku.pk: 3}
    assert sku_available_to_sell(sku_ids=[sku.pk], location_ids=[quarantine.pk]) == {sku.pk: 50}


def test_kit_is_min_of_floor_component_over_quantity():
    a, b, loc = SKUFactory(), SKUFactory(), LocationFactory()
    kit = KitFactory()
    KitComponentFactory(kit=kit, component=a, quantity=3)
    KitComponentFactory(kit=kit, component=b, quantity=2)
    stock_receive(sku=a, location=loc, quantity=10)  # floor(10/3) = 3
    stock_receive(sku=b, location=loc, quantity=5)  # floor(5/2) = 2

    assert sku_available_to_sell(sku_ids=[kit.pk, a.pk, b.pk]) == {kit.pk: 2, a.pk: 10, b.pk: 5}


def test_nested_kit_availability():
    napkin, cloth, loc = SKUFactory(), SKUFactory(), LocationFactory()
    four_napkins = KitFactory()
    KitComponentFactory(kit=four_napkins, component=napkin, quantity=4)
    dinner_set = KitFactory()
    KitComponentFactory(kit=dinner_set, component=four_napkins, quantity=2)
    KitComponentFactory(kit=dinner_set, component=cloth, quantity=1)
    stock_receive(sku=napkin, location=loc, quantity=17)  # 4-pack: floor(17/4) = 4; set: floor(4/2) = 2
    stock_receive(sku=cloth, location=loc, quantity=9)

    result = sku_available_to_sell(sku_ids=[dinner_set.pk, four_napkins.pk])

    assert result == {four_napkins.pk: 4, dinner_set.pk: 2}
    assert kit_components_flatten(kit_ids=[dinner_set.pk]) == {dinner_set.pk: {napkin.pk: 8, cloth.pk: 1}}


def test_kit_without_stock_or_components_is_zero():
    kit = KitFactory()
    sku = SKUFactory()

    assert sku_available_to_sell(sku_ids=[kit.pk, sku.pk]) == {kit.pk: 0, sku.pk: 0}


def test_backordered_sku_publishes_zero_not_negative():
    sku = SKUFactory(backorder_policy="backorder")
    LocationFactory()
    order_create(
        channel=SalesChannel.objects.get(code="manual"),
        data=OrderInput(external_ref="bo", lines=[OrderLineInput(sku.code, 3)]),
    )

    assert sku_available_to_sell(sku_ids=[sku.pk]) == {sku.pk: 0}


def test_many_skus_cost_a_constant_number_of_queries():
    loc = LocationFactory()
    skus = SKUFactory.create_batch(40)
    for i, sku in enumerate(skus):
        stock_receive(sku=sku, location=loc, quantity=i + 1)
    kit = KitFactory()
    KitComponentFactory(kit=kit, component=skus[0], quantity=1)

    with CaptureQueriesContext(connection) as queries:
        result = sku_available_to_sell()

    assert len(queries) == 3  # SKUs, kit components (one nesting level), levels
    assert result[skus[39].pk] == 40
    assert result[kit.pk] == 1
    assert len(result) == 41


def test_kit_cannot_contain_itself():
    a = KitFactory()
    b = KitFactory()
    kit_component_set(kit=a, component=b, quantity=1)

    with pytest.raises(InvalidStockOperation, match="a kit cannot contain itself"):
        kit_component_set(kit=b, component=a, quantity=1)
