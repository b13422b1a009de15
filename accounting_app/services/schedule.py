"""Scheduled exports: one django_celery_beat row runs the due-exports task every hour, and
the enqueue helpers every caller uses (after commit, with ids only)."""

from __future__ import annotations

from datetime import date

from django_celery_beat.models import IntervalSchedule, PeriodicTask

from config.integrations.tasks import task_enqueue

DUE_TASK = "accounting_app.tasks.accounting_exports_due_task"
EXPORT_TASK = "accounting_app.tasks.accounting_export_task"
DOCUMENT_RETRY_TASK = "accounting_app.tasks.accounting_document_retry_task"
DUE_NAME = "accounting: post due exports"


def accounting_schedule_ensure(*, every_seconds: int = 3600) -> PeriodicTask:
    """Create or update the beat row (idempotent; the data migration does the same)."""
    interval, _ = IntervalSchedule.objects.get_or_create(every=every_seconds, period=IntervalSchedule.SECONDS)
    task, _ = PeriodicTask.objects.update_or_create(
        name=DUE_NAME, defaults={"task": DUE_TASK, "interval": interval, "enabled": True}
    )
    return task


def export_enqueue(
    *, connection_id: int, date_from: date, date_to: date, scheduled: bool = False, job_id: int | None = None
) -> None:
    """Enqueue an export of the period once the current transaction commits (``job_id``: the
    background job that follows it)."""
    args = (connection_id, date_from.isoformat(), date_to.isoformat(), scheduled)
    task_enqueue(name=EXPORT_TASK, args=args, kwargs={"job_id": job_id} if job_id else None)


def document_retry_enqueue(*, document_id: int) -> None:
    """Enqueue the retry of one logged document once the current transaction commits."""
    task_enqueue(name=DOCUMENT_RETRY_TASK, args=(document_id,))
