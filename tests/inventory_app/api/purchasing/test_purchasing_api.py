"""REST: suppliers, purchase orders, receiving with landed costs and idempotency, reversal."""

from __future__ import annotations

from decimal import Decimal

import pytest

from inventory_app.models import PurchaseOrder, PurchaseOrderStatus, Receipt, StockLevel, StockMovement
from tests.factories import LocationFactory, SKUFactory

pytestmark = pytest.mark.django_db

D = Decimal


def _draft(client, sku, supplier_id, quantity=10, unit_cost="2.0000"):
    response = client.post(
        "/api/v1/purchase-orders/",
        {"supplier": supplier_id, "lines": [{"sku": sku.pk, "quantity": quantity, "unit_cost": unit_cost}]},
    )
    assert response.status_code == 201, response.content
    return response.json()


def test_supplier_creation_needs_the_manager_role(api_client):
    body = {"code": "acme", "name": "Acme", "currency": "EUR", "lead_time_days": 9}

    assert api_client("operator").post("/api/v1/suppliers/", body).status_code == 403
    response = api_client("manager").post("/api/v1/suppliers/", body)

    assert response.status_code == 201
    assert (response.json()["code"], response.json()["lead_time_days"]) == ("acme", 9)
    assert len(api_client("viewer").get("/api/v1/suppliers/").json()["results"]) == 1


def test_receive_with_a_freight_charge_and_replay_by_idempotency_key(api_client):
    manager, operator = api_client("manager"), api_client("operator")
    sku, loc = SKUFactory(), LocationFactory()
    supplier = manager.post("/api/v1/suppliers/", {"code": "acme", "name": "Acme"}).json()
    order = _draft(operator, sku, supplier["id"], quantity=10, unit_cost="2.0000")
    assert operator.post(f"/api/v1/purchase-orders/{order['id']}/send/").json()["status"] == "sent"
    body = {
        "location": loc.pk,
        "lines": [{"line": order["lines"][0]["id"], "quantity": 4}],
        "charges": [{"kind": "freight", "amount": "1.00", "basis": "quantity"}],
    }

    first = operator.post(
        f"/api/v1/purchase-orders/{order['id']}/receive/", body, HTTP_IDEMPOTENCY_KEY="dn-1"
    )
    again = operator.post(
        f"/api/v1/purchase-orders/{order['id']}/receive/", body, HTTP_IDEMPOTENCY_KEY="dn-1"
    )

    # 4 x 2.00 = 8.00 + freight 1.00 = 9.00 -> 2.2500 a unit
    assert first.status_code == 201, first.content
    assert (again.status_code, again.headers["Idempotent-Replayed"]) == (200, "true")
    assert again.json()["id"] == first.json()["id"]
    line = first.json()["lines"][0]
    assert (line["value"], line["unit_cost"]) == ("9.00", "2.2500")
    assert StockLevel.objects.get(sku=sku, location=loc).on_hand == 4
    assert PurchaseOrder.objects.get(pk=order["id"]).status == PurchaseOrderStatus.PARTIALLY_RECEIVED
    incoming = api_client("viewer").get(f"/api/v1/incoming/?sku={sku.pk}").json()
    assert incoming == [{"sku": sku.pk, "sku_code": sku.code, "incoming": 6}]


def test_over_receipt_is_a_400_and_changes_nothing(api_client):
    manager, operator = api_client("manager"), api_client("operator")
    sku, loc = SKUFactory(), LocationFactory()
    supplier = manager.post("/api/v1/suppliers/", {"code": "acme", "name": "Acme"}).json()
    order = _draft(operator, sku, supplier["id"], quantity=2)
    operator.post(f"/api/v1/purchase-orders/{order['id']}/send/")

    response = operator.post(
        f"/api/v1/purchase-orders/{order['id']}/receive/",
        {"location": loc.pk, "lines": [{"line": order["lines"][0]["id"], "quantity": 3}]},
    )

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_operation"
    assert not StockMovement.objects.exists()


def test_reverse_a_receipt(api_client):
    manager, operator = api_client("manager"), api_client("operator")
    sku, loc = SKUFactory(), LocationFactory()
    supplier = manager.post("/api/v1/suppliers/", {"code": "acme", "name": "Acme"}).json()
    order = _draft(operator, sku, supplier["id"], quantity=2)
    operator.post(f"/api/v1/purchase-orders/{order['id']}/send/")
    receipt = operator.post(
        f"/api/v1/purchase-orders/{order['id']}/receive/",
        {"location": loc.pk, "lines": [{"line": order["lines"][0]["id"], "quantity": 2}]},
    ).json()

    assert api_client("viewer").post(f"/api/v1/receipts/{receipt['id']}/reverse/").status_code == 403
    response = operator.post(f"/api/v1/receipts/{receipt['id']}/reverse/")

    assert response.status_code == 200
    assert response.json()["is_reversed"] is True
    assert StockLevel.objects.get(sku=sku, location=loc).on_hand == 0
    assert Receipt.objects.get().reversal_operation_id is not None
