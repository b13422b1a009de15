"""Purchasing as pages: send a draft, receive line by line with partial quantities, one receipt per page."""

from __future__ import annotations

import pytest

from inventory_app.models import PurchaseOrder, Receipt, StockLevel
from inventory_app.services.purchasing import PurchaseLineInput, purchase_order_create, supplier_create
from tests.factories import LocationFactory, SKUFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft() -> PurchaseOrder:
    location = LocationFactory(code="DOCK")
    tee, mug = SKUFactory(code="TEE", barcode="111"), SKUFactory(code="MUG", barcode="222")
    return purchase_order_create(
        supplier=supplier_create(code="acme", name="Acme"),
        location=location,
        lines=[PurchaseLineInput(sku_id=tee.pk, quantity=10), PurchaseLineInput(sku_id=mug.pk, quantity=4)],
    )


def _form(client, order) -> tuple[str, dict[str, int]]:
    response = client.get(f"/admin/inventory_app/purchaseorder/{order.pk}/receive/")
    lines = {line.sku.code: line.pk for line in order.lines.select_related("sku")}
    return str(response.context["token"]), lines


def test_send_from_the_order_page_then_receive_part_of_it(admin_client_for, draft):
    client = admin_client_for("operator")
    page = client.get(f"/admin/inventory_app/purchaseorder/{draft.pk}/change/").content.decode()
    client.post(f"/admin/inventory_app/purchaseorder/{draft.pk}/send/")
    token, lines = _form(client, draft)

    response = client.post(
        f"/admin/inventory_app/purchaseorder/{draft.pk}/receive/",
        {
            "token": token,
            "location": draft.location_id,
            f"qty-{lines['TEE']}": "6",
            f"qty-{lines['MUG']}": "0",
        },
        follow=True,
    )

    draft.refresh_from_db()
    assert 'id="po-send"' in page
    assert draft.status == "partially_received"
    assert StockLevel.objects.get(sku__code="TEE").on_hand == 6
    assert not StockLevel.objects.filter(sku__code="MUG").exists()
    assert f"{draft.number}: 6 unit(s) received into DOCK" in response.content.decode()


def test_a_resubmitted_page_receives_nothing_twice(admin_client_for, draft):
    client = admin_client_for("operator")
    client.post(f"/admin/inventory_app/purchaseorder/{draft.pk}/send/")
    token, lines = _form(client, draft)
    data = {"token": token, "location": draft.location_id, f"qty-{lines['MUG']}": "2"}

    client.post(f"/admin/inventory_app/purchaseorder/{draft.pk}/receive/", data)
    client.post(f"/admin/inventory_app/purchaseorder/{draft.pk}/receive/", data)

    assert Receipt.objects.count() == 1
    assert StockLevel.objects.get(sku__code="MUG").on_hand == 2


@pytest.mark.parametrize(
    ("quantity", "message"),
    [("-1", "a quantity cannot be negative"), ("two", "is not a whole number"), ("0", "at least one unit"),
     ("99", "Nothing was received:")],
)  # fmt: skip
def test_bad_quantities_are_refused_and_change_nothing(admin_client_for, draft, quantity, message):
    client = admin_client_for("operator")
    client.post(f"/admin/inventory_app/purchaseorder/{draft.pk}/send/")
    token, lines = _form(client, draft)

    response = client.post(
        f"/admin/inventory_app/purchaseorder/{draft.pk}/receive/",
        {"token": token, "location": draft.location_id, f"qty-{lines['TEE']}": quantity},
        follow=True,
    )

    assert message in response.content.decode()
    assert not Receipt.objects.exists() and not StockLevel.objects.exists()


def test_a_viewer_sees_the_page_but_cannot_send_or_receive(admin_client_for, draft):
    client = admin_client_for("viewer")

    page = client.get(f"/admin/inventory_app/purchaseorder/{draft.pk}/receive/")
    sent = client.post(f"/admin/inventory_app/purchaseorder/{draft.pk}/send/")

    draft.refresh_from_db()
    assert page.status_code == 200 and 'id="scan"' not in page.content.decode()
    assert sent.status_code == 403 and draft.status == "draft"


def test_a_draft_cannot_be_received_yet(admin_client_for, draft):
    client = admin_client_for("operator")

    page = client.get(f"/admin/inventory_app/purchaseorder/{draft.pk}/receive/").content.decode()

    assert "send it first" in page and 'id="receive-submit"' not in page
