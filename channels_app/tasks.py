"""Celery tasks of the sync engine: take ids, call one service, retry with bounded backoff.

Tasks are enqueued with ``transaction.on_commit`` by the services. A task that runs out of
retries leaves its rows as they are (dirty listings stay dirty, failed events stay failed) for
the sweeper and for staff, who can retry from the admin or the API.
"""

from __future__ import annotations

import logging
from typing import NoReturn

from celery import shared_task
from celery.signals import worker_ready
from django.conf import settings

from channels_app.connectors.errors import RetryableError

logger = logging.getLogger(__name__)


def _countdown(retries: int, retry_after: float | None = None) -> float:
    from channels_app.services.push_marks import backoff_seconds

    return backoff_seconds(failures=retries + 1, retry_after=retry_after)


def _retry_or_raise(task, exc: Exception, *, retry_after: float | None = None) -> NoReturn:
    """Retry ``task`` after the bounded backoff, or re-raise ``exc`` once its retries are spent."""
    if task.request.retries >= settings.CHANNELS_TASK_MAX_RETRIES:
        raise exc
    raise task.retry(
        exc=exc,
        countdown=_countdown(task.request.retries, retry_after),
        max_retries=settings.CHANNELS_TASK_MAX_RETRIES,
    ) from exc


@shared_task(bind=True, max_retries=None, acks_late=True)
def account_push_task(self, account_id: int) -> dict:
    """Push the account's dirty listings; reschedule itself while some wait for a retry."""
    from channels_app.services.push import account_push_dirty

    summary = account_push_dirty(account_id=account_id, claimer=self.request.hostname or "")
    if summary.sync_orders:
        account_orders_sync_task.delay(account_id)
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


@shared_task(bind=True, acks_late=True)
def inbound_event_process_task(self, event_id: int) -> None:
    """Apply one stored inbound event."""
    from channels_app.services.intake import inbound_event_process

    try:
        inbound_event_process(event_id=event_id)
    except Exception as exc:
        _retry_or_raise(self, exc)


@shared_task(bind=True, acks_late=True)
def inbound_events_drain_task(self, account_id: int) -> dict:
    """Apply the account's pending inbound events in batches (webhooks enqueue this)."""
    from channels_app.services.intake_batch import account_inbound_events_drain

    try:
        counts = account_inbound_events_drain(account_id=account_id)
    except Exception as exc:
        _retry_or_raise(self, exc)  # the events stay pending: the sweeper enqueues them again
    if counts["left"]:
        inbound_events_drain_task.delay(account_id)
    return counts


@shared_task(bind=True, acks_late=True)
def account_listings_import_task(self, account_id: int) -> dict:
    """Import the account's listings and auto-link them (sync-now ``listings``)."""
    from channels_app.services.onboarding import account_listings_import_by_id

    try:
        return account_listings_import_by_id(account_id=account_id)
    except RetryableError as exc:
        _retry_or_raise(self, exc, retry_after=exc.retry_after)


@shared_task(bind=True, acks_late=True)
def account_orders_sync_task(self, account_id: int) -> dict:
    """Poll the account's changed orders."""
    from channels_app.services.polling import account_orders_sync

    try:
        return account_orders_sync(account_id=account_id, claimer=self.request.hostname or "")
    except RetryableError as exc:
        _retry_or_raise(self, exc, retry_after=exc.retry_after)


@shared_task(bind=True, acks_late=True)
def account_notifications_pull_task(self, account_id: int) -> dict:
    """Consume the account's notification queue for about ``CHANNELS_NOTIFICATIONS_RUN_SECONDS``
    (long polls of ``CHANNELS_NOTIFICATIONS_WAIT_SECONDS``), then enqueue itself again, so one
    consumer runs per account while the account has a queue. The stalled-work rescue starts a
    lost one within seconds, beat every minute as well; a start while another consumer holds the
    lease returns at once."""
    from channels_app.services.notifications import account_notifications_pull

    try:
        counts = account_notifications_pull(
            account_id=account_id,
            wait_seconds=float(settings.CHANNELS_NOTIFICATIONS_WAIT_SECONDS),
            max_seconds=float(settings.CHANNELS_NOTIFICATIONS_RUN_SECONDS),
            claimer=self.request.hostname or "",
        )
    except Exception as exc:
        _retry_or_raise(self, exc, retry_after=getattr(exc, "retry_after", None))
    if counts["configured"] and not counts["busy"] and not self.request.is_eager:
        account_notifications_pull_task.delay(account_id)
    return counts


@shared_task(bind=True, acks_late=True)
def account_reconcile_task(self, account_id: int) -> dict:
    """Read live quantities, record and correct drift."""
    from channels_app.services.reconcile import account_reconcile

    try:
        return account_reconcile(account_id=account_id)
    except RetryableError as exc:
        _retry_or_raise(self, exc, retry_after=exc.retry_after)


@shared_task
def outbox_sweep_task() -> dict:
    """Re-mark drifted listings and re-request pushes for every account with dirty listings."""
    from channels_app.services.outbox import outbox_sweep

    return outbox_sweep()


@shared_task
def stalled_work_rescue_task() -> dict:
    """Queue drains, pushes and notification consumers that a dead worker or a restarted broker
    lost (beat, every few s)."""
    from channels_app.services.rescue import stalled_work_rescue

    after = settings.CHANNELS_RESCUE_AFTER_SECONDS
    return stalled_work_rescue(events_older_than=after, pushes_older_than=after)


@shared_task(bind=True, acks_late=True)
def order_fulfilment_push_task(
    self,
    order_id: int,
    quantities: dict,
    carrier: str = "",
    tracking_number: str = "",
    tracking_url: str = "",
) -> None:
    """Report a shipment to the order's channel (JSON keys of ``quantities`` are line ids)."""
    from channels_app.services.fulfilment import order_fulfilment_push

    try:
        order_fulfilment_push(
            order_id=order_id,
            quantities={int(k): int(v) for k, v in quantities.items()},
            carrier=carrier,
            tracking_number=tracking_number,
            tracking_url=tracking_url,
        )
    except RetryableError as exc:
        _retry_or_raise(self, exc, retry_after=exc.retry_after)


@shared_task(bind=True, acks_late=True)
def channel_order_push_task(self, push_id: int) -> str:
    """Tell the order's channel one shipment or cancellation made here (see ``order_pushes``)."""
    from channels_app.services.order_pushes import channel_order_push_deliver

    try:
        return channel_order_push_deliver(push_id=push_id).status
    except RetryableError as exc:
        _retry_or_raise(self, exc, retry_after=exc.retry_after)


@shared_task
def channel_order_pushes_sweep_task() -> int:
    """Enqueue the order pushes whose next attempt is due (beat, every minute)."""
    from channels_app.services.order_pushes import channel_order_pushes_sweep

    return channel_order_pushes_sweep()


@worker_ready.connect
def _worker_ready(sender=None, **_kwargs) -> None:
    """A worker starting releases what its previous run claimed (it died mid-push or mid-poll)
    and re-queues the work whose tasks it may have taken down with it."""
    from channels_app.services.push import worker_claims_release
    from channels_app.services.rescue import stalled_work_rescue

    hostname = getattr(sender, "hostname", "") or ""
    try:
        released = worker_claims_release(claimer=hostname)
    except Exception:  # the database may not be reachable yet: the leases run out anyway
        logger.warning("worker %s: claims of its previous run not released", hostname, exc_info=True)
        return
    if released["listings"] or released["polls"]:
        logger.warning("worker %s: released claims of its previous run: %s", hostname, released)
    try:
        rescued = stalled_work_rescue(events_older_than=0.0, pushes_older_than=0.0)
    except Exception:  # beat's rescue runs every few seconds anyway
        logger.warning("worker %s: stalled work not re-queued", hostname, exc_info=True)
        return
    if rescued["drains"] or rescued["pushes"] or rescued["consumers"]:
        logger.warning("worker %s: re-queued stalled work: %s", hostname, rescued)
