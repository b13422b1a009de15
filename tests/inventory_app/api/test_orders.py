"""Order endpoints (create idempotently, 409 on shortage, cancel, ship, link) and sales channels."""

from __future__ import annotations

import pytest

from inventory_app.models import Allocation, Order, OrderLine, StockMovement, StockOperation
from inventory_app.services.stock import stock_receive
from tests.factories import KitComponentFactory, KitFactory, LocationFactory, SalesChannelFactory, SKUFactory
from tests.helpers import field_errors, problem, stock_level

pytestmark = pytest.mark.django_db


@pytest.fixture
def stocked():
    loc = LocationFactory(code="MAIN")
    cup, plate = SKUFactory(code="CUP"), SKUFactory(code="PLATE")
    stock_receive(sku=cup, location=loc, quantity=10)
    stock_receive(sku=plate, location=loc, quantity=4)
    return loc, cup, plate


def _order_payload(ref="WEB-1", **extra):
    return {
        "external_ref": ref,
        "customer_name": "Ada",
        "lines": [
            {"sku": "CUP", "quantity": 3, "unit_price": "4.00"},
            {"sku": "PLATE", "quantity": 1},
        ],
        **extra,
    }


def test_create_order_reserves_stock_and_answers_201_with_lines_and_allocations(api_client, stocked):
    loc, cup, plate = stocked

    response = api_client("operator").post("/api/v1/orders/", _order_payload(), format="json")

    assert response.status_code == 201
    order = Order.objects.get()
    body = response.json()
    assert (body["id"], body["channel"], body["external_ref"], body["status"]) == (
        order.pk,
        "manual",
        "WEB-1",
        "open",
    )
    assert body["needs_attention"] is False
    cup_line, plate_line = OrderLine.objects.order_by("pk")
    assert [
        (line["id"], line["sku_code"], line["quantity"], line["quantity_open"], line["unit_price"])
        for line in body["lines"]
    ] == [(cup_line.pk, "CUP", 3, 3, "4.00"), (plate_line.pk, "PLATE", 1, 1, "0.00")]
    assert body["lines"][0]["allocations"] == [
        {
            "id": Allocation.objects.get(line=cup_line).pk,
            "sku": cup.pk,
            "sku_code": "CUP",
            "location": loc.pk,
            "location_code": "MAIN",
            "quantity": 3,
            "quantity_shipped": 0,
        }
    ]
    assert stock_level(cup, loc) == (10, 3)
    assert stock_level(plate, loc) == (4, 1)


def test_create_same_order_twice_gives_one_order_and_one_reservation(api_client, stocked):
    loc, cup, _ = stocked
    operator = api_client("operator")

    first = operator.post("/api/v1/orders/", _order_payload(), format="json")
    second = operator.post("/api/v1/orders/", _order_payload(customer_name="Someone else"), format="json")

    assert (first.status_code, second.status_code) == (201, 200)
    assert second["Idempotent-Replayed"] == "true"
    assert second.json()["id"] == first.json()["id"]
    assert second.json()["customer_name"] == "Ada"
    assert Order.objects.count() == 1
    assert StockOperation.objects.filter(reason="reserve").count() == 1
    assert stock_level(cup, loc) == (10, 3)


def test_same_external_ref_on_another_channel_is_another_order(api_client, stocked):
    SalesChannelFactory(code="shop")
    operator = api_client("operator")

    operator.post("/api/v1/orders/", _order_payload(), format="json")
    other = operator.post("/api/v1/orders/", _order_payload(channel="shop"), format="json")

    assert other.status_code == 201
    assert other.json()["channel"] == "shop"
    assert sorted(Order.objects.values_list("channel__code", flat=True)) == ["manual", "shop"]


def test_insufficient_stock_is_409_with_shortfalls_and_creates_nothing(api_client, stocked):
    loc, cup, plate = stocked
    payload = {
        "external_ref": "BIG",
        "lines": [{"sku": "CUP", "quantity": 12}, {"sku": "PLATE", "quantity": 1}],
    }
    movements_before = StockMovement.objects.count()

    response = api_client("operator").post("/api/v1/orders/", payload, format="json")

    assert response.status_code == 409
    assert problem(response) == {
        "code": "insufficient_stock",
        "detail": "Insufficient stock: CUP@MAIN needs 12, has 10",
        "shortfalls": [
            {
                "sku_id": cup.pk,
                "sku_code": "CUP",
                "location_id": loc.pk,
                "location_code": "MAIN",
                "requested": 12,
                "available": 10,
                "missing": 2,
            }
        ],
    }
    assert Order.objects.count() == 0
    assert OrderLine.objects.count() == 0
    assert StockMovement.objects.count() == movements_before
    assert stock_level(cup, loc) == (10, 0)
    assert stock_level(plate, loc) == (4, 0)


def test_create_order_validation_errors(api_client, stocked):
    operator = api_client("operator")

    no_lines = operator.post("/api/v1/orders/", {"external_ref": "X", "lines": []}, format="json")
    bad = operator.post(
        "/api/v1/orders/",
        {"channel": "nope", "lines": [{"sku": "CUP", "quantity": 0}], "customer_email": "not-mail"},
        format="json",
    )

    assert no_lines.status_code == 400
    assert field_errors(no_lines) == {"lines.non_field_errors": ["This list may not be empty."]}
    assert bad.status_code == 400
    assert field_errors(bad) == {
        "channel": ["Object with code=nope does not exist."],
        "external_ref": ["This field is required."],
        "lines.0.quantity": ["Ensure this value is greater than or equal to 1."],
        "customer_email": ["Enter a valid email address."],
    }
    assert Order.objects.count() == 0


def test_viewer_cannot_create_orders(api_client, stocked):
    response = api_client("viewer").post("/api/v1/orders/", _order_payload(), format="json")

    assert response.status_code == 403
    assert Order.objects.count() == 0


def test_unknown_sku_line_is_flagged_then_linked(api_client, stocked):
    loc, cup, _ = stocked
    operator = api_client("operator")
    created = operator.post(
        "/api/v1/orders/",
        {"external_ref": "U-1", "lines": [{"sku": "MYSTERY", "quantity": 2}]},
        format="json",
    )
    assert created.status_code == 201
    assert created.json()["needs_attention"] is True
    assert created.json()["attention_reason"] == "Unknown SKU(s): MYSTERY"
    order_id, line_id = created.json()["id"], created.json()["lines"][0]["id"]
    assert created.json()["lines"][0]["sku"] is None

    linked = operator.post(f"/api/v1/orders/{order_id}/lines/{line_id}/link", {"sku": "CUP"}, format="json")

    assert linked.status_code == 200
    assert linked.json()["needs_attention"] is False
    assert linked.json()["lines"][0]["sku_code"] == "CUP"
    assert [a["quantity"] for a in linked.json()["lines"][0]["allocations"]] == [2]
    assert stock_level(cup, loc) == (10, 2)

    again = operator.post(f"/api/v1/orders/{order_id}/lines/{line_id}/link", {"sku": "CUP"}, format="json")
    assert again.status_code == 409
    assert problem(again) == {"code": "order_conflict", "detail": f"Line {line_id} already has SKU CUP"}
    assert stock_level(cup, loc) == (10, 2)


def test_link_errors(api_client, stocked):
    loc, cup, _ = stocked
    operator = api_client("operator")
    body = operator.post(
        "/api/v1/orders/",
        {"external_ref": "U-2", "lines": [{"sku": "MYSTERY", "quantity": 20}]},
        format="json",
    ).json()
    order_id, line_id = body["id"], body["lines"][0]["id"]

    missing_line = operator.post(
        f"/api/v1/orders/{order_id}/lines/999999/link", {"sku": "CUP"}, format="json"
    )
    unknown_sku = operator.post(
        f"/api/v1/orders/{order_id}/lines/{line_id}/link", {"sku": "NOPE"}, format="json"
    )
    short = operator.post(f"/api/v1/orders/{order_id}/lines/{line_id}/link", {"sku": "CUP"}, format="json")

    assert missing_line.status_code == 404
    assert (unknown_sku.status_code, field_errors(unknown_sku)) == (
        400,
        {"sku": ["No SKU with code 'NOPE'."]},
    )
    assert short.status_code == 409
    assert short.json()["shortfalls"][0]["missing"] == 10
    assert OrderLine.objects.get(pk=line_id).sku_id is None
    assert stock_level(cup, loc) == (10, 0)


def test_cancel_releases_reservations_and_is_repeatable(api_client, stocked):
    loc, cup, plate = stocked
    operator = api_client("operator")
    order_id = operator.post("/api/v1/orders/", _order_payload(), format="json").json()["id"]

    cancelled = operator.post(
        f"/api/v1/orders/{order_id}/cancel", {"reason": "customer asked"}, format="json"
    )
    again = operator.post(f"/api/v1/orders/{order_id}/cancel/", {}, format="json")

    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["note"] == "Cancelled: customer asked"
    assert [line["quantity_cancelled"] for line in cancelled.json()["lines"]] == [3, 1]
    assert again.status_code == 200
    assert StockOperation.objects.filter(reason="release").count() == 1
    assert stock_level(cup, loc) == (10, 0)
    assert stock_level(plate, loc) == (4, 0)


def test_ship_partial_then_rest_with_idempotent_replay(api_client, stocked):
    loc, cup, plate = stocked
    operator = api_client("operator")
    order = operator.post("/api/v1/orders/", _order_payload(), format="json").json()
    cup_line = order["lines"][0]["id"]

    partial = operator.post(
        f"/api/v1/orders/{order['id']}/ship",
        {"lines": [{"line": cup_line, "quantity": 2}], "reference": "PKG-1"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="ship-1",
    )
    replay = operator.post(
        f"/api/v1/orders/{order['id']}/ship",
        {"lines": [{"line": cup_line, "quantity": 2}], "reference": "PKG-1"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="ship-1",
    )

    assert (partial.status_code, replay.status_code) == (201, 200)
    assert replay["Idempotent-Replayed"] == "true"
    assert replay.json()["operation"] == partial.json()["operation"]
    assert partial.json()["order"]["status"] == "partially_shipped"
    assert partial.json()["operation"]["reference"] == "PKG-1"
    assert [
        (m["sku_code"], m["on_hand_delta"], m["committed_delta"])
        for m in partial.json()["operation"]["movements"]
    ] == [("CUP", -2, -2)]
    assert stock_level(cup, loc) == (8, 1)
    assert StockOperation.objects.filter(reason="shipment").count() == 1

    rest = operator.post(
        f"/api/v1/orders/{order['id']}/ship", {}, format="json", HTTP_IDEMPOTENCY_KEY="ship-2"
    )
    rest_replay = operator.post(
        f"/api/v1/orders/{order['id']}/ship", {}, format="json", HTTP_IDEMPOTENCY_KEY="ship-2"
    )

    assert (rest.status_code, rest_replay.status_code) == (201, 200)
    assert rest.json()["order"]["status"] == "shipped"
    assert rest_replay.json()["operation"]["id"] == rest.json()["operation"]["id"]
    assert stock_level(cup, loc) == (7, 0)
    assert stock_level(plate, loc) == (3, 0)
    assert StockOperation.objects.filter(reason="shipment").count() == 2


def test_ship_errors_are_400_or_409_and_ship_nothing(api_client, stocked):
    loc, cup, _ = stocked
    operator = api_client("operator")
    order = operator.post("/api/v1/orders/", _order_payload(), format="json").json()
    cup_line = order["lines"][0]["id"]
    url = f"/api/v1/orders/{order['id']}/ship"

    too_many = operator.post(url, {"lines": [{"line": cup_line, "quantity": 4}]}, format="json")
    duplicate = operator.post(
        url, {"lines": [{"line": cup_line, "quantity": 1}, {"line": cup_line, "quantity": 1}]}, format="json"
    )
    foreign = operator.post(url, {"lines": [{"line": 999999, "quantity": 1}]}, format="json")
    viewer = api_client("viewer").post(url, {}, format="json")

    assert (too_many.status_code, problem(too_many)) == (
        409,
        {"code": "order_conflict", "detail": f"Line {cup_line}: can ship 1 to 3 units, not 4"},
    )
    assert (duplicate.status_code, field_errors(duplicate)) == (
        400,
        {"lines": ["Each line may appear once."]},
    )
    assert (foreign.status_code, problem(foreign)) == (
        409,
        {"code": "order_conflict", "detail": "Line 999999 is not on this order"},
    )
    assert viewer.status_code == 403
    assert StockOperation.objects.filter(reason="shipment").count() == 0
    assert stock_level(cup, loc) == (10, 3)

    operator.post(f"/api/v1/orders/{order['id']}/cancel", {}, format="json")
    cancelled = operator.post(url, {}, format="json")
    assert (cancelled.status_code, cancelled.json()["detail"]) == (409, "A cancelled order cannot be shipped")


def test_kit_order_ships_its_components(api_client, stocked):
    loc, cup, plate = stocked
    kit = KitFactory(code="SET")
    KitComponentFactory(kit=kit, component=cup, quantity=2)
    KitComponentFactory(kit=kit, component=plate, quantity=1)
    operator = api_client("operator")

    order = operator.post(
        "/api/v1/orders/", {"external_ref": "K", "lines": [{"sku": "SET", "quantity": 2}]}, format="json"
    ).json()
    assert sorted((a["sku_code"], a["quantity"]) for a in order["lines"][0]["allocations"]) == [
        ("CUP", 4),
        ("PLATE", 2),
    ]

    shipped = operator.post(f"/api/v1/orders/{order['id']}/ship", {}, format="json")

    assert shipped.status_code == 201
    assert stock_level(cup, loc) == (6, 0)
    assert stock_level(plate, loc) == (2, 0)


def test_order_list_filters_and_detail(api_client, stocked):
    shop = SalesChannelFactory(code="shop")
    operator = api_client("operator")
    a = operator.post("/api/v1/orders/", _order_payload("A"), format="json").json()
    b = operator.post("/api/v1/orders/", _order_payload("B", channel="shop"), format="json").json()
    c = operator.post(
        "/api/v1/orders/", {"external_ref": "C", "lines": [{"sku": "MYSTERY", "quantity": 1}]}, format="json"
    ).json()
    operator.post(f"/api/v1/orders/{a['id']}/cancel", {}, format="json")
    viewer = api_client("viewer")

    def ids(**params):
        response = viewer.get("/api/v1/orders/", params)
        assert response.status_code == 200, response.json()
        return [row["id"] for row in response.json()["results"]]

    assert ids() == [b["id"], c["id"], a["id"]]  # oldest change first: A was cancelled last
    assert ids(status="cancelled") == [a["id"]]
    assert ids(channel=shop.code) == [b["id"]]
    assert ids(needs_attention="true") == [c["id"]]
    assert ids(external_ref="B") == [b["id"]]
    assert ids(created_after="2000-01-01T00:00:00Z", ordering="id") == [a["id"], b["id"], c["id"]]
    assert ids(created_before="2000-01-01T00:00:00Z") == []
    assert "lines" not in viewer.get("/api/v1/orders/").json()["results"][0]
    assert [line["sku_code"] for line in viewer.get(f"/api/v1/orders/{b['id']}/").json()["lines"]] == [
        "CUP",
        "PLATE",
    ]
    assert viewer.get("/api/v1/orders/999999/").status_code == 404


def test_ship_records_carrier_and_tracking_and_refuses_bad_tracking_shipping_nothing(api_client, stocked):
    loc, cup, _ = stocked
    operator = api_client("operator")
    order = operator.post("/api/v1/orders/", _order_payload(), format="json").json()
    url = f"/api/v1/orders/{order['id']}/ship"

    no_carrier = operator.post(url, {"tracking_number": "1Z999"}, format="json")
    bad_url = operator.post(url, {"carrier": "UPS", "tracking_url": "javascript:alert(1)"}, format="json")
    level_after_refusals = stock_level(cup, loc)
    shipped = operator.post(
        url,
        {"carrier": "UPS", "tracking_number": "1Z 999 AA1", "tracking_url": "https://www.ups.com/track?n=1"},
        format="json",
    )

    assert (no_carrier.status_code, field_errors(no_carrier)) == (
        400,
        {"tracking_number": ["Tracking number given without a carrier: say which carrier it belongs to"]},
    )
    assert (bad_url.status_code, field_errors(bad_url)) == (
        400,
        {"tracking_number": ["Tracking URL: not an http(s) URL"]},
    )
    assert level_after_refusals == (10, 3)
    assert shipped.status_code == 201
    shipment = Order.objects.get().shipments.get()
    assert shipped.json()["shipment"] == {
        "id": shipment.pk,
        "quantities": {str(line["id"]): line["quantity"] for line in order["lines"]},
        "carrier": "UPS",
        "tracking_number": "1Z999AA1",
        "tracking_url": "https://www.ups.com/track?n=1",
        "created_at": shipped.json()["shipment"]["created_at"],
    }
    assert StockOperation.objects.filter(reason="shipment").count() == 1


def test_an_order_without_totals_gets_them_from_its_lines_and_wrong_totals_are_refused(api_client, stocked):
    loc, cup, _ = stocked
    operator = api_client("operator")
    line = {"sku": "CUP", "quantity": 2, "unit_price": "19.00"}

    computed = operator.post("/api/v1/orders/", {"external_ref": "T-1", "lines": [line]}, format="json")
    with_costs = operator.post(
        "/api/v1/orders/",
        {
            "external_ref": "T-2",
            "lines": [line],
            "shipping_total": "5.00",
            "tax_total": "3.04",
            "discount_total": "1",
        },
        format="json",
    )
    tax_included = operator.post(
        "/api/v1/orders/",
        {"external_ref": "T-3", "lines": [line], "tax_total": "6.33", "total": "38.00"},
        format="json",
    )
    wrong_total = operator.post(
        "/api/v1/orders/", {"external_ref": "T-4", "lines": [line], "total": "0.00"}, format="json"
    )
    wrong_subtotal = operator.post(
        "/api/v1/orders/", {"external_ref": "T-5", "lines": [line], "subtotal": "19.00"}, format="json"
    )

    assert (computed.status_code, computed.json()["subtotal"], computed.json()["total"]) == (
        201,
        "38.00",
        "38.00",
    )
    assert (with_costs.json()["subtotal"], with_costs.json()["total"]) == ("38.00", "45.04")
    assert tax_included.json()["total"] == "38.00"
    assert (wrong_total.status_code, field_errors(wrong_total)) == (
        400,
        {
            "total": [
                "subtotal + shipping_total + tax_total - discount_total is 38.00"
                " (or 38.00 for prices that include tax), not 0.00."
            ]
        },
    )
    assert (wrong_subtotal.status_code, field_errors(wrong_subtotal)) == (
        400,
        {"subtotal": ["The lines add up to 38.00, not 19.00."]},
    )
    assert sorted(Order.objects.values_list("external_ref", flat=True)) == ["T-1", "T-2", "T-3"]
    assert stock_level(cup, loc) == (10, 6)
