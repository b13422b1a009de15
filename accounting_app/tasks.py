"""Celery tasks of the accounting exports: take ids, call one service, retry with bounded backoff.

Transient vendor failures (429 beyond the in-request waits, 5xx, timeouts, dropped answers) and
a busy connection are retried with exponential backoff (at least the vendor's Retry-After), at
most ``ACCOUNTING_TASK_MAX_RETRIES`` times; what is still not posted then stays on the export
log, where staff can retry it. Refusals (not connected, unmapped accounts) are recorded on the
connection and not retried; so is a refused refresh token (the connection is marked
``needs_reconnect`` until someone connects it again).
"""

from __future__ import annotations

import logging
from datetime import date

from celery import shared_task
from django.conf import settings

logger = logging.getLogger(__name__)


def _max_retries() -> int:
    return settings.ACCOUNTING_TASK_MAX_RETRIES


def _countdown(retries: int, retry_after: float | None) -> float:
    return min(max(retry_after or 0.0, 30.0 * 2**retries), 3600.0)


def _run(task, call, job_id: int | None = None) -> dict:
    """Run ``call``; with ``job_id``, a refusal or retries given up fail that background job."""
    from accounting_app.exporters.errors import AuthorizationError, RetryableError
    from accounting_app.services.exports import ExportBusy, ExportRefused
    from inventory_app.services.jobs import job_fail, job_progress

    try:
        run = call()
    except (ExportRefused, AuthorizationError) as exc:
        logger.warning("accounting export refused: %s", exc)
        if job_id:
            job_fail(job_id=job_id, error=f"Refused: {exc}")
        return {"refused": str(exc)}
    except (RetryableError, ExportBusy) as exc:
        if task.request.retries >= _max_retries():
            logger.warning("accounting export: retries exhausted (%s); see the export log", exc)
            if job_id:
                job_fail(job_id=job_id, error=f"Gave up after {task.request.retries} retries: {exc}")
            return {"gave_up": str(exc)}
        retry_after = getattr(exc, "retry_after", None)
        if job_id:
            job_progress(job_id=job_id, done=0, note=f"Waiting to try again: {exc}")
        raise task.retry(
            exc=exc, countdown=_countdown(task.request.retries, retry_after), max_retries=_max_retries()
        ) from exc
    if run is None:  # its background job was finished already
        return {}
    return {"run": run.pk, "posted": run.posted, "skipped": run.skipped, "failed": run.failed}


@shared_task(bind=True, acks_late=True)
def accounting_export_task(
    self, connection_id: int, date_from: str, date_to: str, scheduled: bool = False, job_id: int | None = None
) -> dict:
    """Export one connection's period (ISO dates); a scheduled run also moves ``exported_through``;
    ``job_id``: the background job started from the admin that follows it."""
    from accounting_app.services.export_jobs import export_job_run
    from accounting_app.services.exports import period_export, scheduled_export_run

    start, end = date.fromisoformat(date_from), date.fromisoformat(date_to)
    if job_id:
        return _run(
            self,
            lambda: export_job_run(job_id=job_id, connection_id=connection_id, date_from=start, date_to=end),
            job_id=job_id,
        )
    if scheduled:
        return _run(
            self, lambda: scheduled_export_run(connection_id=connection_id, date_from=start, date_to=end)
        )
    return _run(self, lambda: period_export(connection_id=connection_id, date_from=start, date_to=end))


@shared_task(bind=True, acks_late=True)
def accounting_document_retry_task(self, document_id: int) -> dict:
    """Post one logged document again (admin/API retry)."""
    from accounting_app.services.exports import document_retry

    return _run(self, lambda: document_retry(document_id=document_id))


@shared_task(acks_late=True)
def accounting_exports_due_task() -> int:
    """Beat: enqueue the scheduled export of every connection with whole days left to post."""
    from accounting_app.services.exports import scheduled_exports_due
    from accounting_app.services.schedule import export_enqueue

    due = scheduled_exports_due()
    for connection_id, start, end in due:
        export_enqueue(connection_id=connection_id, date_from=start, date_to=end, scheduled=True)
    return len(due)
