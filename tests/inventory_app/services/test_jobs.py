"""Background jobs: begin, progress, finish or fail; a finished job never changes again."""

from __future__ import annotations

import pytest
from django.db import transaction

from inventory_app.models import BackgroundJob, JobStatus
from inventory_app.selectors.jobs import job_state
from inventory_app.services.jobs import (
    job_begin,
    job_fail,
    job_finish,
    job_progress,
    job_start,
    job_start_enqueued,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_job_goes_from_queued_to_running_to_done_with_its_result():
    user = UserFactory(role="operator")
    job = job_start(kind="test.kind", label="Test job", user=user, total=4)
    queued = job_state(job=job)

    began = job_begin(job_id=job.pk)
    job_progress(job_id=job.pk, done=3, note="three done")
    running = job_state(job=BackgroundJob.objects.get(pk=job.pk))
    job_finish(job_id=job.pk, summary="All four.", result={"rows": 4}, links=[("List", "/admin/")])
    job.refresh_from_db()

    assert (queued["status"], queued["percent"], queued["finished"]) == ("queued", 0, False)
    assert began is True
    assert (running["status"], running["done"], running["total"], running["percent"]) == ("running", 3, 4, 75)
    assert running["note"] == "three done"
    assert (job.status, job.summary, job.result, job.links) == (
        "done",
        "All four.",
        {"rows": 4},
        [["List", "/admin/"]],
    )
    assert job.created_by == user and job.started_at is not None and job.finished_at >= job.started_at
    assert (job.percent, job.note) == (100, "")


def test_a_job_of_unknown_size_has_no_percent_until_it_is_done():
    job = job_start(kind="test.kind", label="Unknown size")
    job_begin(job_id=job.pk)
    job_progress(job_id=job.pk, done=250)

    assert job_state(job=BackgroundJob.objects.get(pk=job.pk))["percent"] is None


def test_a_finished_job_is_not_begun_advanced_or_failed_again():
    job = job_start(kind="test.kind", label="Once")
    job_begin(job_id=job.pk)
    job_fail(job_id=job.pk, error="The channel refused.")
    finished_at = BackgroundJob.objects.get(pk=job.pk).finished_at

    began_again = job_begin(job_id=job.pk)
    job_progress(job_id=job.pk, done=9)
    job_finish(job_id=job.pk, summary="late")
    job_fail(job_id=job.pk, error="other")
    job.refresh_from_db()

    assert began_again is False
    assert (job.status, job.error, job.summary, job.done) == (JobStatus.FAILED, "The channel refused.", "", 0)
    assert job.finished_at == finished_at
    assert job_begin(job_id=999999) is False


def test_a_started_job_enqueues_its_task_with_its_id_after_commit(django_capture_on_commit_callbacks):
    user = UserFactory(role="operator")
    sent = []

    def enqueue(job_id: int) -> None:  # what task_enqueue does: send once the transaction commits
        transaction.on_commit(lambda: sent.append((job_id, BackgroundJob.objects.filter(pk=job_id).exists())))

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = job_start_enqueued(kind="test.kind", label="Queued", user=user, total=3, enqueue=enqueue)
        before_commit = list(sent)

    assert before_commit == []
    assert len(callbacks) == 1
    assert sent == [(job.pk, True)]
    assert (job.kind, job.label, job.total, job.status, job.created_by) == (
        "test.kind",
        "Queued",
        3,
        "queued",
        user,
    )


def test_a_job_whose_task_cannot_be_enqueued_is_not_kept():
    def enqueue(job_id: int) -> None:
        raise LookupError(f"no such task for job {job_id}")

    with pytest.raises(LookupError):
        job_start_enqueued(kind="test.kind", label="Lost", enqueue=enqueue)

    assert BackgroundJob.objects.count() == 0
