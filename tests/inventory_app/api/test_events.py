"""GET /api/v1/events/ by cursor, and webhook endpoints through the API."""

from __future__ import annotations

import pytest

from inventory_app.models import EventType, WebhookEndpoint
from inventory_app.services.stock import stock_adjust, stock_receive
from tests.factories import LocationFactory, SKUFactory
from tests.helpers import field_errors

pytestmark = pytest.mark.django_db


@pytest.fixture
def stock():
    return SKUFactory(code="TEE"), LocationFactory(code="WH1")


def test_events_since_a_cursor_are_exactly_the_changes_made_after_it(api_client, stock):
    sku, location = stock
    client = api_client("viewer")
    stock_receive(sku=sku, location=location, quantity=5)

    first = client.get("/api/v1/events/").json()
    stock_adjust(sku=sku, location=location, delta=-2, reason_detail="damaged")
    stock_adjust(sku=sku, location=location, delta=-1, reason_detail="damaged")
    since = client.get("/api/v1/events/", {"after": first["next_cursor"]}).json()
    limited = client.get("/api/v1/events/", {"after": first["next_cursor"], "limit": 1}).json()
    rest = client.get("/api/v1/events/", {"after": limited["next_cursor"]}).json()
    nothing = client.get("/api/v1/events/", {"after": rest["next_cursor"]}).json()

    assert [(e["type"], e["data"]["sku"], e["data"]["available"]) for e in first["results"]] == [
        ("availability.changed", "TEE", 5)
    ]
    assert [e["data"]["available"] for e in since["results"]] == [2, 2]  # figures as published
    assert [e["sequence"] for e in since["results"]] == [2, 3]
    assert since["has_more"] is False and limited["has_more"] is True
    assert [e["id"] for e in limited["results"] + rest["results"]] == [e["id"] for e in since["results"]]
    assert nothing == {"results": [], "next_cursor": rest["next_cursor"], "has_more": False}
    assert first["results"][0]["id"].startswith("evt_") and first["results"][0]["key"] == f"sku:{sku.pk}"


def test_the_events_list_filters_by_type_and_refuses_what_it_does_not_know(api_client, stock):
    sku, location = stock
    client = api_client("viewer")
    stock_receive(sku=sku, location=location, quantity=5)

    orders_only = client.get("/api/v1/events/", {"types": "order.created,order.cancelled"})
    unknown_param = client.get("/api/v1/events/", {"updated_after": "2026-01-01"})
    unknown_type = client.get("/api/v1/events/", {"types": "stock.moved"})
    bad_cursor = client.get("/api/v1/events/", {"after": "12"})
    too_many = client.get("/api/v1/events/", {"limit": 501})

    assert orders_only.status_code == 200 and orders_only.json()["results"] == []
    assert unknown_param.status_code == 400 and "updated_after" in field_errors(unknown_param)
    assert unknown_type.status_code == 400 and "stock.moved" in str(unknown_type.json())
    assert bad_cursor.status_code == 400 and "after" in field_errors(bad_cursor)
    assert too_many.status_code == 400


def test_a_manager_registers_an_endpoint_and_sees_its_secret_once(api_client):
    manager, operator = api_client("manager"), api_client("operator")
    body = {"url": "https://hooks.example.com/stock", "event_types": [EventType.ORDER_CREATED]}

    refused = operator.post("/api/v1/webhook-endpoints/", body, format="json")
    created = manager.post("/api/v1/webhook-endpoints/", body, format="json")
    listed = api_client("viewer").get("/api/v1/webhook-endpoints/").json()
    rotated = manager.post(f"/api/v1/webhook-endpoints/{created.json()['id']}/rotate-secret/")
    bad = manager.post(
        "/api/v1/webhook-endpoints/", {"url": "http://hooks.example.com/", "event_types": ["order.created"]}
    )
    no_types = manager.post("/api/v1/webhook-endpoints/", {**body, "event_types": []}, format="json")

    assert refused.status_code == 403
    assert created.status_code == 201
    assert created.json()["secret"].startswith("whsec_")
    assert "secret" not in listed["results"][0]
    assert rotated.json()["secret"] != created.json()["secret"] and rotated.json()["previous_secret_until"]
    assert bad.status_code == 400 and "https" in str(bad.json())
    assert no_types.status_code == 400
    assert WebhookEndpoint.objects.count() == 1
