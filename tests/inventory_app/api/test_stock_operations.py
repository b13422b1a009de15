"""Stock operations (receive, adjust, count, transfer, return) and their idempotency."""

from __future__ import annotations

from decimal import Decimal

import pytest

from inventory_app.models import StockLevel, StockMovement, StockOperation
from inventory_app.services.stock import stock_receive
from tests.factories import KitFactory, LocationFactory, SKUFactory
from tests.helpers import field_errors, problem, stock_level

pytestmark = pytest.mark.django_db


def test_receive_by_codes_answers_201_with_operation_movements_and_levels(api_client):
    sku, loc = SKUFactory(code="CUP"), LocationFactory(code="MAIN")
    operator = api_client("operator")

    response = operator.post(
        "/api/v1/stock/receive",
        {
            "sku": "CUP",
            "location": "MAIN",
            "quantity": 12,
            "unit_cost": "1.5",
            "reference": "PO-7",
            "note": "ok",
        },
        format="json",
    )

    assert response.status_code == 201
    assert response["Idempotent-Replayed"] == "false"
    operation = StockOperation.objects.get()
    movement = StockMovement.objects.get()
    level = StockLevel.objects.get()
    body = response.json()
    assert body["replayed"] is False
    assert body["operation"] == {
        "id": operation.pk,
        "uid": str(operation.uid),
        "reason": "receipt",
        "reason_detail": "",
        "reference": "PO-7",
        "note": "ok",
        "user": operator.user.username,
        "idempotent": False,
        "created_at": body["operation"]["created_at"],
        "movements": [
            {
                "id": movement.pk,
                "operation": operation.pk,
                "sku": sku.pk,
                "sku_code": "CUP",
                "location": loc.pk,
                "location_code": "MAIN",
                "reason": "receipt",
                "on_hand_delta": 12,
                "committed_delta": 0,
                "on_hand_after": 12,
                "committed_after": 0,
                "unit_cost": "1.5000",
                "order_line": None,
                "created_at": body["operation"]["movements"][0]["created_at"],
            }
        ],
    }
    assert body["levels"] == [
        {
            "id": level.pk,
            "sku": sku.pk,
            "sku_code": "CUP",
            "location": loc.pk,
            "location_code": "MAIN",
            "on_hand": 12,
            "committed": 0,
            "available": 12,
            "allow_backorder": False,
            "updated_at": body["levels"][0]["updated_at"],
        }
    ]
    assert operation.user == operator.user


def test_receive_by_ids_with_trailing_slash(api_client):
    sku, loc = SKUFactory(), LocationFactory()

    response = api_client("operator").post(
        "/api/v1/stock/receive/", {"sku": sku.pk, "location": loc.pk, "quantity": 3}, format="json"
    )

    assert response.status_code == 201
    assert stock_level(sku, loc) == (3, 0)
    # Unit cost defaults to the SKU's.
    assert StockMovement.objects.get().unit_cost == Decimal("2.5000")


def test_receive_idempotency_key_replays_first_result_and_moves_stock_once(api_client):
    sku, loc = SKUFactory(code="CUP"), LocationFactory(code="MAIN")
    operator = api_client("operator")
    payload = {"sku": "CUP", "location": "MAIN", "quantity": 5}

    first = operator.post("/api/v1/stock/receive", payload, format="json", HTTP_IDEMPOTENCY_KEY="rcv-1")
    again = operator.post("/api/v1/stock/receive", payload, format="json", HTTP_IDEMPOTENCY_KEY="rcv-1")

    assert (first.status_code, again.status_code) == (201, 200)
    assert (first["Idempotent-Replayed"], again["Idempotent-Replayed"]) == ("false", "true")
    assert again.json()["replayed"] is True
    assert again.json()["operation"] == first.json()["operation"]
    assert first.json()["operation"]["idempotent"] is True
    assert StockOperation.objects.count() == 1
    assert StockMovement.objects.count() == 1
    assert stock_level(sku, loc) == (5, 0)


def test_idempotency_keys_are_scoped_per_user_and_operation(api_client):
    sku, a, b = SKUFactory(code="CUP"), LocationFactory(code="A"), LocationFactory(code="B")
    one, two = api_client("operator"), api_client("operator")

    one.post(
        "/api/v1/stock/receive",
        {"sku": "CUP", "location": "A", "quantity": 5},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k",
    )
    other_user = two.post(
        "/api/v1/stock/receive",
        {"sku": "CUP", "location": "A", "quantity": 1},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k",
    )
    other_kind = one.post(
        "/api/v1/stock/transfer",
        {"sku": "CUP", "from_location": "A", "to_location": "B", "quantity": 2},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k",
    )

    assert (other_user.status_code, other_kind.status_code) == (201, 201)
    assert stock_level(sku, a) == (4, 0)
    assert stock_level(sku, b) == (2, 0)
    assert StockOperation.objects.count() == 3


def test_idempotency_key_too_long_is_400_and_changes_nothing(api_client):
    sku, loc = SKUFactory(), LocationFactory()

    response = api_client("operator").post(
        "/api/v1/stock/receive",
        {"sku": sku.pk, "location": loc.pk, "quantity": 5},
        format="json",
        HTTP_IDEMPOTENCY_KEY="x" * 129,
    )

    assert response.status_code == 400
    assert field_errors(response) == {"Idempotency-Key": ["At most 128 printable characters."]}
    assert StockOperation.objects.count() == 0


def test_receive_field_errors_are_400_with_details(api_client):
    LocationFactory(code="MAIN")

    response = api_client("operator").post(
        "/api/v1/stock/receive", {"sku": "NOPE", "location": 999999, "quantity": 0}, format="json"
    )

    assert response.status_code == 400
    assert field_errors(response) == {
        "sku": ["No SKU with code 'NOPE'."],
        "location": ["No location with id 999999."],
        "quantity": ["Ensure this value is greater than or equal to 1."],
    }
    assert StockOperation.objects.count() == 0


def test_receiving_a_kit_is_400(api_client):
    kit, loc = KitFactory(code="SET"), LocationFactory()

    response = api_client("operator").post(
        "/api/v1/stock/receive", {"sku": "SET", "location": loc.pk, "quantity": 1}, format="json"
    )

    assert response.status_code == 400
    assert problem(response) == {
        "code": "invalid_operation",
        "detail": "Kits have no stock of their own: SET",
    }
    assert StockOperation.objects.count() == 0
    assert not StockLevel.objects.filter(sku=kit).exists()


def test_adjust_down_beyond_stock_is_409_with_exact_shortfall_and_no_movement(api_client):
    sku, loc = SKUFactory(code="CUP"), LocationFactory(code="MAIN")
    stock_receive(sku=sku, location=loc, quantity=3)

    response = api_client("operator").post(
        "/api/v1/stock/adjust",
        {"sku": "CUP", "location": "MAIN", "delta": -5, "reason": "damaged"},
        format="json",
    )

    assert response.status_code == 409
    assert problem(response) == {
        "code": "insufficient_stock",
        "detail": "Insufficient stock: CUP@MAIN needs 5, has 3",
        "shortfalls": [
            {
                "sku_id": sku.pk,
                "sku_code": "CUP",
                "location_id": loc.pk,
                "location_code": "MAIN",
                "requested": 5,
                "available": 3,
                "missing": 2,
            }
        ],
    }
    assert stock_level(sku, loc) == (3, 0)
    assert StockMovement.objects.count() == 1
    assert StockOperation.objects.filter(reason="adjustment").count() == 0


def test_adjust_records_reason_and_write_off(api_client):
    sku, loc = SKUFactory(code="CUP"), LocationFactory(code="MAIN")
    stock_receive(sku=sku, location=loc, quantity=10)
    operator = api_client("operator")

    lost = operator.post(
        "/api/v1/stock/adjust",
        {"sku": "CUP", "location": "MAIN", "delta": -2, "reason": "lost"},
        format="json",
    )
    written_off = operator.post(
        "/api/v1/stock/adjust",
        {"sku": "CUP", "location": "MAIN", "delta": -1, "reason": "write_off"},
        format="json",
    )
    zero = operator.post(
        "/api/v1/stock/adjust",
        {"sku": "CUP", "location": "MAIN", "delta": 0, "reason": "lost"},
        format="json",
    )
    bad_reason = operator.post(
        "/api/v1/stock/adjust",
        {"sku": "CUP", "location": "MAIN", "delta": 1, "reason": "magic"},
        format="json",
    )

    assert lost.status_code == 201
    assert (lost.json()["operation"]["reason"], lost.json()["operation"]["reason_detail"]) == (
        "adjustment",
        "lost",
    )
    assert written_off.json()["operation"]["reason"] == "write_off"
    assert (zero.status_code, field_errors(zero)) == (
        400,
        {"delta": ["An adjustment must change the quantity."]},
    )
    assert (bad_reason.status_code, field_errors(bad_reason)) == (
        400,
        {"reason": ['"magic" is not a valid choice.']},
    )
    assert stock_level(sku, loc) == (7, 0)


def test_count_sets_on_hand_and_records_difference(api_client):
    sku, loc = SKUFactory(code="CUP"), LocationFactory(code="MAIN")
    stock_receive(sku=sku, location=loc, quantity=10)

    response = api_client("operator").post(
        "/api/v1/stock/count",
        {"sku": "CUP", "location": "MAIN", "counted": 7, "reference": "CNT-1"},
        format="json",
    )

    assert response.status_code == 201
    movement = response.json()["operation"]["movements"][0]
    assert (movement["on_hand_delta"], movement["on_hand_after"], movement["reason"]) == (-3, 7, "count")
    assert response.json()["levels"][0]["on_hand"] == 7
    assert stock_level(sku, loc) == (7, 0)


def test_transfer_moves_between_locations_in_one_operation(api_client):
    sku, a, b = SKUFactory(code="CUP"), LocationFactory(code="A"), LocationFactory(code="B")
    stock_receive(sku=sku, location=a, quantity=10)
    operator = api_client("operator")

    response = operator.post(
        "/api/v1/stock/transfer",
        {"sku": "CUP", "from_location": "A", "to_location": "B", "quantity": 4},
        format="json",
    )
    same = operator.post(
        "/api/v1/stock/transfer",
        {"sku": "CUP", "from_location": "A", "to_location": "A", "quantity": 4},
        format="json",
    )
    short = operator.post(
        "/api/v1/stock/transfer",
        {"sku": "CUP", "from_location": "A", "to_location": "B", "quantity": 7},
        format="json",
    )

    assert response.status_code == 201
    assert [(m["location_code"], m["on_hand_delta"]) for m in response.json()["operation"]["movements"]] == [
        ("A", -4),
        ("B", 4),
    ]
    assert [(lv["location_code"], lv["on_hand"]) for lv in response.json()["levels"]] == [("A", 6), ("B", 4)]
    assert (same.status_code, field_errors(same)) == (
        400,
        {"to_location": ["Must differ from from_location."]},
    )
    assert short.status_code == 409
    assert short.json()["shortfalls"][0]["requested"] == 7
    assert short.json()["shortfalls"][0]["available"] == 6
    assert stock_level(sku, a) == (6, 0)
    assert stock_level(sku, b) == (4, 0)


def test_return_puts_units_back(api_client):
    sku, loc = SKUFactory(code="CUP"), LocationFactory(code="MAIN")

    response = api_client("operator").post(
        "/api/v1/stock/return",
        {"sku": "CUP", "location": "MAIN", "quantity": 2, "reference": "RMA-1"},
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["operation"]["reason"] == "return"
    assert stock_level(sku, loc) == (2, 0)


def test_viewer_cannot_operate_stock(api_client):
    sku, loc = SKUFactory(), LocationFactory()

    response = api_client("viewer").post(
        "/api/v1/stock/receive", {"sku": sku.pk, "location": loc.pk, "quantity": 5}, format="json"
    )

    assert response.status_code == 403
    assert StockOperation.objects.count() == 0
    assert StockLevel.objects.count() == 0


def test_an_idempotency_key_reused_with_another_body_is_422_and_changes_nothing(api_client):
    sku, loc = SKUFactory(code="CUP"), LocationFactory(code="MAIN")
    operator = api_client("operator")
    headers = {"Idempotency-Key": "k-1"}

    first = operator.post(
        "/api/v1/stock/receive",
        {"sku": "CUP", "location": "MAIN", "quantity": 3},
        format="json",
        headers=headers,
    )
    same = operator.post(
        "/api/v1/stock/receive",
        {"quantity": 3, "location": "MAIN", "sku": "CUP"},
        format="json",
        headers=headers,
    )
    other = operator.post(
        "/api/v1/stock/receive",
        {"sku": "CUP", "location": "MAIN", "quantity": 30},
        format="json",
        headers=headers,
    )

    assert (first.status_code, same.status_code, same["Idempotent-Replayed"]) == (201, 200, "true")
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    assert stock_level(sku, loc) == (3, 0)
    assert StockOperation.objects.count() == 1
