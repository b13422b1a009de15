"""In a real browser at 390 px (a phone): the order, attention, shipping, receiving, counting and
job pages fit the screen (no sideways scrolling of the page), every column of their tables can be
scrolled into view and their buttons can be reached."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from inventory_app.models import Order, SalesChannel
from inventory_app.services.jobs import job_start
from inventory_app.services.orders import OrderInput, OrderLineInput, order_create
from inventory_app.services.purchasing import (
    PurchaseLineInput,
    purchase_order_create,
    purchase_order_send,
    supplier_create,
)
from inventory_app.services.stock import stock_receive
from tests.factories import LocationFactory, SKUFactory

pytestmark = pytest.mark.django_db(transaction=True)

OVERFLOW = "document.documentElement.scrollWidth - window.innerWidth"
# The last field cell of each table's last data row, scrolled into view inside its own box: its
# left and right edge on the screen afterwards, whether only boxes a user can scroll moved (not
# one whose overflow is hidden) and whether the page itself scrolled sideways.
LAST_CELLS = """(selector) => [...document.querySelectorAll(selector)].map((table) => {
  const rows = table.querySelectorAll("tbody tr:not(.empty-form):not(.add-row)");
  const cells = [...rows[rows.length - 1].querySelectorAll("td")].filter((td) => !td.matches(".delete"));
  const cell = cells[cells.length - 1];
  cell.scrollIntoView({block: "center", inline: "end"});
  const box = cell.getBoundingClientRect();
  const scrolled = [];  // boxes scrollIntoView moved: a finger can only move those that scroll
  for (let node = cell.parentElement; node; node = node.parentElement) {
    if (node.scrollLeft > 0) scrolled.push(getComputedStyle(node).overflowX);
  }
  const byFinger = scrolled.every((overflow) => overflow === "auto" || overflow === "scroll");
  return [Math.floor(box.left) >= 0, Math.ceil(box.right) <= window.innerWidth, byFinger, window.scrollX];
})"""
BUTTONS_IN_VIEW = """(selector) => [...document.querySelectorAll(selector)].map((button) => {
  const box = button.getBoundingClientRect();
  return box.width > 0 && box.left >= 0 && box.right <= window.innerWidth;
})"""
# Per page: the tables whose every column must be reachable, and its buttons.
TABLES = {
    "order": ("#lines-group table, .field-allocations table", ".submit-row a, .submit-row input"),
    "purchase-order": ("#lines-group table", ".submit-row a, .submit-row input"),
    "purchase-order-add": ("#lines-group table", ".submit-row input"),
    "receive": ("#receive-lines", "#receive-submit"),
    "count": ("#count-form table", "#count-submit"),
}


def test_the_warehouse_pages_fit_a_phone(staff_session):
    location = LocationFactory(code="WAREHOUSE-NORTH-AISLE-12-BAY-4")  # a wide allocations table
    tee = SKUFactory(code="TEE-BLUE-LONG-CODE-0001", name="T-shirt, blue, organic cotton, size XL")
    stock_receive(sku=tee, location=location, quantity=20)
    order_create(
        channel=SalesChannel.objects.get(code="manual"),
        data=OrderInput(external_ref="W-1", lines=[OrderLineInput(tee.code, 3, unit_price=Decimal("12.50"))]),
    )
    order = Order.objects.get()
    po = purchase_order_create(
        supplier=supplier_create(code="acme", name="Acme"),
        location=location,
        lines=[PurchaseLineInput(sku_id=tee.pk, quantity=10)],
    )
    purchase_order_send(purchase_order=po)
    job = job_start(kind="test.kind", label="Full push: a shop with a long name", total=100)
    pages = {
        "order": reverse("admin:inventory_app_order_change", args=[order.pk]),
        "attention": reverse("admin-order-attention", args=[order.pk]),
        "purchase-order": reverse("admin:inventory_app_purchaseorder_change", args=[po.pk]),
        "purchase-order-add": reverse("admin:inventory_app_purchaseorder_add"),
        "receive": reverse("admin-purchaseorder-receive", args=[po.pk]),
        "count": reverse("admin-stock-count"),
        "job": reverse("admin:inventory_app_backgroundjob_change", args=[job.pk]),
    }
    session = staff_session("operator", width=390, height=844)
    page = session.page

    overflow, tables, buttons = {}, {}, {}
    for name, path in pages.items():
        session.goto(path)
        if name == "count":  # its table gets a row per SKU scanned
            page.locator("#scan").press_sequentially(tee.code)
            page.locator("#scan").press("Enter")
            page.wait_for_selector(f"#qty-{tee.pk}")
        session.shot(name)
        overflow[name] = page.evaluate(OVERFLOW)
        if name in TABLES:
            tables[name] = page.evaluate(LAST_CELLS, TABLES[name][0])
            buttons[name] = page.evaluate(BUTTONS_IN_VIEW, TABLES[name][1])
            session.shot(f"{name}-last-column")

    session.goto(reverse("admin:inventory_app_order_changelist"))
    page.check("#result_list tbody input.action-select")
    page.select_option("select[name=action]", "ship_all")
    page.click("button[name=index]")
    page.wait_for_selector("#ship-submit")
    overflow["ship"] = page.evaluate(OVERFLOW)
    page.fill(f"#id_order-{order.pk}-carrier", "UPS")
    page.fill(f"#id_order-{order.pk}-tracking_number", "1Z999AA10123456784")
    session.shot("ship")
    page.click("#ship-submit")
    page.wait_for_selector("ul.messagelist li.success")
    session.shot("shipped")

    shipment = order.shipments.get()
    assert overflow == dict.fromkeys([*pages, "ship"], 0)
    assert tables == {
        "order": [[True, True, True, 0], [True, True, True, 0]],
        "purchase-order": [[True, True, True, 0]],
        "purchase-order-add": [[True, True, True, 0]],
        "receive": [[True, True, True, 0]],
        "count": [[True, True, True, 0]],
    }
    assert buttons == {
        "order": [True],
        "purchase-order": [True],
        "purchase-order-add": [True, True, True],
        "receive": [True],
        "count": [True],
    }
    assert (shipment.carrier, shipment.tracking_number) == ("UPS", "1Z999AA10123456784")
    assert session.foreign_requests() == []
