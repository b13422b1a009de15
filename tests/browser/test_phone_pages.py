"""In a real browser at 390 px (a phone): the order, attention, shipping, receiving, counting and
job pages fit the screen (no sideways scrolling of the page) and their buttons can be reached."""

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


def test_the_warehouse_pages_fit_a_phone(staff_session):
    location = LocationFactory(code="WH1")
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
        "receive": reverse("admin-purchaseorder-receive", args=[po.pk]),
        "count": reverse("admin-stock-count"),
        "job": reverse("admin:inventory_app_backgroundjob_change", args=[job.pk]),
    }
    session = staff_session("operator", width=390, height=844)
    page = session.page

    overflow = {}
    for name, path in pages.items():
        session.goto(path)
        session.shot(name)
        overflow[name] = page.evaluate(OVERFLOW)

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
    assert (shipment.carrier, shipment.tracking_number) == ("UPS", "1Z999AA10123456784")
    assert session.foreign_requests() == []
