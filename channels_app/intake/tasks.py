"""Tasks of the intake flow: apply one stored event, fetch a thin delivery's order, drain an
account's pending events, poll its changed orders."""

from __future__ import annotations

from celery import shared_task

from channels_app import task_names
from channels_app.connectors.errors import RetryableError
from channels_app.intake.batch import account_inbound_events_drain
from channels_app.intake.fetch import inbound_event_fetch
from channels_app.intake.orders import inbound_event_process
from channels_app.intake.polling import account_orders_sync
from channels_app.retrying import task_retry_or_raise
from channels_app.services.ratelimit import RateLimitTimeout
from config.integrations.tasks import task_enqueue


@shared_task(name=task_names.INBOUND_EVENT_PROCESS, bind=True, acks_late=True)
def inbound_event_process_task(self, event_id: int) -> None:
    """Apply one stored inbound event."""
    try:
        inbound_event_process(event_id=event_id)
    except Exception as exc:
        task_retry_or_raise(self, exc)


@shared_task(name=task_names.INBOUND_EVENT_FETCH, bind=True, acks_late=True)
def inbound_event_fetch_task(self, event_id: int) -> None:
    """Fetch the order of a thin webhook delivery (the account's poll backfills if every retry fails)."""
    try:
        inbound_event_fetch(event_id=event_id)
    except (RetryableError, RateLimitTimeout) as exc:
        task_retry_or_raise(self, exc, retry_after=getattr(exc, "retry_after", None))


@shared_task(name=task_names.INBOUND_EVENTS_DRAIN, bind=True, acks_late=True)
def inbound_events_drain_task(self, account_id: int) -> dict:
    """Apply the account's pending inbound events in batches (webhooks enqueue this)."""
    try:
        counts = account_inbound_events_drain(account_id=account_id)
    except Exception as exc:
        task_retry_or_raise(self, exc)  # the events stay pending: the sweeper enqueues them again
    if counts["left"]:
        task_enqueue(name=task_names.INBOUND_EVENTS_DRAIN, args=(account_id,))
    return counts


@shared_task(name=task_names.ACCOUNT_ORDERS_SYNC, bind=True, acks_late=True)
def account_orders_sync_task(self, account_id: int) -> dict:
    """Poll the account's changed orders."""
    try:
        return account_orders_sync(account_id=account_id, claimer=self.request.hostname or "")
    except RetryableError as exc:
        task_retry_or_raise(self, exc, retry_after=exc.retry_after)
