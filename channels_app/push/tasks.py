"""Tasks of the push flow: push an account's dirty listings; sweep the outbox."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings

from channels_app import task_names
from channels_app.push.outbox import outbox_sweep
from channels_app.push.run import account_push_dirty
from config.integrations.tasks import task_enqueue

logger = logging.getLogger(__name__)


@shared_task(name=task_names.ACCOUNT_PUSH, bind=True, max_retries=None, acks_late=True)
def account_push_task(self, account_id: int) -> dict:
    """Push the account's dirty listings; reschedule itself while some wait for a retry."""
    summary = account_push_dirty(account_id=account_id, claimer=self.request.hostname or "")
    if summary.sync_orders:
        task_enqueue(name=task_names.ACCOUNT_ORDERS_SYNC, args=(account_id,))
    if summary.retry_in is not None:
        if self.request.retries >= settings.CHANNELS_TASK_MAX_RETRIES:
            logger.warning(
                "account %s: push retries exhausted; listings stay dirty for the sweeper", account_id
            )
        else:
            raise self.retry(
                countdown=max(summary.retry_in, 0.05), max_retries=settings.CHANNELS_TASK_MAX_RETRIES
            )
    return {"pushed": summary.pushed, "held": summary.held, "failed": summary.failed}


@shared_task(name=task_names.OUTBOX_SWEEP)
def outbox_sweep_task() -> dict:
    """Re-mark drifted listings and re-request pushes for every account with dirty listings."""
    return outbox_sweep()
