"""The dashboard and the main lists cost a fixed number of queries whatever their number of rows
(no N+1): each page is read with a few rows, then with three times as many, and may not issue
more queries the second time."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inventory_app.models import SalesChannel
from inventory_app.services.orders import OrderInput, OrderLineInput, order_create, order_ship
from inventory_app.services.purchasing.orders import (
    PurchaseLineInput,
    purchase_order_create,
    purchase_order_send,
    supplier_create,
    supplier_item_set,
)
from inventory_app.services.reorder import reorder_rule_set
from inventory_app.services.stock import stock_receive
from tests.factories import LocationFactory, SKUFactory

pytestmark = pytest.mark.django_db

PAGES = [
    "/admin/",
    "/admin/inventory_app/sku/",
    "/admin/inventory_app/sku/?o=-5",
    "/admin/inventory_app/sku/?stock=low",
    "/admin/inventory_app/sku/?stock=out",
    "/admin/inventory_app/sku/?q=Q1",
    "/admin/inventory_app/order/",
    "/admin/inventory_app/order/?attention=oversold",
    "/admin/inventory_app/stockoperation/",
    "/admin/inventory_app/stockmovement/",
    "/admin/inventory_app/stocklevel/",
    "/admin/inventory_app/reorderrule/",
    "/admin/inventory_app/reorderrule/needs-reordering/",
    "/admin/inventory_app/purchaseorder/",
    "/admin/inventory_app/supplieritem/",
    "/admin/inventory_app/costreport/",
    "/admin/inventory_app/costreport/?report=cogs",
    "/admin/inventory_app/costreport/?report=cogs&after=Q0",
]


def _rows(*, start: int, count: int) -> None:
    """``count`` SKUs, each received, sold and shipped once, with a reorder rule, a supplier item
    and a sent purchase order line."""
    location = LocationFactory(code=f"L{start}")
    supplier = supplier_create(code=f"s{start}", name=f"Supplier {start}")
    channel = SalesChannel.objects.get(code="manual")
    skus = [SKUFactory(code=f"Q{start + n}") for n in range(count)]
    for n, sku in enumerate(skus):
        stock_receive(sku=sku, location=location, quantity=5 + n, unit_cost=Decimal("2.00"))
        supplier_item_set(supplier=supplier, sku=sku, unit_price=Decimal("1.50"))
        reorder_rule_set(sku=sku, location=location, reorder_point=50, reorder_quantity=10, supplier=supplier)
        order, _ = order_create(
            channel=channel,
            data=OrderInput(external_ref=f"q{start + n}", lines=[OrderLineInput(sku.code, 2)]),
        )
        order_ship(order=order)
    purchase_order_send(
        purchase_order=purchase_order_create(
            supplier=supplier,
            location=location,
            lines=[PurchaseLineInput(sku_id=sku.pk, quantity=4) for sku in skus],
        )
    )


@pytest.mark.parametrize("url", PAGES)
def test_page_queries_do_not_grow_with_its_rows(url, superuser_client, django_assert_max_num_queries):
    _rows(start=0, count=2)
    assert superuser_client.get(url).status_code == 200  # session, content types: first-use reads
    with CaptureQueriesContext(connection) as few:
        assert superuser_client.get(url).status_code == 200
    _rows(start=100, count=4)

    with django_assert_max_num_queries(len(few)):
        response = superuser_client.get(url)

    assert response.status_code == 200
    assert len(few) <= 30  # the dashboard, computing its snapshot itself (caching off in tests)
