"""In a real browser, phone-sized: receive a purchase order partly with a barcode scanner's input."""

from __future__ import annotations

import pytest

from inventory_app.models import PurchaseOrderStatus, Receipt, StockLevel
from inventory_app.services.purchasing import (
    PurchaseLineInput,
    purchase_order_create,
    purchase_order_send,
    supplier_create,
)
from tests.factories import LocationFactory, SKUFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _scan(page, code: str) -> None:
    """What a USB scanner does: type the code, then Enter."""
    page.locator("#scan").press_sequentially(code)
    page.locator("#scan").press("Enter")


def test_receive_a_purchase_order_partly_by_scanning_on_a_phone(staff_session):
    dock = LocationFactory(code="DOCK")
    tee, mug = (
        SKUFactory(code="TEE", barcode="4006381333931"),
        SKUFactory(code="MUG", barcode="4006381333948"),
    )
    order = purchase_order_create(
        supplier=supplier_create(code="acme", name="Acme"),
        location=dock,
        lines=[PurchaseLineInput(sku_id=tee.pk, quantity=10), PurchaseLineInput(sku_id=mug.pk, quantity=4)],
    )
    purchase_order_send(purchase_order=order)
    session = staff_session("operator", width=390, height=844)
    page = session.page

    session.goto(f"/admin/inventory_app/purchaseorder/{order.pk}/change/")
    session.shot("purchase-order")
    page.click("#po-receive")
    page.wait_for_selector("#scan")
    for code in ("4006381333931", "4006381333931", "4006381333931", "MUG", "0000000000000"):
        _scan(page, code)
    session.shot("scanned")
    status, total = page.inner_text("#scan-status"), page.inner_text("#scan-total")
    page.click("#receive-submit")
    page.wait_for_selector("ul.messagelist li.success")
    session.shot("received")

    order.refresh_from_db()
    assert (status, total) == ("Not on this order: 0000000000000", "4")
    assert order.status == PurchaseOrderStatus.PARTIALLY_RECEIVED
    assert {lv.sku.code: lv.on_hand for lv in StockLevel.objects.select_related("sku")} == {
        "TEE": 3,
        "MUG": 1,
    }
    assert Receipt.objects.count() == 1
    assert page.inner_text("#po-status") == "Partially received"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1  # no sideways scrolling
    assert session.foreign_requests() == []
