"""Background jobs: the rows behind a long job's progress and result pages.

An integration app starts a job in the request with :func:`job_start_enqueued` (the job row, then
its own task enqueued with the job's id after commit), and its task reports through :func:`job_begin`,
:func:`job_progress`, then :func:`job_finish` or :func:`job_fail`. A finished job is never
changed again, so a task delivered twice (a worker died; tasks are acknowledged late) cannot
reopen it; :func:`job_begin` tells the task whether to run at all.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from inventory_app.models import BackgroundJob, JobStatus

UNFINISHED = (JobStatus.QUEUED, JobStatus.RUNNING)


def job_start(
    *, kind: str, label: str, user: AbstractBaseUser | None = None, total: int = 0
) -> BackgroundJob:
    """Create a queued job; the caller enqueues the task that runs it (after commit)."""
    return BackgroundJob.objects.create(
        kind=kind[:64],
        label=label[:255],
        total=max(int(total), 0),
        created_by=user if user is not None and user.is_authenticated else None,
    )


def job_start_enqueued(
    *,
    kind: str,
    label: str,
    enqueue: Callable[[int], None],
    user: AbstractBaseUser | None = None,
    total: int = 0,
) -> BackgroundJob:
    """Create a queued job and call ``enqueue(job_id)`` in the same transaction: it enqueues the
    task that runs the job after commit (``task_enqueue``), so the task is sent only when the job
    row exists, and neither is left if the enqueueing raises."""
    with transaction.atomic():
        job = job_start(kind=kind, label=label, user=user, total=total)
        enqueue(job.pk)
    return job


def job_begin(*, job_id: int) -> bool:
    """Mark the job running (the first time); False when it is finished or gone (do not run)."""
    with transaction.atomic():
        job = BackgroundJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.finished:
            return False
        if job.status == JobStatus.QUEUED:
            job.status, job.started_at = JobStatus.RUNNING, timezone.now()
            job.save(update_fields=["status", "started_at"])
    return True


def job_progress(*, job_id: int, done: int, total: int | None = None, note: str | None = None) -> None:
    """Record how far an unfinished job is (``total`` and ``note`` when given)."""
    values: dict = {"done": max(int(done), 0)}
    if total is not None:
        values["total"] = max(int(total), 0)
    if note is not None:
        values["note"] = note[:500]
    BackgroundJob.objects.filter(pk=job_id, status__in=UNFINISHED).update(**values)


def job_finish(
    *,
    job_id: int,
    summary: str,
    result: Mapping | None = None,
    links: Sequence[tuple[str, str]] = (),
    done: int | None = None,
) -> None:
    """End an unfinished job as done: its one-line summary, figures, follow-up links and (when
    given) the final count of things done."""
    values = {} if done is None else {"done": max(int(done), 0)}
    BackgroundJob.objects.filter(pk=job_id, status__in=UNFINISHED).update(
        **values,
        status=JobStatus.DONE,
        summary=summary[:500],
        result=dict(result or {}),
        links=[[label, url] for label, url in links],
        note="",
        finished_at=timezone.now(),
    )


def job_fail(*, job_id: int, error: str) -> None:
    """End an unfinished job as failed, saying why."""
    BackgroundJob.objects.filter(pk=job_id, status__in=UNFINISHED).update(
        status=JobStatus.FAILED, error=error[:2000], note="", finished_at=timezone.now()
    )
