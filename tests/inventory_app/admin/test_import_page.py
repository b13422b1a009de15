"""The admin's catalog CSV import page: dry run with a row error table, then import."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from inventory_app.models import SKU, StockLevel
from inventory_app.services.imports import ImportRowError

pytestmark = pytest.mark.django_db

URL = "admin:inventory_app_sku_import"
GOOD = b"sku;name;location;quantity\nNEW-1;New one;WH2;5\nNEW-2;New two;;\n"


def _upload(client, content: bytes, dry_run: bool = True):
    body = {"file": SimpleUploadedFile("catalog.csv", content, content_type="text/csv")}
    if dry_run:
        body["dry_run"] = "on"
    return client.post(reverse(URL), body)


def test_sku_list_links_to_the_import_page(superuser_client, data):
    listing = superuser_client.get(reverse("admin:inventory_app_sku_changelist"))

    assert reverse(URL) in listing.content.decode()
    assert superuser_client.get(reverse(URL)).status_code == 200


def test_dry_run_lists_row_errors_and_imports_nothing(superuser_client, data):
    response = _upload(superuser_client, b"sku,name,quantity,location\nX1,,2,WH1\nX2,Two,-1,NOWHERE\n")

    report = response.context["report"]
    assert report.errors == [
        ImportRowError(2, "name", "X1: a new SKU needs a name"),
        ImportRowError(3, "location", "unknown location NOWHERE"),
        ImportRowError(3, "quantity", "'-1' is negative"),
    ]
    page = response.content.decode()
    assert "<td>3</td><td>location</td><td>unknown location NOWHERE</td>" in page
    assert response.context["pending"] is None
    assert SKU.objects.filter(code__in=["X1", "X2"]).count() == 0


def test_checked_file_is_imported_by_one_click_and_only_once(superuser_client, data):
    checked = _upload(superuser_client, GOOD)
    digest = checked.context["pending"]
    assert (checked.context["report"].ok, digest is not None) == (True, True)
    assert SKU.objects.filter(code__startswith="NEW-").count() == 0

    applied = superuser_client.post(reverse(URL), {"digest": digest, "apply": "Import"})
    again = superuser_client.post(reverse(URL), {"digest": digest, "apply": "Import"}, follow=True)

    assert applied.context["report"].applied is True
    assert sorted(SKU.objects.filter(code__startswith="NEW-").values_list("code", flat=True)) == [
        "NEW-1",
        "NEW-2",
    ]
    assert StockLevel.objects.get(sku__code="NEW-1", location=data.wh2).on_hand == 5
    assert [str(m) for m in again.context["messages"]] == [
        "The checked file is no longer waiting to be imported: upload it again."
    ]
    assert StockLevel.objects.get(sku__code="NEW-1", location=data.wh2).on_hand == 5


def test_import_without_dry_run_writes_at_once(superuser_client, data):
    response = _upload(superuser_client, GOOD, dry_run=False)

    assert response.context["report"].applied is True
    assert SKU.objects.filter(code__startswith="NEW-").count() == 2


def test_non_utf8_file_is_refused(superuser_client, data):
    response = _upload(superuser_client, "sku,name\nC1,Caf\xe9\n".encode("latin-1"))

    assert response.context["form"].errors == {
        "file": ["The file is not UTF-8 text: save it as 'CSV UTF-8' in your spreadsheet."]
    }
    assert not SKU.objects.filter(code="C1").exists()


def test_operator_may_not_import(admin_client_for, data):
    response = _upload(admin_client_for("operator"), GOOD, dry_run=False)

    assert response.status_code == 403
    assert SKU.objects.filter(code__startswith="NEW-").count() == 0


def test_a_large_file_becomes_an_import_job_shown_in_the_admin(superuser_client, data, settings):
    settings.IMPORT_INLINE_MAX_ROWS = 1

    response = _upload(superuser_client, GOOD, dry_run=True)

    from inventory_app.models import ImportJob

    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:inventory_app_importjob_change", args=[job.pk])
    page = superuser_client.get(response["Location"])
    listing = superuser_client.get(reverse("admin:inventory_app_importjob_changelist"))
    assert (page.status_code, listing.status_code) == (200, 200)
    assert "catalog.csv" in page.content.decode()
    assert (job.status, job.dry_run, job.rows_total) == ("queued", True, 2)
    assert SKU.objects.filter(code__startswith="NEW-").count() == 0
