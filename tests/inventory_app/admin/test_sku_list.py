"""The SKU list shows on hand, committed, available and incoming first, sortable, at a fixed query cost."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inventory_app.services.purchasing.orders import (
    PurchaseLineInput,
    purchase_order_create,
    purchase_order_send,
    supplier_create,
)
from tests.factories import SKUFactory

pytestmark = pytest.mark.django_db


def _rows(response) -> dict[str, tuple]:
    return {
        sku.code: (sku.on_hand_total, sku.committed_total, sku.available_units, sku.incoming_total)
        for sku in response.context["cl"].result_list
    }


def test_sku_list_shows_on_hand_committed_available_and_incoming(admin_client_for, data):
    supplier = supplier_create(code="acme", name="Acme")
    order = purchase_order_create(
        supplier=supplier, location=data.wh2, lines=[PurchaseLineInput(sku_id=data.other.pk, quantity=5)]
    )
    purchase_order_send(purchase_order=order)
    purchase_order_create(  # a draft orders nothing yet
        supplier=supplier, location=data.wh2, lines=[PurchaseLineInput(sku_id=data.other.pk, quantity=7)]
    )
    client = admin_client_for("viewer")

    response = client.get("/admin/inventory_app/sku/")
    columns = [c for c in response.context["cl"].list_display if c != "action_checkbox"]

    assert _rows(response) == {"TEE": (10, 3, 7, 0), "MUG": (4, 0, 4, 5), "TEEPACK": (0, 0, 3, 0)}
    # What matters first: right after the code and name, before product, barcode and policy.
    assert columns[:6] == ["code", "name", "on_hand", "committed", "available_to_sell", "incoming"]


def test_sku_list_sorts_by_available_and_by_incoming(admin_client_for, data):
    client = admin_client_for("viewer")
    columns = client.get("/admin/inventory_app/sku/").context["cl"].list_display
    available = columns.index("available_to_sell")
    on_hand = columns.index("on_hand")

    by_available = client.get(f"/admin/inventory_app/sku/?o=-{available}")
    by_on_hand = client.get(f"/admin/inventory_app/sku/?o={on_hand}")

    stock_skus = [s.code for s in by_available.context["cl"].result_list if not s.is_kit]
    assert stock_skus == ["TEE", "MUG"]  # 7 before 4
    assert [s.code for s in by_on_hand.context["cl"].result_list][-1] == "TEE"  # 10 last


def test_sku_list_query_count_does_not_grow_with_the_page(admin_client_for, data):
    client = admin_client_for("viewer")
    client.get("/admin/inventory_app/sku/")
    with CaptureQueriesContext(connection) as few:
        client.get("/admin/inventory_app/sku/")
    SKUFactory.create_batch(30)
    with CaptureQueriesContext(connection) as many:
        client.get("/admin/inventory_app/sku/")

    assert len(many) == len(few)
