"""Incoming units per SKU: only sent or part-received orders, never negative, by location."""

from __future__ import annotations

from decimal import Decimal

import pytest

from inventory_app.selectors.purchasing import purchase_lines_open, sku_incoming
from inventory_app.services.purchasing import (
    PurchaseLineInput,
    purchase_order_cancel,
    purchase_order_create,
    purchase_order_receive,
    purchase_order_send,
    supplier_create,
)
from tests.factories import LocationFactory, SKUFactory

pytestmark = pytest.mark.django_db


def test_incoming_counts_open_units_of_sent_orders_only():
    supplier, sku, a, b = (
        supplier_create(code="acme", name="Acme"),
        SKUFactory(),
        LocationFactory(),
        LocationFactory(),
    )

    def order(quantity, location, send=True, **kwargs):
        po = purchase_order_create(
            supplier=supplier,
            location=location,
            lines=[PurchaseLineInput(sku_id=sku.pk, quantity=quantity)],
            **kwargs,
        )
        return purchase_order_send(purchase_order=po) if send else po

    order(100, a, send=False)  # a draft: not ordered yet
    purchase_order_cancel(purchase_order=order(50, a))  # cancelled
    over = order(4, a, over_receipt_tolerance_percent=Decimal("50"))
    purchase_order_receive(purchase_order=over, location=a, quantities={over.lines.get().pk: 5})  # 5 of 4
    part = order(10, b)
    purchase_order_receive(purchase_order=part, location=b, quantities={part.lines.get().pk: 3})

    assert sku_incoming(sku_ids=[sku.pk]) == {sku.pk: 7}
    assert sku_incoming(sku_ids=[sku.pk], location_ids=[a.pk]) == {}
    assert sku_incoming(location_ids=[b.pk]) == {sku.pk: 7}
    assert [line.purchase_order_id for line in purchase_lines_open(sku_ids=[sku.pk])] == [part.pk]
