"""Thin webhook deliveries (``FetchesWebhookOrders``): the order a stored delivery names is
fetched by a worker, off the request path, so the channel's quota never fails a delivery.

Deliveries of one order arrive together (BigCommerce sends ``created``, ``updated`` and
``statusUpdated`` for a new order, and repeats deliveries): one fetch answers every delivery of
that order already stored when the fetch starts, since what it reads is at least as new as each
of them. While a fetch of an order is in flight (a lease in the cache), other deliveries of that
order wait; the fetch, when done, requests one more fetch for any that arrived meanwhile.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from channels_app import task_names
from channels_app.connectors.base import FetchesWebhookOrders
from channels_app.connectors.errors import ConnectorError, RetryableError
from channels_app.intake.events import order_dto_dump
from channels_app.models import InboundEvent, InboundEventStatus
from channels_app.services.accounts import account_connector
from channels_app.services.ratelimit import RateLimitTimeout
from config.integrations.tasks import task_enqueue

logger = logging.getLogger(__name__)

FETCH_LEASE_SECONDS = 60  # a fetch in flight holds its order this long at most (a dead worker)
SIBLINGS_MAX = 500  # waiting deliveries of one account looked at for the same order


@contextmanager
def _order_lease(*, account_id: int, key: str | None) -> Iterator[bool]:
    """True when this process may fetch the order now (no other fetch of it is in flight).
    Without a shared cache (or with it down) every fetch proceeds: a second fetch is harmless."""
    if key is None:
        yield True
        return
    name, token = f"order-fetch:{account_id}:{key}", uuid.uuid4().hex
    try:
        taken = cache.add(name, token, timeout=FETCH_LEASE_SECONDS)
    except Exception:  # the cache is an optimisation, never a reason to fail
        logger.warning("order fetch lease unavailable; fetching without it", exc_info=True)
        yield True
        return
    try:
        yield taken
    finally:
        if taken:
            try:
                if cache.get(name) == token:
                    cache.delete(name)
            except Exception:
                logger.warning("order fetch lease not released (it expires)", exc_info=True)


def _waiting_same_order(
    *, event: InboundEvent, connector: FetchesWebhookOrders, key: str | None
) -> list[int]:
    """Ids of the account's other deliveries waiting for a fetch of the same order."""
    if key is None:
        return []
    waiting = InboundEvent.objects.filter(
        account_id=event.account_id, status=InboundEventStatus.FETCH
    ).exclude(pk=event.pk)
    return [
        pk
        for pk, payload in waiting.order_by("pk").values_list("pk", "payload")[:SIBLINGS_MAX]
        if connector.webhook_order_key(payload=payload or {}) == key
    ]


def inbound_event_fetch(*, event_id: int) -> InboundEvent | None:
    """Fetch the order of a stored ``fetch`` event and make the event pending (applied by the
    account's drain, requested after commit); return the event, None if it is gone.

    Deliveries of the same order stored before the fetch started are answered by it (ignored,
    saying so). An event no longer waiting (answered by an earlier fetch) is left as it is; one
    whose order is being fetched by another worker waits for that fetch's follow-up.
    RetryableError or RateLimitTimeout (the quota, our limiter, an outage) propagates and the
    event keeps waiting: the task retries with backoff, and the account's poll brings the order
    if every retry fails. Any other ConnectorError (the order was deleted) or an incomplete order
    ignores the event with why.
    """
    from channels_app.intake.batch import account_inbound_events_drain_request

    event = InboundEvent.objects.select_related("account").filter(pk=event_id).first()
    if event is None or event.status != InboundEventStatus.FETCH:
        return event
    connector = account_connector(account=event.account)
    if not isinstance(connector, FetchesWebhookOrders):
        _event_settle(
            event=event, order=None, error=f"ignored: {event.account.kind} deliveries are not fetched"
        )
        return event
    key = connector.webhook_order_key(payload=event.payload)
    with _order_lease(account_id=event.account_id, key=key) as free:
        if not free:
            return event  # the fetch in flight requests another for deliveries it did not cover
        covered = _waiting_same_order(event=event, connector=connector, key=key)
        order, error = None, "ignored: nothing to apply"
        try:
            order = connector.webhook_order_fetch(payload=event.payload)
        except (RetryableError, RateLimitTimeout):
            InboundEvent.objects.filter(pk=event_id).update(attempts=event.attempts + 1)
            raise
        except ConnectorError as exc:
            error = f"ignored: {exc}"[:2000]
        with transaction.atomic():
            settled = _event_settle(event=event, order=order, error=error)
            if settled and covered:
                InboundEvent.objects.filter(pk__in=covered, status=InboundEventStatus.FETCH).update(
                    status=InboundEventStatus.IGNORED,
                    processed_at=timezone.now(),
                    error=f"ignored: answered by the fetch of event {event.pk} (same order)",
                )
            if settled and order is not None:
                account_id = event.account_id
                transaction.on_commit(lambda: account_inbound_events_drain_request(account_id=account_id))
    later = _waiting_same_order(event=event, connector=connector, key=key)
    if later:
        task_enqueue(name=task_names.INBOUND_EVENT_FETCH, args=(later[0],))
    event.refresh_from_db()
    return event


def _event_settle(*, event: InboundEvent, order, error: str) -> bool:
    """Store the fetched order (pending) or why there is none (ignored), if the event still
    waits; True when it did."""
    return bool(
        InboundEvent.objects.filter(pk=event.pk, status=InboundEventStatus.FETCH).update(
            order=order_dto_dump(order=order) if order is not None else None,
            status=InboundEventStatus.PENDING if order is not None else InboundEventStatus.IGNORED,
            processed_at=None if order is not None else timezone.now(),
            error="" if order is not None else error,
        )
    )
