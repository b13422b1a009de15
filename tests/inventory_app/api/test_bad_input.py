"""Input that used to answer 500: a bad id in a path, a huge CSV quantity, a deeply nested body.
Each is a clear 4xx and changes nothing."""

from __future__ import annotations

import pytest

from inventory_app.models import SKU, StockLevel, StockMovement
from tests.factories import LocationFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/imports/catalog/"


def test_a_receipt_id_that_is_not_a_number_is_404(api_client):
    response = api_client("manager").post("/api/v1/receipts/abc/reverse/")

    assert response.status_code == 404
    assert StockMovement.objects.count() == 0


@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        ("99999999999999999999", "too large"),
        ("1000000001", "too large"),
        ("٣", "not a whole number"),
        ("1_000", "not a whole number"),
        ("1.5", "not a whole number"),
    ],
)
def test_a_csv_quantity_out_of_range_is_a_row_error(api_client, quantity, message):
    LocationFactory(code="WH1")
    body = f"sku,name,location,quantity\nMUG,Mug,WH1,{quantity}\n".encode()

    response = api_client("manager").generic(
        "POST", "/api/v1/imports/catalog/", body, content_type="text/csv"
    )

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [(e["row"], e["column"]) for e in errors] == [(2, "quantity")]
    assert message in errors[0]["message"]
    assert SKU.objects.count() == 0 and StockLevel.objects.count() == 0


def test_a_kit_component_quantity_out_of_range_is_a_row_error(api_client):
    body = b"sku,name,is_kit,components\nA,A,no,\nKIT,Kit,yes,A:99999999999999999999\n"

    response = api_client("manager").generic(
        "POST", "/api/v1/imports/catalog/", body, content_type="text/csv"
    )

    assert response.status_code == 400
    assert [(e["row"], e["column"]) for e in response.json()["errors"]] == [(3, "components")]
    assert SKU.objects.count() == 0


def test_a_deeply_nested_api_body_is_400(api_client):
    response = api_client("manager").generic(
        "POST", "/api/v1/skus/", b"[" * 50_000, content_type="application/json"
    )

    assert response.status_code == 400
    assert "nested deeper" in response.json()["detail"]
    assert SKU.objects.count() == 0
