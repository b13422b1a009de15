"""Tasks of the notifications flow: one queue consumer per account."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from channels_app import task_names
from channels_app.notifications.queue import account_notifications_pull
from channels_app.retrying import task_retry_or_raise
from config.integrations.tasks import task_enqueue


@shared_task(name=task_names.ACCOUNT_NOTIFICATIONS_PULL, bind=True, acks_late=True)
def account_notifications_pull_task(self, account_id: int) -> dict:
    """Consume the account's notification queue for about ``CHANNELS_NOTIFICATIONS_RUN_SECONDS``
    (long polls of ``CHANNELS_NOTIFICATIONS_WAIT_SECONDS``), then enqueue itself again, so one
    consumer runs per account while the account has a queue. The stalled-work rescue starts a
    lost one within seconds, beat every minute as well; a start while another consumer holds the
    lease returns at once."""
    try:
        counts = account_notifications_pull(
            account_id=account_id,
            wait_seconds=float(settings.CHANNELS_NOTIFICATIONS_WAIT_SECONDS),
            max_seconds=float(settings.CHANNELS_NOTIFICATIONS_RUN_SECONDS),
            claimer=self.request.hostname or "",
        )
    except Exception as exc:
        task_retry_or_raise(self, exc, retry_after=getattr(exc, "retry_after", None))
    if counts["configured"] and not counts["busy"] and not self.request.is_eager:
        task_enqueue(name=task_names.ACCOUNT_NOTIFICATIONS_PULL, args=(account_id,))
    return counts
