"""In a real browser, phone-sized: count a shelf with scanner input, post it as one operation."""

from __future__ import annotations

import pytest

from inventory_app.models import MovementReason, StockLevel, StockOperation
from inventory_app.services.stock import stock_receive
from tests.factories import LocationFactory, SKUFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_count_a_shelf_by_scanning(staff_session):
    shelf = LocationFactory(code="SHELF")
    tee = SKUFactory(code="TEE", barcode="4006381333931")
    SKUFactory(code="MUG", barcode="4006381333948")
    stock_receive(sku=tee, location=shelf, quantity=5)
    session = staff_session("operator", width=390, height=844)
    page = session.page

    page.click("#count-link")
    page.wait_for_selector("#scan")
    for code in ("4006381333931", "4006381333931", "4006381333948", "NOPE"):
        page.locator("#scan").press_sequentially(code)
        page.locator("#scan").press("Enter")
        page.wait_for_function("document.getElementById('scan-status').textContent.length > 0")
    page.wait_for_selector("#qty-" + str(tee.pk))
    page.wait_for_function("document.getElementById('scan-status').textContent.startsWith('No SKU')")
    session.shot("counted")
    total = page.inner_text("#scan-total")
    page.click("#count-submit")
    page.wait_for_selector("ul.messagelist li.success")
    session.shot("posted")

    levels = {lv.sku.code: lv.on_hand for lv in StockLevel.objects.select_related("sku")}
    assert total == "3"
    assert levels == {"TEE": 2, "MUG": 1}
    assert StockOperation.objects.filter(reason=MovementReason.COUNT).count() == 1
    assert session.foreign_requests() == []
