"""Catalog CSV import endpoint: multipart and text/csv bodies, dry run, row errors, roles."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from inventory_app.models import SKU, StockLevel, StockMovement
from tests.factories import LocationFactory
from tests.helpers import field_errors

pytestmark = pytest.mark.django_db

URL = "/api/v1/imports/catalog/"
VALID = """\
sku,name,location,quantity
MUG,Mug,WH1,5
PLATE,Plate,,
"""
INVALID = """\
sku,name,weight_grams,location,quantity
MUG,Mug,-3,WH1,5
,No code,,,
"""


@pytest.fixture(autouse=True)
def warehouse():
    return LocationFactory(code="WH1")


def _levels() -> dict[tuple[str, str], int]:
    return {
        (lv.sku.code, lv.location.code): lv.on_hand
        for lv in StockLevel.objects.select_related("sku", "location")
    }


def test_multipart_upload_imports_and_answers_201(api_client):
    upload = SimpleUploadedFile("catalog.csv", VALID.encode(), content_type="text/csv")

    response = api_client("manager").post(URL, {"file": upload}, format="multipart")

    assert response.status_code == 201
    assert response.json() == {
        "dry_run": False,
        "ok": True,
        "applied": True,
        "rows": 2,
        "skus_created": 2,
        "skus_updated": 0,
        "stock_rows": 1,
        "errors": [],
    }
    assert sorted(SKU.objects.values_list("code", "name")) == [("MUG", "Mug"), ("PLATE", "Plate")]
    assert _levels() == {("MUG", "WH1"): 5}


def test_text_csv_body_dry_run_answers_200_and_changes_nothing(api_client):
    response = api_client("manager").generic(
        "POST", f"{URL}?dry_run=true", VALID.encode(), content_type="text/csv"
    )

    assert response.status_code == 200
    assert response.json()["dry_run"] is True
    assert response.json()["applied"] is False
    assert (response.json()["ok"], response.json()["skus_created"]) == (True, 2)
    assert SKU.objects.count() == 0
    assert StockMovement.objects.count() == 0


def test_dry_run_as_form_field(api_client):
    upload = SimpleUploadedFile("catalog.csv", VALID.encode(), content_type="text/csv")

    response = api_client("manager").post(URL, {"file": upload, "dry_run": "true"}, format="multipart")

    assert response.status_code == 200
    assert SKU.objects.count() == 0


def test_text_csv_reimport_changes_nothing(api_client):
    manager = api_client("manager")
    first = manager.generic("POST", URL, VALID.encode(), content_type="text/csv")
    again = manager.generic("POST", URL, VALID.encode(), content_type="text/csv; charset=utf-8")

    assert (first.status_code, again.status_code) == (201, 201)
    assert (again.json()["skus_created"], again.json()["skus_updated"]) == (0, 0)
    assert StockMovement.objects.count() == 1
    assert _levels() == {("MUG", "WH1"): 5}


def test_row_errors_answer_400_and_import_nothing(api_client):
    response = api_client("manager").generic("POST", URL, INVALID.encode(), content_type="text/csv")

    assert response.status_code == 400
    body = response.json()
    assert (body["code"], body["ok"], body["applied"]) == ("validation_error", False, False)
    assert [(e["row"], e["column"]) for e in body["errors"]] == [(2, "weight_grams"), (3, "sku")]
    assert all(e["message"] for e in body["errors"])
    assert SKU.objects.count() == 0
    assert StockMovement.objects.count() == 0


def test_missing_file_and_bad_encoding_and_bad_flag_are_400(api_client):
    manager = api_client("manager")

    no_file = manager.post(URL, {}, format="multipart")
    latin1 = manager.generic("POST", URL, "sku,name\nCAFÉ,Café\n".encode("latin-1"), content_type="text/csv")
    bad_flag = manager.generic("POST", f"{URL}?dry_run=maybe", VALID.encode(), content_type="text/csv")

    assert (no_file.status_code, field_errors(no_file)) == (400, {"file": ["No file was submitted."]})
    assert (latin1.status_code, field_errors(latin1)) == (
        400,
        {"file": ["The file must be UTF-8 encoded text."]},
    )
    assert (bad_flag.status_code, field_errors(bad_flag)) == (400, {"dry_run": ["Must be true or false."]})
    assert SKU.objects.count() == 0


def test_operator_cannot_import(api_client):
    response = api_client("operator").generic("POST", URL, VALID.encode(), content_type="text/csv")

    assert response.status_code == 403
    assert SKU.objects.count() == 0
