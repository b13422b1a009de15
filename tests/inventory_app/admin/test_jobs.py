"""A background job's page: progress (followed by our own script) while it runs, then its result."""

from __future__ import annotations

import pytest
from django.urls import reverse

from inventory_app.services.jobs import job_begin, job_fail, job_finish, job_progress, job_start
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def viewer(client):
    client.force_login(UserFactory(role="viewer"))
    return client


def test_a_running_job_shows_a_progress_bar_that_our_script_follows(viewer):
    job = job_start(kind="test.kind", label="Full push: Shop", total=8)
    job_begin(job_id=job.pk)
    job_progress(job_id=job.pk, done=2, note="6 listing(s) wait to be pushed")

    page = viewer.get(reverse("admin:inventory_app_backgroundjob_change", args=[job.pk]))
    state = viewer.get(reverse("admin:inventory_app_backgroundjob_state", args=[job.pk]))
    html = page.content.decode()

    assert page.status_code == 200
    assert '<progress id="job-bar" max="100" value="25">' in html
    assert "2 of 8" in html and "6 listing(s) wait to be pushed" in html
    assert "/static/inventory_app/jobs.js" in html and 'data-finished="0"' in html
    assert state.json() == {
        "id": job.pk,
        "status": "running",
        "status_label": "Running",
        "done": 2,
        "total": 8,
        "percent": 25,
        "note": "6 listing(s) wait to be pushed",
        "finished": False,
    }


def test_a_finished_job_shows_its_result_and_links(viewer):
    job = job_start(kind="test.kind", label="Listings import: Shop")
    job_begin(job_id=job.pk)
    job_finish(
        job_id=job.pk,
        summary="Imported 3 listing(s).",
        result={"imported": 3, "linked": 2},
        links=[("Listings of the account", "/admin/channels_app/listing/?account__id__exact=1")],
    )

    html = viewer.get(reverse("admin:inventory_app_backgroundjob_change", args=[job.pk])).content.decode()

    assert "<progress" not in html and 'data-finished="1"' in html
    assert "Imported 3 listing(s)." in html
    assert "<th>imported</th><td>3</td>" in html and "<th>linked</th><td>2</td>" in html
    assert 'href="/admin/channels_app/listing/?account__id__exact=1"' in html


def test_a_failed_job_says_why_and_the_list_shows_it(viewer):
    job = job_start(kind="test.kind", label="Accounting export: Xero")
    job_fail(job_id=job.pk, error="Refused: not connected")

    page = viewer.get(reverse("admin:inventory_app_backgroundjob_change", args=[job.pk])).content.decode()
    listing = viewer.get(reverse("admin:inventory_app_backgroundjob_changelist")).content.decode()

    assert "Refused: not connected" in page and "Failed" in page
    assert "Accounting export: Xero" in listing


def test_the_state_answers_only_get_and_staff_without_a_role_are_refused(client):
    job = job_start(kind="test.kind", label="Job")
    url = reverse("admin:inventory_app_backgroundjob_state", args=[job.pk])
    client.force_login(UserFactory(role="viewer"))
    posted = client.post(url).status_code
    client.force_login(UserFactory(username="norole"))

    assert posted == 405
    assert client.get(url).status_code == 403
    assert client.get(reverse("admin:inventory_app_backgroundjob_change", args=[job.pk])).status_code == 403
