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
    return int(settings.SHIPPING_TASK_MAX_RETRIES)


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


@shared_task
def shipping_sweep_task() -> dict:
    """Beat job: per enabled account, enqueue its poll and the exports it still owes."""
    from shipping_app.models import ShippingAccount
    from shipping_app.services.exports import orders_export_pending

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
    return {"polls": polls, "exports": exports}
