"""Celery tasks of the core: take ids, call one service, retry with a bounded backoff (catalog
import jobs; the e-mail alerts: beat runs the check every few minutes, the digest daily)."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import DatabaseError

logger = logging.getLogger(__name__)

MAX_RETRIES = 3


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True)
def catalog_import_task(self, job_id: int) -> dict:
    """Run one catalog import job; a database error is retried (30 s, 60 s, 120 s), then the job
    is marked failed with why."""
    from inventory_app.services.imports.jobs import import_job_fail, import_job_run

    try:
        job = import_job_run(job_id=job_id)
    except DatabaseError as exc:
        if self.request.retries >= MAX_RETRIES:
            logger.warning("catalog import %s failed: %s", job_id, exc)
            import_job_fail(job_id=job_id, error=f"The import failed: {exc}")
            return {"job": job_id, "status": "failed"}
        raise self.retry(exc=exc, countdown=30 * 2**self.request.retries, max_retries=MAX_RETRIES) from exc
    except Exception as exc:  # a bug must not leave the job "running" for ever
        logger.exception("catalog import %s failed", job_id)
        import_job_fail(job_id=job_id, error=f"The import failed unexpectedly: {type(exc).__name__}")
        return {"job": job_id, "status": "failed"}
    return {"job": job.pk, "status": job.status}


@shared_task(autoretry_for=(OSError,), retry_backoff=True, retry_backoff_max=600, max_retries=5)
def alerts_notify_task() -> int:
    """Mail new alerts (a mail server that does not answer is retried with backoff)."""
    from inventory_app.services.alerts import alerts_notify

    return alerts_notify()


@shared_task
def dashboard_refresh_task() -> bool:
    """Recompute the dashboard's snapshot into the cache (beat, every DASHBOARD_CACHE_SECONDS; a
    missed run only leaves an older snapshot, or the page computes it itself)."""
    from inventory_app.services.dashboard import dashboard_figures_refresh

    return dashboard_figures_refresh() is not None


@shared_task(autoretry_for=(OSError,), retry_backoff=True, retry_backoff_max=600, max_retries=5)
def alerts_digest_task() -> int:
    """Mail the daily digest when ALERTS_DIGEST is on."""
    from inventory_app.services.alerts import alerts_digest_send

    return alerts_digest_send()


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True)
def events_publish_task(self) -> int:
    """Number new events and fan them out to webhook endpoints (a database error is retried)."""
    from inventory_app.services.events.publish import events_publish

    try:
        return events_publish()
    except DatabaseError as exc:
        raise self.retry(exc=exc, countdown=2**self.request.retries, max_retries=MAX_RETRIES) from exc


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True)
def webhook_deliver_task(self, endpoint_id: int) -> dict:
    """Send what is due to one webhook endpoint (failed tries are rescheduled on their rows;
    a database error retries the task)."""
    from inventory_app.services.events.delivery import webhook_endpoint_deliver

    try:
        run = webhook_endpoint_deliver(endpoint_id=endpoint_id)
    except DatabaseError as exc:
        raise self.retry(exc=exc, countdown=2**self.request.retries, max_retries=MAX_RETRIES) from exc
    return {"endpoint": endpoint_id, "delivered": run.delivered, "failed": run.failed}


@shared_task
def events_sweep_task() -> dict:
    """Beat: publish leftovers, prune past retention, wake endpoints with due retries."""
    from inventory_app.services.events.sweep import events_sweep

    result = events_sweep()
    for endpoint_id in result["endpoints"]:
        webhook_deliver_task.delay(endpoint_id)
    return result
