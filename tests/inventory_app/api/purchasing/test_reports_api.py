"""REST: returns, reorder suggestions and cost reports (JSON and CSV)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from inventory_app.models import PurchaseOrder, StockMovement
from inventory_app.services.orders import OrderInput, OrderLineInput, order_create, order_ship
from inventory_app.services.purchasing import supplier_create, supplier_item_set
from inventory_app.services.stock import stock_receive
from tests.factories import LocationFactory, SalesChannelFactory, SKUFactory

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def sold():
    """5 units at 2.00 received, 3 shipped on one order (COGS 6.00)."""
    sku, loc = SKUFactory(code="MUG"), LocationFactory(code="MAIN")
    stock_receive(sku=sku, location=loc, quantity=5, unit_cost=D("2.00"))
    order, _ = order_create(
        channel=SalesChannelFactory(code="shop"),
        data=OrderInput(external_ref="o1", lines=[OrderLineInput(sku_code=sku.code, quantity=3)]),
    )
    order_ship(order=order)
    return sku, loc, order


def test_return_authorisation_and_receipt_over_rest(api_client, sold):
    _, loc, order = sold
    operator = api_client("operator")
    line = order.lines.get()

    rma = operator.post(
        "/api/v1/returns/",
        {"order": order.pk, "lines": [{"order_line": line.pk, "quantity": 1, "reason": "unwanted"}]},
    )
    assert rma.status_code == 201, rma.content
    body = {
        "items": [
            {
                "line": rma.json()["lines"][0]["id"],
                "quantity": 1,
                "disposition": "restock",
                "location": loc.pk,
            }
        ]
    }
    received = operator.post(f"/api/v1/returns/{rma.json()['id']}/receive/", body, HTTP_IDEMPOTENCY_KEY="r1")
    replay = operator.post(f"/api/v1/returns/{rma.json()['id']}/receive/", body, HTTP_IDEMPOTENCY_KEY="r1")

    assert (received.status_code, replay.status_code) == (201, 200)
    assert received.json()["status"] == "received"
    assert StockMovement.objects.get(reason="return").value_delta == D("2.00")
    cogs = api_client("viewer").get(f"/api/v1/reports/orders/{order.pk}/cogs").json()
    assert cogs["cogs"] == "4.00"  # 6.00 shipped - 2.00 returned


@pytest.mark.embedded
def test_cogs_and_valuation_reports_json_and_csv(api_client, sold):
    sku, loc, _ = sold
    viewer = api_client("viewer")

    cogs = viewer.get("/api/v1/reports/cogs/").json()
    valuation = viewer.get("/api/v1/reports/valuation/").json()
    csv_response = viewer.get("/api/v1/reports/valuation/?export=csv")

    assert [(r["sku_code"], r["channel_code"], r["cogs"]) for r in cogs] == [("MUG", "shop", "6.00")]
    assert [(r["location_code"], r["quantity"], r["value"]) for r in valuation] == [("MAIN", 2, "4.00")]
    assert csv_response["Content-Type"].startswith("text/csv")
    assert csv_response.content.decode().splitlines()[1] == f"{sku.pk},MUG,{loc.pk},MAIN,2,4.00,2.0000,USD"


def test_reorder_rule_suggestion_and_draft_orders_over_rest(api_client, sold):
    sku, loc, _ = sold
    supplier = supplier_create(code="acme", name="Acme", lead_time_days=10)
    supplier_item_set(supplier=supplier, sku=sku, unit_price=D("1.7500"), is_preferred=True)
    manager = api_client("manager")
    rule = manager.post(
        "/api/v1/reorder-rules/",
        {"sku": sku.pk, "location": loc.pk, "reorder_point": 3, "reorder_quantity": 12},
    )
    assert rule.status_code == 201, rule.content

    [suggestion] = manager.get("/api/v1/reorder-suggestions/?days=30").json()
    drafted = manager.post("/api/v1/reorder-suggestions/?days=30")

    # available 2; velocity 3 / 30 = 0.1 a day x 10 days = 1 unit; 2 - 1 = 1 <= 3 -> order max(12, 3 + 1 - 2)
    assert (suggestion["available"], suggestion["lead_time_demand"], suggestion["suggested_quantity"]) == (
        2,
        1,
        12,
    )
    assert drafted.status_code == 201
    assert drafted.json()[0]["lines"][0]["quantity_ordered"] == 12
    assert PurchaseOrder.objects.get().status == "draft"
