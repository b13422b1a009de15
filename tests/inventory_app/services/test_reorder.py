"""Reorder suggestions from ledger velocity and supplier lead time; draft POs from them."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from inventory_app.models import PurchaseOrder, PurchaseOrderStatus
from inventory_app.selectors.reorder import reorder_suggestions
from inventory_app.services.orders import OrderInput, OrderLineInput, order_create, order_ship
from inventory_app.services.purchasing import (
    PurchaseLineInput,
    purchase_order_create,
    purchase_order_send,
    supplier_create,
    supplier_item_set,
)
from inventory_app.services.reorder import purchase_orders_from_suggestions, reorder_rule_set
from inventory_app.services.stock import stock_receive
from tests.factories import LocationFactory, SalesChannelFactory, SKUFactory

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def setup():
    """SKU a: 42 received, 30 shipped in the window, 2 reserved, 5 incoming; SKU b: plenty."""
    a, b, loc = SKUFactory(), SKUFactory(), LocationFactory()
    supplier = supplier_create(code="acme", name="Acme", lead_time_days=7)
    supplier_item_set(supplier=supplier, sku=a, unit_price=D("3.2500"), is_preferred=True)
    supplier_item_set(supplier=supplier, sku=b, unit_price=D("1.0000"))
    stock_receive(sku=a, location=loc, quantity=42)
    stock_receive(sku=b, location=loc, quantity=100)
    channel = SalesChannelFactory(code="shop")
    shipped, _ = order_create(
        channel=channel,
        data=OrderInput(external_ref="v1", lines=[OrderLineInput(sku_code=a.code, quantity=30)]),
    )
    order_ship(order=shipped)
    order_create(
        channel=channel,
        data=OrderInput(external_ref="v2", lines=[OrderLineInput(sku_code=a.code, quantity=2)]),
    )
    incoming = purchase_order_create(
        supplier=supplier, location=loc, lines=[PurchaseLineInput(sku_id=a.pk, quantity=5)]
    )
    purchase_order_send(purchase_order=incoming)
    reorder_rule_set(sku=a, location=loc, reorder_point=10, reorder_quantity=20)
    reorder_rule_set(sku=b, location=loc, reorder_point=10, reorder_quantity=20)
    return a, b, loc, supplier


def test_suggestion_uses_velocity_lead_time_and_incoming(setup):
    a, _, loc, supplier = setup

    [suggestion] = reorder_suggestions(days=30)

    # available 42 - 30 - 2 = 10, incoming 5 -> projected 15; velocity 30 / 30 days = 1 a day,
    # lead time 7 days -> demand 7; 15 - 7 = 8 <= point 10 -> reorder
    # max(reorder quantity 20, 10 + 7 - 15 = 2) = 20
    assert (suggestion.sku_id, suggestion.location_id) == (a.pk, loc.pk)
    assert (suggestion.available, suggestion.incoming, suggestion.projected) == (10, 5, 15)
    assert (suggestion.velocity_per_day, suggestion.lead_time_demand) == (D("1.0000"), 7)
    assert (suggestion.needs_reorder, suggestion.suggested_quantity) == (True, 20)
    assert (suggestion.supplier_id, suggestion.unit_cost) == (supplier.pk, D("3.2500"))
    assert len(reorder_suggestions(days=30, only_needed=False)) == 2


def test_old_shipments_leave_the_velocity_window(setup):
    # 40 days on, the shipment is outside a 30-day window: velocity 0, demand 0; 15 > 10 -> no reorder
    later = timezone.now() + timedelta(days=40)

    assert reorder_suggestions(days=30, now=later) == []


def test_draft_purchase_orders_from_suggestions(setup):
    a, _, loc, supplier = setup

    [order] = purchase_orders_from_suggestions(suggestions=reorder_suggestions(days=30))

    line = order.lines.get()
    assert (order.supplier_id, order.location_id, order.status) == (
        supplier.pk,
        loc.pk,
        PurchaseOrderStatus.DRAFT,
    )
    assert (line.sku_id, line.quantity_ordered, line.unit_cost) == (a.pk, 20, D("3.2500"))
    assert PurchaseOrder.objects.count() == 2  # the incoming one and the new draft
