"""Costing reads: valuation by date, layers agreeing with the ledger, COGS of kit lines."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from inventory_app.models import CostingMethod
from inventory_app.selectors.costing import (
    inventory_valuation,
    inventory_value_total,
    order_lines_cogs,
    valuation_from_layers,
)
from inventory_app.services.costing import costing_settings_update
from inventory_app.services.orders import OrderInput, OrderLineInput, order_create, order_ship
from inventory_app.services.stock import stock_adjust, stock_receive, stock_return, stock_transfer
from tests.factories import KitComponentFactory, KitFactory, LocationFactory, SalesChannelFactory, SKUFactory

pytestmark = pytest.mark.django_db

D = Decimal


def test_a_date_means_the_end_of_that_day():
    sku, loc = SKUFactory(), LocationFactory()
    stock_receive(sku=sku, location=loc, quantity=2, unit_cost=D("1.25"))
    today = timezone.localdate()

    assert inventory_valuation(as_of=today - timedelta(days=1)) == []
    assert [(r.quantity, r.value, r.unit_cost) for r in inventory_valuation(as_of=today)] == [
        (2, D("2.50"), D("1.2500"))
    ]
    assert inventory_value_total() == D("2.50")


def test_layers_agree_with_the_ledger_after_transfers_returns_and_write_offs():
    sku, a, b = SKUFactory(), LocationFactory(), LocationFactory()
    stock_receive(sku=sku, location=a, quantity=3, unit_cost=D("0.3333"))  # round(0.9999) = 1.00
    stock_receive(sku=sku, location=a, quantity=4, unit_cost=D("2.10"))  # 8.40
    order, _ = order_create(
        channel=SalesChannelFactory(code="shop"),
        data=OrderInput(external_ref="o", lines=[OrderLineInput(sku_code=sku.code, quantity=4)]),
        location_ids=[a.pk],
    )
    order_ship(order=order)  # 1.00 + round(8.40 x 1/4) = 2.10 -> 3.10
    stock_transfer(sku=sku, from_location=a, to_location=b, quantity=2)  # round(6.30 x 2/3) = 4.20
    stock_return(sku=sku, location=b, quantity=1, order_line_id=order.lines.get().pk)  # 3.10 / 4 = 0.78
    stock_adjust(sku=sku, location=b, delta=-1, reason_detail="damaged")  # oldest at b: 4.20 / 2 = 2.10

    ledger = {(r.sku_id, r.location_id): (r.quantity, r.value) for r in inventory_valuation(sku_ids=[sku.pk])}

    # a: 1 unit, 6.30 - 4.20 = 2.10; b: 4.20 - 2.10 + 0.78 = 2.88 over 2 units
    assert ledger == {(sku.pk, a.pk): (1, D("2.10")), (sku.pk, b.pk): (2, D("2.88"))}
    assert valuation_from_layers(sku_ids=[sku.pk]) == ledger


def test_kit_line_cogs_counts_its_component_units():
    costing_settings_update(method=CostingMethod.AVERAGE)
    kit = KitFactory()
    a = KitComponentFactory(kit=kit, quantity=3).component
    loc = LocationFactory()
    stock_receive(sku=a, location=loc, quantity=3, unit_cost=D("1.00"))
    stock_receive(sku=a, location=loc, quantity=3, unit_cost=D("2.00"))  # average 1.50
    order, _ = order_create(
        channel=SalesChannelFactory(code="shop"),
        data=OrderInput(external_ref="k", lines=[OrderLineInput(sku_code=kit.code, quantity=1)]),
    )
    order_ship(order=order)

    line = order.lines.get()
    cogs = order_lines_cogs(order_line_ids=[line.pk])[line.pk]

    assert (cogs.units_shipped, cogs.cost_shipped, cogs.cogs) == (3, D("4.50"), D("4.50"))  # 9.00 x 3/6
