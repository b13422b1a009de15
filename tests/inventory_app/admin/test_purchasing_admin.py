"""Admin of purchasing, returns, reorder and cost reports: every write goes through the services."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from inventory_app.models import (
    MovementReason,
    PurchaseOrder,
    PurchaseOrderStatus,
    Receipt,
    ReturnStatus,
    StockLevel,
    StockMovement,
)
from inventory_app.services.orders import OrderInput, OrderLineInput, order_create, order_ship
from inventory_app.services.purchasing import (
    ChargeInput,
    PurchaseLineInput,
    landed_cost_add,
    purchase_order_create,
    purchase_order_receive,
    purchase_order_send,
    supplier_create,
    supplier_item_set,
)
from inventory_app.services.reorder import reorder_rule_set
from inventory_app.services.returns import ReturnLineInput, return_authorization_create
from inventory_app.services.stock import stock_receive
from tests.factories import LocationFactory, SalesChannelFactory, SKUFactory

pytestmark = pytest.mark.django_db

D = Decimal


def _action(client, model: str, action: str, pks: list[int]):
    return client.post(
        reverse(f"admin:inventory_app_{model}_changelist"),
        {"action": action, "_selected_action": pks},
        follow=True,
    )


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _empty(prefix: str) -> dict:
    return {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}


def test_add_a_draft_po_with_its_lines_through_the_service(admin_client_for):
    client = admin_client_for("operator")
    supplier, sku, loc = supplier_create(code="acme", name="Acme"), SKUFactory(), LocationFactory()

    response = client.post(
        reverse("admin:inventory_app_purchaseorder_add"),
        {
            "supplier": supplier.pk,
            "location": loc.pk,
            "exchange_rate": "1",
            "over_receipt_tolerance_percent": "0",
            "note": "",
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "0",
            "lines-0-sku": sku.pk,
            "lines-0-quantity_ordered": "6",
            "lines-0-unit_cost": "1.5000",
            **_empty("landed_costs"),
            **_empty("receipts"),
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    order = PurchaseOrder.objects.get()
    assert (order.number, order.status, order.location_id) == (f"PO-{order.pk:06d}", "draft", loc.pk)
    assert list(order.lines.values_list("sku_id", "quantity_ordered", "unit_cost")) == [
        (sku.pk, 6, D("1.5000"))
    ]


def test_send_receive_and_reverse_actions(admin_client_for):
    client = admin_client_for("operator")
    supplier, sku, loc = supplier_create(code="acme", name="Acme"), SKUFactory(), LocationFactory()
    order = purchase_order_create(
        supplier=supplier,
        location=loc,
        lines=[PurchaseLineInput(sku_id=sku.pk, quantity=4, unit_cost=D("2.00"))],
    )

    assert _messages(_action(client, "purchaseorder", "send", [order.pk])) == [f"{order.number} sent."]
    received = _action(client, "purchaseorder", "receive_open", [order.pk])

    assert _messages(received) == [f"{order.number} received."]
    assert StockLevel.objects.get(sku=sku, location=loc).on_hand == 4
    order.refresh_from_db()
    assert order.status == PurchaseOrderStatus.RECEIVED
    reversed_ = _action(client, "receipt", "reverse", [Receipt.objects.get().pk])
    assert _messages(reversed_) == [f"Receipt {Receipt.objects.get().pk} reversed."]
    assert StockLevel.objects.get(sku=sku, location=loc).on_hand == 0


def test_viewer_cannot_receive(admin_client_for):
    supplier, sku, loc = supplier_create(code="acme", name="Acme"), SKUFactory(), LocationFactory()
    order = purchase_order_create(
        supplier=supplier, location=loc, lines=[PurchaseLineInput(sku_id=sku.pk, quantity=4)]
    )
    purchase_order_send(purchase_order=order)

    _action(admin_client_for("viewer"), "purchaseorder", "receive_open", [order.pk])

    assert not StockMovement.objects.exists()


def test_cost_report_pages_and_csv(admin_client_for):
    client = admin_client_for("viewer")
    sku, loc = SKUFactory(code="MUG"), LocationFactory(code="MAIN")
    stock_receive(sku=sku, location=loc, quantity=4, unit_cost=D("2.50"))
    sale, _ = order_create(
        channel=SalesChannelFactory(code="shop"),
        data=OrderInput(external_ref="o1", lines=[OrderLineInput(sku_code="MUG", quantity=1)]),
    )
    order_ship(order=sale)
    url = reverse("admin:inventory_app_costreport_changelist")

    valuation = client.get(url)
    cogs_csv = client.get(url, {"report": "cogs", "export": "csv"})

    assert valuation.status_code == 200
    assert valuation.context["rows"] == [("MUG", "MAIN", 3, D("7.50"), D("2.5000"), "USD")]
    assert cogs_csv["Content-Type"].startswith("text/csv")
    assert cogs_csv.content.decode().splitlines()[1] == (
        f"{sku.pk},MUG,{loc.pk},MAIN,{sale.channel_id},shop,1,0,2.50,0.00,2.50,USD"
    )


def test_needs_reordering_page_drafts_purchase_orders(admin_client_for):
    client = admin_client_for("manager")
    supplier, sku, loc = supplier_create(code="acme", name="Acme"), SKUFactory(code="MUG"), LocationFactory()
    reorder_rule_set(sku=sku, location=loc, reorder_point=5, reorder_quantity=10, supplier=supplier)
    url = reverse("admin:inventory_app_reorderrule_needs")

    page = client.get(url)
    drafted = client.post(url, follow=True)

    assert [row[0] for row in page.context["rows"]] == ["MUG"]
    assert _messages(drafted) == ["1 draft purchase order(s) created."]
    assert PurchaseOrder.objects.get().lines.get().quantity_ordered == 10


def test_return_receive_restock_action(admin_client_for):
    sku, loc = SKUFactory(), LocationFactory(priority=1)
    stock_receive(sku=sku, location=loc, quantity=2, unit_cost=D("3.00"))
    sale, _ = order_create(
        channel=SalesChannelFactory(code="shop"),
        data=OrderInput(external_ref="o1", lines=[OrderLineInput(sku_code=sku.code, quantity=2)]),
    )
    order_ship(order=sale)
    rma = return_authorization_create(
        order=sale, lines=[ReturnLineInput(order_line_id=sale.lines.get().pk, quantity=2)]
    )

    response = _action(admin_client_for("operator"), "returnauthorization", "receive_restock", [rma.pk])

    assert _messages(response) == [f"{rma.number} received (restock)."]
    assert StockMovement.objects.get(reason=MovementReason.RETURN).value_delta == D("6.00")
    rma.refresh_from_db()
    assert rma.status == ReturnStatus.RECEIVED


@pytest.fixture
def purchasing_data():
    """One of each purchasing/returns row, so every page has something to show."""
    supplier, sku, loc = supplier_create(code="acme", name="Acme"), SKUFactory(), LocationFactory()
    item = supplier_item_set(supplier=supplier, sku=sku, unit_price=D("1.00"))
    order = purchase_order_create(
        supplier=supplier, location=loc, lines=[PurchaseLineInput(sku_id=sku.pk, quantity=3)]
    )
    charge = landed_cost_add(purchase_order=order, charge=ChargeInput(kind="freight", amount=D("1.00")))
    purchase_order_send(purchase_order=order)
    receipt = purchase_order_receive(purchase_order=order, location=loc, quantities={order.lines.get().pk: 3})
    rule = reorder_rule_set(sku=sku, location=loc, reorder_point=1, reorder_quantity=5)
    sale, _ = order_create(
        channel=SalesChannelFactory(code="shop"),
        data=OrderInput(external_ref="o1", lines=[OrderLineInput(sku_code=sku.code, quantity=1)]),
    )
    order_ship(order=sale)
    rma = return_authorization_create(
        order=sale, lines=[ReturnLineInput(order_line_id=sale.lines.get().pk, quantity=1)]
    )
    return {
        "supplier": supplier,
        "supplieritem": item,
        "purchaseorder": order,
        "landedcost": charge,
        "receipt": receipt,
        "reorderrule": rule,
        "returnauthorization": rma,
    }


@pytest.mark.parametrize(
    "model",
    [
        "supplier",
        "supplieritem",
        "purchaseorder",
        "landedcost",
        "receipt",
        "reorderrule",
        "returnauthorization",
    ],
)
def test_pages_load_for_superuser(superuser_client, purchasing_data, model):
    obj = purchasing_data[model]

    changelist = superuser_client.get(reverse(f"admin:inventory_app_{model}_changelist"))
    change = superuser_client.get(reverse(f"admin:inventory_app_{model}_change", args=[obj.pk]))

    assert (changelist.status_code, change.status_code) == (200, 200)
    assert changelist.context["cl"].result_count == 1


@pytest.mark.parametrize("model", ["supplier", "supplieritem", "purchaseorder", "landedcost", "reorderrule"])
def test_add_pages_load(superuser_client, model):
    assert superuser_client.get(reverse(f"admin:inventory_app_{model}_add")).status_code == 200
