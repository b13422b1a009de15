"""Celery tasks: thin. Each takes ids, loads the row, calls one service, retries with backoff.

Enqueue them with ``transaction.on_commit`` (the services do). Retries are bounded
(``SHIPPING_TASK_MAX_RETRIES``, default 8) with exponential backoff, honouring a vendor's
Retry-After; the error stays on the row (event, export, account) for staff to see and retry.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.db import transaction

from shipping_app.providers.base import ProviderError, RetryableProviderError

logger = logging.getLogger(__name__)


def _max_retries() -> int:
    return int(getattr(settings, "SHIPPING_TASK_MAX_RETRIES", 8))


def _countdown(task, exc: Exception) -> float:
    retry_after = getattr(exc, "retry_after", None)
    backoff = min(2**task.request.retries * 5, 900)
    return max(retry_after or 0, backoff)


@shared_task(bind=True, max_retries=None, acks_late=True)
def webhook_event_process_task(self, event_id: int) -> None:
    """Process one stored delivery (shipments or a tracking update)."""
    from shipping_app.services.notifications import webhook_event_process

    try:
        webhook_event_process(event_id=event_id)
    except RetryableProviderError as exc:
        if self.request.retries >= _max_retries():
            raise
        raise self.retry(exc=exc, countdown=_countdown(self, exc)) from exc


@shared_task(bind=True, max_retries=None, acks_late=True)
def account_poll_task(self, account_id: int) -> dict | None:
    """Poll one account's shipments (catches notifications that never arrived)."""
    from shipping_app.models import ShippingAccount
    from shipping_app.services.notifications import shipments_poll

    account = ShippingAccount.objects.filter(pk=account_id, enabled=True).first()
    if account is None:
        return None
    try:
        return shipments_poll(account=account)
    except RetryableProviderError as exc:
        if self.request.retries >= _max_retries():
            raise
        raise self.retry(exc=exc, countdown=_countdown(self, exc)) from exc


@shared_task(bind=True, max_retries=None, acks_late=True)
def order_export_task(self, account_id: int, order_id: int) -> None:
    """Send one order (create, update or cancel) to one shipping app."""
    from inventory_app.models import Order
    from shipping_app.models import ShippingAccount
    from shipping_app.services.exports import order_export

    account = ShippingAccount.objects.filter(pk=account_id, enabled=True, export_orders=True).first()
    order = Order.objects.filter(pk=order_id).first()
    if account is None or order is None:
        return
    try:
        order_export(account=account, order=order)
    except RetryableProviderError as exc:
        if self.request.retries >= _max_retries():
            raise
        raise self.retry(exc=exc, countdown=_countdown(self, exc)) from exc
    except ProviderError as exc:
        logger.warning("Export of order %s to account %s failed: %s", order_id, account_id, exc)


@shared_task(bind=True, max_retries=None, acks_late=True)
def channel_fulfilment_deliver_task(self, request_id: int) -> None:
    """Push one queued fulfilment (tracking) to the order's channel."""
    from channels_app.connectors.base import RetryableError
    from shipping_app.services.fulfilments import channel_fulfilment_deliver

    try:
        channel_fulfilment_deliver(request_id=request_id)
    except RetryableError as exc:
        if self.request.retries >= _max_retries():
            return  # the row stays failed with its error; the sweep tries again later
        raise self.retry(exc=exc, countdown=_countdown(self, exc)) from exc


@shared_task
def shipping_sweep_task() -> dict:
    """Beat job: per enabled account, enqueue its poll and the exports it still owes; enqueue the
    fulfilments whose next attempt is due.
    """
    from shipping_app.models import ShippingAccount
    from shipping_app.services.exports import orders_export_pending
    from shipping_app.services.fulfilments import channel_fulfilments_due

    polls = exports = 0
    for account in ShippingAccount.objects.filter(enabled=True):
        transaction.on_commit(lambda a=account.pk: account_poll_task.delay(a))
        polls += 1
        if account.export_orders:
            try:
                pending = orders_export_pending(account=account)
            except ProviderError:
                pending = []
            for order_id in pending:
                transaction.on_commit(lambda a=account.pk, o=order_id: order_export_task.delay(a, o))
                exports += 1
    due = channel_fulfilments_due()
    for request_id in due:
        transaction.on_commit(lambda r=request_id: channel_fulfilment_deliver_task.delay(r))
    return {"polls": polls, "exports": exports, "fulfilments": len(due)}
