"""Catalog imports in the background: the API queues a job, a worker runs it once, status,
progress and report are readable; limits are enforced before anything is stored."""

from __future__ import annotations

import pytest

from inventory_app.models import SKU, ImportJob, StockLevel, StockMovement
from inventory_app.services.imports.jobs import import_job_create, import_job_run
from tests.factories import LocationFactory
from tests.helpers import field_errors

pytestmark = pytest.mark.django_db

URL = "/api/v1/imports/catalog/"
FILE = "sku,name,location,quantity\nMUG,Mug,WH1,5\nPLATE,Plate,WH1,2\nBOWL,Bowl,,\n"


@pytest.fixture(autouse=True)
def _small_limits(settings):
    settings.IMPORT_INLINE_MAX_ROWS = 2
    LocationFactory(code="WH1")


def test_a_file_over_the_inline_limit_is_a_job_a_worker_runs(api_client, on_commit, eager_celery):
    manager = api_client("manager")

    with on_commit(execute=True):
        queued = manager.generic("POST", URL, FILE.encode(), content_type="text/csv")
    job = ImportJob.objects.get()
    read = api_client("viewer").get(f"/api/v1/imports/jobs/{job.pk}/")

    assert queued.status_code == 202
    assert queued["Location"] == f"/api/v1/imports/jobs/{job.pk}/"
    assert (queued.json()["status"], queued.json()["rows_total"]) == ("queued", 3)
    body = read.json()
    assert (body["status"], body["progress"], body["created_by"]) == ("done", 100, manager.user.username)
    assert body["result"]["applied"] is True and body["result"]["skus_created"] == 3
    assert {lv.sku.code: lv.on_hand for lv in StockLevel.objects.select_related("sku")} == {
        "MUG": 5,
        "PLATE": 2,
    }
    assert job.content == ""  # the file is dropped once the job ran


def test_a_background_dry_run_reports_and_changes_nothing(api_client, on_commit, eager_celery):
    with on_commit(execute=True):
        queued = api_client("manager").generic(
            "POST", f"{URL}?dry_run=true&background=true", b"sku,name\nMUG,Mug\n", content_type="text/csv"
        )

    job = ImportJob.objects.get()
    assert queued.status_code == 202
    assert (job.status, job.dry_run, job.result["ok"], job.result["applied"]) == ("done", True, True, False)
    assert SKU.objects.count() == 0


def test_a_file_over_the_row_limit_is_refused_and_nothing_is_stored(api_client, settings):
    settings.IMPORT_MAX_ROWS = 2

    response = api_client("manager").generic("POST", URL, FILE.encode(), content_type="text/csv")

    assert response.status_code == 400
    assert field_errors(response) == {"file": ["The file has more than 2 rows; split it."]}
    assert ImportJob.objects.count() == 0 and SKU.objects.count() == 0


def test_a_job_runs_once_and_an_interrupted_one_runs_again(django_user_model):
    job = import_job_create(content=FILE, dry_run=False, user=None)
    ImportJob.objects.filter(pk=job.pk).update(status="running")  # a worker died mid-run

    first = import_job_run(job_id=job.pk)
    movements = StockMovement.objects.count()
    again = import_job_run(job_id=job.pk)

    assert (first.status, again.status) == ("done", "done")
    assert StockMovement.objects.count() == movements == 2
    assert SKU.objects.count() == 3


def test_viewers_cannot_queue_imports(api_client):
    response = api_client("viewer").generic(
        "POST", f"{URL}?background=true", FILE.encode(), content_type="text/csv"
    )

    assert response.status_code == 403
    assert ImportJob.objects.count() == 0
