"""Input that used to answer 500: a bad id in a path, a huge CSV quantity, a deeply nested body.
Each is a clear 4xx and changes nothing."""

from __future__ import annotations

import pytest

from inventory_app.models import SKU, Location, StockLevel, StockMovement
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


@pytest.mark.parametrize("code", ["A\x01B", "NUL\x00", "TAB\tX", "RTL\u202eX", "LINE\u2028X"])
def test_codes_with_control_characters_are_refused(api_client, code):
    manager = api_client("manager")

    sku = manager.post("/api/v1/skus/", {"code": code, "name": "Mug"}, format="json")
    location = manager.post("/api/v1/locations/", {"code": code, "name": "Shelf"}, format="json")
    imported = manager.generic("POST", URL, f'sku,name\n"{code}",Mug\n'.encode(), content_type="text/csv")

    assert (sku.status_code, location.status_code, imported.status_code) == (400, 400, 400)
    assert [e["field"] for e in sku.json()["errors"]] == ["code"]
    assert [e["field"] for e in location.json()["errors"]] == ["code"]
    assert [(e["row"], e["column"]) for e in imported.json()["errors"]] == [(2, "sku")]
    assert SKU.objects.count() == 0
    assert Location.objects.filter(name="Shelf").count() == 0
