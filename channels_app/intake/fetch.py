"""Thin webhook deliveries (``FetchesWebhookOrders``): the order a stored delivery names is
fetched by a worker, off the request path, so the channel's quota never fails a delivery."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from channels_app.connectors.base import FetchesWebhookOrders
from channels_app.connectors.errors import ConnectorError, RetryableError
from channels_app.intake.events import order_dto_dump
from channels_app.models import InboundEvent, InboundEventStatus
from channels_app.services.accounts import account_connector
from channels_app.services.ratelimit import RateLimitTimeout

logger = logging.getLogger(__name__)


def inbound_event_fetch(*, event_id: int) -> InboundEvent | None:
    """Fetch the order of a stored ``fetch`` event and make the event pending (applied by the
    account's drain, requested after commit); return the event, None if it is gone.

    An event no longer waiting (fetched by an earlier run) is left as it is. RetryableError or
    RateLimitTimeout (the quota, our limiter, an outage) propagates and the event keeps waiting:
    the task retries with backoff, and the account's poll brings the order if every retry fails.
    Any other ConnectorError (the order was deleted) or an incomplete order ignores the event
    with why.
    """
    from channels_app.intake.batch import account_inbound_events_drain_request

    event = InboundEvent.objects.select_related("account").filter(pk=event_id).first()
    if event is None or event.status != InboundEventStatus.FETCH:
        return event
    connector = account_connector(account=event.account)
    order, error = None, "ignored: nothing to apply"
    if not isinstance(connector, FetchesWebhookOrders):
        error = f"ignored: {event.account.kind} deliveries are not fetched"
    else:
        try:
            order = connector.webhook_order_fetch(payload=event.payload)
        except (RetryableError, RateLimitTimeout):
            InboundEvent.objects.filter(pk=event_id).update(attempts=event.attempts + 1)
            raise
        except ConnectorError as exc:
            error = f"ignored: {exc}"[:2000]
    with transaction.atomic():
        updated = InboundEvent.objects.filter(pk=event_id, status=InboundEventStatus.FETCH).update(
            order=order_dto_dump(order=order) if order is not None else None,
            status=InboundEventStatus.PENDING if order is not None else InboundEventStatus.IGNORED,
            processed_at=None if order is not None else timezone.now(),
            error="" if order is not None else error,
        )
        if updated and order is not None:
            account_id = event.account_id
            transaction.on_commit(lambda: account_inbound_events_drain_request(account_id=account_id))
    event.refresh_from_db()
    return event
