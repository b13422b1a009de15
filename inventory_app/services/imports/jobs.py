"""Catalog imports in the background: a job row, a Celery task, status, progress and the report.

A file of more than ``IMPORT_INLINE_MAX_ROWS`` data rows (default 500), or any file the caller
asks to run in the background, becomes an :class:`ImportJob`; the task runs it in a worker.
Limits: ``IMPORT_MAX_BYTES`` (default 20 MB) and ``IMPORT_MAX_ROWS`` (default 100,000 rows; see
``make bench-bulk`` for the time such a file takes).

Nothing is lost when a worker dies: the task is acknowledged late, so the broker delivers it
again; the import is one transaction (all or nothing), so the interrupted run left nothing and
the new delivery starts it over. A job that is done is never run twice.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from inventory_app.models import ImportJob, ImportJobStatus
from inventory_app.services.imports import catalog_import_csv


class ImportTooLarge(ValueError):
    """The file is over the byte or row limit."""


def import_limits() -> tuple[int, int, int]:
    """(max bytes, max data rows, max rows run inline in the request)."""
    return (
        int(settings.IMPORT_MAX_BYTES),
        int(settings.IMPORT_MAX_ROWS),
        int(settings.IMPORT_INLINE_MAX_ROWS),
    )


def import_rows_count(*, content: str) -> int:
    """Data rows of a CSV (lines after the header, blank lines not counted); cheap, no parsing."""
    return max(sum(1 for line in content.splitlines() if line.strip()) - 1, 0)


def import_size_check(*, size: int, rows: int) -> None:
    """Raise ImportTooLarge when a file is over the limits."""
    max_bytes, max_rows, _ = import_limits()
    if size > max_bytes:
        raise ImportTooLarge(f"The file is larger than {max_bytes:,} bytes.")
    if rows > max_rows:
        raise ImportTooLarge(f"The file has more than {max_rows:,} rows; split it.")


def import_job_create(
    *, content: str, dry_run: bool, user: AbstractBaseUser | None, filename: str = ""
) -> ImportJob:
    """Queue a catalog import; the task starts after commit."""
    from inventory_app.tasks import catalog_import_task

    rows = import_rows_count(content=content)
    import_size_check(size=len(content.encode()), rows=rows)
    job = ImportJob.objects.create(
        created_by=user if user is not None and user.is_authenticated else None,
        dry_run=dry_run,
        filename=filename[:255],
        rows_total=rows,
        content=content,
    )
    transaction.on_commit(lambda: catalog_import_task.delay(job.pk))
    return job


def import_job_run(*, job_id: int) -> ImportJob:
    """Run a queued (or interrupted) job: status running, the import, then done with its report."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job_id)
        if job.status in (ImportJobStatus.DONE, ImportJobStatus.FAILED):
            return job
        job.status, job.started_at, job.progress = ImportJobStatus.RUNNING, timezone.now(), 0
        job.save(update_fields=["status", "started_at", "progress"])

    def progress(percent: int) -> None:
        ImportJob.objects.filter(pk=job_id).update(progress=percent)

    report = catalog_import_csv(
        content=job.content, dry_run=job.dry_run, user=job.created_by, on_progress=progress
    )
    job.status, job.progress, job.finished_at = ImportJobStatus.DONE, 100, timezone.now()
    job.result, job.content = report.as_dict(), ""
    job.save(update_fields=["status", "progress", "finished_at", "result", "content"])
    return job


def import_job_fail(*, job_id: int, error: str) -> None:
    """Mark a job failed with why (the task gave up on it)."""
    ImportJob.objects.filter(pk=job_id).exclude(status=ImportJobStatus.DONE).update(
        status=ImportJobStatus.FAILED, error=error[:2000], finished_at=timezone.now(), content=""
    )
