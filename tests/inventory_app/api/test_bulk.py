"""Bulk endpoints: many level changes, many orders, availability of many SKUs by POST."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inventory_app.models import SKU, MovementReason, Order, StockLevel, StockMovement, StockOperation
from inventory_app.services.orders import OrderInput, OrderLineInput, order_create
from inventory_app.services.stock import stock_receive
from tests.factories import KitComponentFactory, LocationFactory, SalesChannelFactory, SKUFactory
from tests.helpers import stock_level

pytestmark = pytest.mark.django_db

BULK = "/api/v1/stock/bulk"


@pytest.fixture
def shelf():
    loc = LocationFactory(code="MAIN")
    cup, plate = SKUFactory(code="CUP"), SKUFactory(code="PLATE")
    stock_receive(sku=cup, location=loc, quantity=10)
    return loc, cup, plate


def _results(response) -> list[tuple]:
    return [(r["index"], r["status"], r["on_hand_after"], r["code"]) for r in response.json()["results"]]


def test_atomic_bulk_applies_every_line_in_order_through_the_ledger(api_client, shelf):
    loc, cup, plate = shelf
    lines = [
        {"sku": "CUP", "location": "MAIN", "adjust": -2, "reason": "damaged"},
        {"sku": "PLATE", "location": "MAIN", "set": 7},
        {"sku": "CUP", "location": "MAIN", "set": 5},
        {"sku": "CUP", "location": "MAIN", "adjust": 1},
    ]
    operations = StockOperation.objects.count()

    response = api_client("operator").post(BULK, {"lines": lines, "reference": "cycle-7"}, format="json")

    assert response.status_code == 201
    assert (response.json()["applied"], response.json()["failed"]) == (4, 0)
    assert _results(response) == [
        (0, "applied", 8, ""),
        (1, "applied", 7, ""),
        (2, "applied", 5, ""),
        (3, "applied", 6, ""),
    ]
    assert (stock_level(cup, loc), stock_level(plate, loc)) == ((6, 0), (7, 0))
    new = StockOperation.objects.filter(reference="cycle-7").order_by("pk")
    assert [(op.reason, op.reason_detail) for op in new] == [
        (MovementReason.ADJUSTMENT, "damaged"),
        (MovementReason.COUNT, ""),
        (MovementReason.ADJUSTMENT, "correction"),
    ]
    assert StockOperation.objects.count() == operations + 3
    assert list(
        StockMovement.objects.filter(operation__in=new).order_by("pk").values_list("on_hand_delta", flat=True)
    ) == [-2, 7, -3, 1]


def test_atomic_bulk_with_a_bad_line_is_422_and_changes_nothing(api_client, shelf):
    loc, cup, _ = shelf
    lines = [
        {"sku": "CUP", "location": "MAIN", "set": 3},
        {"sku": "CUP", "location": "MAIN", "adjust": -4},
        {"sku": "NOPE", "location": "MAIN", "set": 1},
    ]
    movements = StockMovement.objects.count()

    response = api_client("operator").post(BULK, {"lines": lines}, format="json")

    assert response.status_code == 422
    assert (response.json()["code"], response.json()["applied"], response.json()["failed"]) == (
        "bulk_rejected",
        0,
        1,
    )
    assert _results(response) == [
        (0, "not_applied", None, ""),
        (1, "not_applied", None, ""),
        (2, "failed", None, "unknown_sku"),
    ]
    assert stock_level(cup, loc) == (10, 0)
    assert StockMovement.objects.count() == movements


def test_atomic_bulk_short_line_is_422_naming_it(api_client, shelf):
    loc, cup, _ = shelf
    lines = [
        {"sku": "CUP", "location": "MAIN", "adjust": -4},
        {"sku": "CUP", "location": "MAIN", "adjust": -7},
    ]

    response = api_client("operator").post(BULK, {"lines": lines}, format="json")

    assert response.status_code == 422
    assert _results(response) == [(0, "not_applied", None, ""), (1, "failed", None, "insufficient_stock")]
    assert response.json()["results"][1]["detail"] == "Only 6 on hand."
    assert stock_level(cup, loc) == (10, 0)


@pytest.mark.embedded
def test_per_line_bulk_applies_the_good_lines_and_answers_207(api_client, shelf):
    loc, cup, plate = shelf
    KitComponentFactory(kit__code="SET", component=cup)
    lines = [
        {"sku": "CUP", "location": "MAIN", "adjust": -11},
        {"sku": "PLATE", "location": "MAIN", "set": 2},
        {"sku": "SET", "location": "MAIN", "set": 2},
        {"sku": "CUP", "location": "ATTIC", "set": 2},
        {"sku": "CUP", "location": "MAIN", "set": 4, "adjust": 1},
        {"sku": "CUP", "location": "MAIN", "adjust": -10},
    ]

    response = api_client("operator").post(BULK, {"lines": lines, "atomic": False}, format="json")

    assert response.status_code == 207
    assert _results(response) == [
        (0, "failed", None, "insufficient_stock"),
        (1, "applied", 2, ""),
        (2, "failed", None, "invalid_operation"),
        (3, "failed", None, "unknown_location"),
        (4, "failed", None, "invalid_line"),
        (5, "applied", 0, ""),
    ]
    assert (stock_level(cup, loc), stock_level(plate, loc)) == ((0, 0), (2, 0))


def test_bulk_cannot_take_on_hand_below_committed(api_client, shelf):
    loc, cup, _ = shelf
    order_create(
        channel=SalesChannelFactory(code="web"),
        data=OrderInput(external_ref="W1", lines=[OrderLineInput(sku_code="CUP", quantity=4)]),
    )

    response = api_client("operator").post(
        BULK, {"lines": [{"sku": "CUP", "location": "MAIN", "set": 3}]}, format="json"
    )

    assert response.status_code == 422
    assert _results(response) == [(0, "failed", None, "insufficient_stock")]
    assert stock_level(cup, loc) == (10, 4)


def test_bulk_replays_one_idempotency_key(api_client, shelf):
    loc, cup, _ = shelf
    operator = api_client("operator")
    body = {"lines": [{"sku": "CUP", "location": "MAIN", "adjust": 5}]}
    key = {"Idempotency-Key": "bulk-1"}

    first = operator.post(BULK, body, format="json", headers=key)
    again = operator.post(BULK, body, format="json", headers=key)

    assert (first.status_code, again.status_code, again["Idempotent-Replayed"]) == (201, 200, "true")
    assert again.json() == first.json()
    assert stock_level(cup, loc) == (15, 0)


@pytest.mark.embedded
def test_a_thousand_lines_in_one_request_read_in_a_bounded_number_of_queries(api_client):
    loc = LocationFactory(code="MAIN")
    SKU.objects.bulk_create([SKU(code=f"S{i:04d}", name=f"S{i}") for i in range(1000)])
    lines = [{"sku": f"S{i:04d}", "location": "MAIN", "set": i % 9 + 1} for i in range(1000)]
    operator = api_client("operator")

    with CaptureQueriesContext(connection) as queries:
        response = operator.post(BULK, {"lines": lines}, format="json")

    assert response.status_code == 201
    assert response.json()["applied"] == 1000
    selects = [q for q in queries.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]
    assert len(selects) < 40
    assert sum(StockLevel.objects.filter(location=loc).values_list("on_hand", flat=True)) == sum(
        i % 9 + 1 for i in range(1000)
    )
    assert StockMovement.objects.filter(reason=MovementReason.COUNT).count() == 1000


def test_bulk_refuses_more_than_a_thousand_lines_and_viewers(api_client, shelf):
    lines = [{"sku": "CUP", "location": "MAIN", "adjust": 1}] * 1001

    too_many = api_client("operator").post(BULK, {"lines": lines}, format="json")
    viewer = api_client("viewer").post(BULK, {"lines": lines[:1]}, format="json")

    assert (too_many.status_code, viewer.status_code) == (400, 403)
    assert StockOperation.objects.filter(reason=MovementReason.ADJUSTMENT).count() == 0


def _order(ref, cup=1):
    return {"external_ref": ref, "lines": [{"sku": "CUP", "quantity": cup, "unit_price": "2.00"}]}


def test_bulk_orders_report_each_order(api_client, shelf):
    loc, cup, _ = shelf
    SalesChannelFactory(code="manual")
    operator = api_client("operator")
    operator.post("/api/v1/orders/", _order("A", cup=2), format="json")
    orders = [
        _order("A", cup=2),
        _order("B"),
        _order("A", cup=3),
        {"external_ref": "C", "lines": []},
        _order("D", cup=50),
    ]

    response = operator.post("/api/v1/orders/bulk", {"orders": orders}, format="json")

    assert response.status_code == 207
    body = response.json()
    assert (body["created"], body["existing"], body["failed"]) == (1, 1, 3)
    assert [(r["external_ref"], r["status"], r["code"]) for r in body["results"]] == [
        ("A", "existing", ""),
        ("B", "created", ""),
        ("A", "failed", "order_conflict"),
        ("C", "failed", "invalid"),
        ("D", "failed", "insufficient_stock"),
    ]
    assert body["results"][2]["differences"] == [{"path": "lines[0].quantity", "stored": "2", "sent": "3"}]
    assert body["results"][1]["order"] == Order.objects.get(external_ref="B").pk
    assert sorted(Order.objects.values_list("external_ref", flat=True)) == ["A", "B"]
    assert stock_level(cup, loc) == (10, 3)


def test_bulk_orders_all_new_answer_201_and_replay_by_key(api_client, shelf):
    SalesChannelFactory(code="manual")
    operator = api_client("operator")
    body = {"orders": [_order("X"), _order("Y")]}
    key = {"Idempotency-Key": "orders-1"}

    first = operator.post("/api/v1/orders/bulk", body, format="json", headers=key)
    again = operator.post("/api/v1/orders/bulk", body, format="json", headers=key)

    assert (first.status_code, first.json()["created"], again.status_code) == (201, 2, 200)
    assert Order.objects.count() == 2


@pytest.mark.embedded
def test_availability_by_post_takes_a_thousand_codes(api_client, shelf):
    SKU.objects.bulk_create([SKU(code=f"A{i:04d}", name="a") for i in range(998)])
    codes = ["CUP", "PLATE", *(f"A{i:04d}" for i in range(997)), "MISSING"]

    response = api_client("viewer").post("/api/v1/availability/", {"skus": codes}, format="json")
    too_many = api_client("viewer").post(
        "/api/v1/availability/", {"skus": [*codes, "ONE-MORE"]}, format="json"
    )

    assert response.status_code == 200
    body = response.json()
    assert len(body["results"]) == 999
    assert {r["code"]: r["available"] for r in body["results"]}["CUP"] == 10
    assert body["unknown_codes"] == ["MISSING"]
    assert too_many.status_code == 400
