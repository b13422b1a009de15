"""Sales channel endpoints: list (viewer), create (manager)."""

from __future__ import annotations

import pytest

from inventory_app.models import SalesChannel
from tests.helpers import field_errors

pytestmark = pytest.mark.django_db


def test_sales_channels_list_and_create(api_client):
    manager, viewer = api_client("manager"), api_client("viewer")

    created = manager.post(
        "/api/v1/channels/", {"code": "shop-eu", "name": "Shop EU", "kind": "generic"}, format="json"
    )
    duplicate = manager.post("/api/v1/channels/", {"code": "shop-eu", "name": "Again"}, format="json")
    bad_slug = manager.post("/api/v1/channels/", {"code": "no spaces", "name": "x"}, format="json")
    forbidden = api_client("operator").post("/api/v1/channels/", {"code": "op", "name": "x"}, format="json")

    assert created.status_code == 201
    channel = SalesChannel.objects.get(code="shop-eu")
    assert created.json() == {
        "id": channel.pk,
        "code": "shop-eu",
        "name": "Shop EU",
        "kind": "generic",
        "is_active": True,
        "created_at": created.json()["created_at"],
    }
    assert (duplicate.status_code, field_errors(duplicate)) == (
        400,
        {"code": ["Sales channel with this Code already exists."]},
    )
    assert bad_slug.status_code == 400
    assert list(field_errors(bad_slug)) == ["code"]
    assert forbidden.status_code == 403
    assert [row["code"] for row in viewer.get("/api/v1/channels/").json()["results"]] == ["manual", "shop-eu"]
