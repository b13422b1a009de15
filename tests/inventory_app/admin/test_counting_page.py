"""The counting page: SKU lookup by barcode for the scanner, counts posted by operators only."""

from __future__ import annotations

import uuid

import pytest

from inventory_app.models import StockLevel

pytestmark = pytest.mark.django_db

URL = "/admin/inventory_app/stocklevel/count/"


def test_lookup_finds_a_sku_by_barcode_with_its_on_hand_at_the_location(admin_client_for, data):
    client = admin_client_for("viewer")

    found = client.get(f"{URL}lookup/", {"code": "400100", "location": data.wh1.pk})
    kit = client.get(f"{URL}lookup/", {"code": "TEEPACK"})
    missing = client.get(f"{URL}lookup/", {"code": "nope"})

    assert found.json() == {"id": data.sku.pk, "code": "TEE", "barcode": "400100", "name": data.sku.name,
                            "on_hand": 10}  # fmt: skip
    assert kit.status_code == 400 and "is a kit" in kit.json()["error"]
    assert missing.status_code == 404


def test_operator_posts_counts_once_per_page_and_a_viewer_cannot(admin_client_for, data):
    form = {"token": str(uuid.uuid4()), "location": data.wh1.pk, f"qty-{data.sku.pk}": "6"}

    refused = admin_client_for("viewer").post(URL, form)
    operator = admin_client_for("operator")
    operator.post(URL, form)
    operator.post(URL, {**form, f"qty-{data.sku.pk}": "1"})  # the same page posted again

    assert refused.status_code == 403
    assert StockLevel.objects.get(sku=data.sku, location=data.wh1).on_hand == 6


def test_a_count_below_what_is_reserved_is_refused_with_the_reason(admin_client_for, data):
    form = {"token": str(uuid.uuid4()), "location": data.wh1.pk, f"qty-{data.sku.pk}": "1"}

    response = admin_client_for("operator").post(URL, form, follow=True)

    assert "Nothing was counted:" in response.content.decode()
    assert StockLevel.objects.get(sku=data.sku, location=data.wh1).on_hand == 10
