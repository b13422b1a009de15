"""A catalog CSV past the inline limit becomes a background job, followed through its endpoint."""

from __future__ import annotations

import pytest

from inventory_app.models import SKU, ImportJob, StockLevel
from tests.factories import LocationFactory
from tests.helpers import large_catalog_csv

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


def test_twelve_hundred_rows_answer_202_and_the_job_reports_progress_and_counts(
    api_client, eager_celery, on_commit
):
    wh1 = LocationFactory(code="WH1")
    LocationFactory(code="WH2")
    manager = api_client("manager")

    with on_commit(execute=True):  # the task is enqueued after commit; eager: it runs here
        queued = manager.generic(
            "POST", "/api/v1/imports/catalog/", large_catalog_csv(skus=600).encode(), content_type="text/csv"
        )
    job = manager.get(f"/api/v1/imports/jobs/{queued.json()['id']}/")

    assert queued.status_code == 202
    assert queued["Location"] == f"/api/v1/imports/jobs/{queued.json()['id']}/"
    assert queued.json()["rows_total"] == 1200
    assert job.status_code == 200
    body = job.json()
    assert (body["status"], body["progress"], body["error"]) == ("done", 100, "")
    assert {k: body["result"][k] for k in ("ok", "applied", "rows", "skus_created", "stock_rows")} == {
        "ok": True,
        "applied": True,
        "rows": 1200,
        "skus_created": 600,
        "stock_rows": 1200,
    }
    assert SKU.objects.count() == 600
    assert sum(StockLevel.objects.filter(location=wh1).values_list("on_hand", flat=True)) == sum(
        i % 50 for i in range(600)
    )
    assert ImportJob.objects.get().content == ""
