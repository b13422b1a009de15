"""Idempotency-Key on every creating POST, and orders re-sent by external reference."""

from __future__ import annotations

import pytest

from inventory_app.models import (
    SKU,
    ApiToken,
    IdempotencyFingerprint,
    Location,
    Order,
    Product,
    SalesChannel,
    StockOperation,
    WebhookEndpoint,
)
from inventory_app.services.stock import stock_receive
from tests.factories import LocationFactory, SKUFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def stocked():
    loc = LocationFactory(code="MAIN")
    stock_receive(sku=SKUFactory(code="CUP"), location=loc, quantity=10)
    stock_receive(sku=SKUFactory(code="PLATE"), location=loc, quantity=10)
    return loc


def _order(ref="WEB-1", cup=3, plate=1):
    return {
        "external_ref": ref,
        "lines": [{"sku": "CUP", "quantity": cup, "unit_price": "4.00"}, {"sku": "PLATE", "quantity": plate}],
    }


def test_order_create_honours_the_key_replay_200_and_another_body_422_with_differences(api_client, stocked):
    operator = api_client("operator")
    key = {"Idempotency-Key": "order-1"}

    first = operator.post("/api/v1/orders/", _order(), format="json", headers=key)
    replay = operator.post("/api/v1/orders/", _order(), format="json", headers=key)
    other = operator.post("/api/v1/orders/", _order(ref="WEB-2", cup=5), format="json", headers=key)

    assert (first.status_code, first["Idempotent-Replayed"]) == (201, "false")
    assert (replay.status_code, replay["Idempotent-Replayed"]) == (200, "true")
    assert replay.json() == first.json()
    assert other.status_code == 422
    body = other.json()
    assert body["code"] == "idempotency_key_reused"
    assert [d["path"] for d in body["differences"]] == ["external_ref", "lines[0].quantity"]
    assert all(set(d) == {"path", "first", "sent"} and d["first"] != d["sent"] for d in body["differences"])
    assert "WEB-2" not in str(body["differences"])  # values are hashed, never echoed
    assert list(Order.objects.values_list("external_ref", flat=True)) == ["WEB-1"]


def test_order_external_ref_resent_with_other_lines_is_409_with_differences(api_client, stocked):
    operator = api_client("operator")
    first = operator.post("/api/v1/orders/", _order(), format="json")

    same = operator.post("/api/v1/orders/", _order(), format="json")
    changed = operator.post("/api/v1/orders/", _order(cup=4), format="json")
    fewer = operator.post("/api/v1/orders/", {**_order(), "lines": _order()["lines"][:1]}, format="json")

    assert (first.status_code, same.status_code, same.json()["id"]) == (201, 200, first.json()["id"])
    assert changed.status_code == 409
    assert changed.json()["code"] == "order_conflict"
    assert changed.json()["differences"] == [{"path": "lines[0].quantity", "stored": "3", "sent": "4"}]
    assert fewer.status_code == 409
    assert fewer.json()["differences"] == [{"path": "lines", "stored": "2 line(s)", "sent": "1 line(s)"}]
    assert Order.objects.count() == 1
    assert list(Order.objects.get().lines.order_by("pk").values_list("quantity", flat=True)) == [3, 1]


def test_a_refused_request_binds_no_key(api_client, stocked):
    operator = api_client("operator")
    key = {"Idempotency-Key": "retry-me"}

    refused = operator.post("/api/v1/orders/", _order(cup=500), format="json", headers=key)
    fixed = operator.post("/api/v1/orders/", _order(cup=2), format="json", headers=key)

    assert (refused.status_code, fixed.status_code) == (409, 201)
    assert IdempotencyFingerprint.objects.count() == 1
    assert Order.objects.get().lines.order_by("pk").first().quantity == 2


CREATES = [
    ("manager", "/api/v1/products/", {"name": "Mug"}, Product, ()),
    ("manager", "/api/v1/skus/", {"code": "BOWL", "name": "Bowl"}, SKU, ()),
    ("manager", "/api/v1/locations/", {"code": "WH9", "name": "Nine"}, Location, ()),
    ("manager", "/api/v1/channels/", {"code": "shop", "name": "Shop"}, SalesChannel, ()),
    ("manager", "/api/v1/tokens/", {"name": "erp", "expires_at": "2099-01-01T00:00:00Z"}, ApiToken, ("key",)),
    (
        "manager",
        "/api/v1/webhook-endpoints/",
        {"url": "https://hooks.example.com/in", "event_types": ["order.created"]},
        WebhookEndpoint,
        ("secret",),
    ),
    (
        "operator",
        "/api/v1/stock/receive",
        {"sku": "CUP", "location": "MAIN", "quantity": 2},
        StockOperation,
        (),
    ),
]


@pytest.mark.parametrize(("role", "url", "body", "model", "secrets"), CREATES, ids=[c[1] for c in CREATES])
def test_every_create_replays_once_and_refuses_another_body(
    api_client, stocked, role, url, body, model, secrets
):
    client = api_client(role)
    before = model.objects.count()
    key = {"Idempotency-Key": "create-1"}

    first = client.post(url, body, format="json", headers=key)
    replay = client.post(url, body, format="json", headers=key)
    other = client.post(url, {**body, "name": "Else"}, format="json", headers=key)

    assert (first.status_code, replay.status_code, replay["Idempotent-Replayed"]) == (201, 200, "true")
    expected = {k: (None if k in secrets else v) for k, v in first.json().items()}
    if "replayed" in expected:  # stock answers say whether they replay
        expected["replayed"] = True
    assert replay.json() == expected
    assert all(first.json()[name] for name in secrets)  # shown once, in the first answer only
    assert other.status_code == 422
    assert [d["path"] for d in other.json()["differences"]] == ["name"]
    assert model.objects.count() == before + 1


def test_keys_are_scoped_per_user(api_client):
    key = {"Idempotency-Key": "shared"}

    a = api_client("manager").post("/api/v1/products/", {"name": "A"}, format="json", headers=key)
    b = api_client("manager").post("/api/v1/products/", {"name": "B"}, format="json", headers=key)

    assert (a.status_code, b.status_code) == (201, 201)
    assert sorted(Product.objects.values_list("name", flat=True)) == ["A", "B"]


# Answering 201/202 without creating anything a repeat could duplicate: triggers of work that is
# itself idempotent (a retry, a sync), and rates, which asks a carrier in the request (a key would
# hold the database's write lock for the call).
NOT_CREATES = {
    "/api/v1/accounting/documents/{id}/retry/",
    "/api/v1/channel-accounts/{id}/sync-now/",
    "/api/v1/channel-events/{id}/retry/",
    "/api/v1/shipping/orders/{order_id}/rates/",
}


def test_every_creating_post_of_the_schema_takes_an_idempotency_key(api_client):
    schema = api_client("viewer").get("/api/schema/", {"format": "json"}).json()
    missing = [
        f"POST {path}"
        for path, operations in schema["paths"].items()
        if "post" in operations
        and path not in NOT_CREATES
        and {"201", "202"} & set(operations["post"]["responses"])
        and not any(p["name"] == "Idempotency-Key" for p in operations["post"].get("parameters", []))
    ]
    assert missing == []
