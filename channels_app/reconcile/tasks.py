"""Tasks of the reconcile flow: correct an account's drift; re-queue stalled work."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from channels_app import task_names
from channels_app.connectors.errors import RetryableError
from channels_app.reconcile.quantities import account_reconcile
from channels_app.reconcile.rescue import stalled_work_rescue
from channels_app.retrying import task_retry_or_raise


@shared_task(name=task_names.ACCOUNT_RECONCILE, bind=True, acks_late=True)
def account_reconcile_task(self, account_id: int) -> dict:
    """Read live quantities, record and correct drift."""
    try:
        return account_reconcile(account_id=account_id)
    except RetryableError as exc:
        task_retry_or_raise(self, exc, retry_after=exc.retry_after)


@shared_task(name=task_names.STALLED_WORK_RESCUE)
def stalled_work_rescue_task() -> dict:
    """Queue drains, pushes and notification consumers that a dead worker or a restarted broker
    lost (beat, every few s)."""
    after = settings.CHANNELS_RESCUE_AFTER_SECONDS
    return stalled_work_rescue(events_older_than=after, pushes_older_than=after)
