"""The fulfilment outbox to origin channels: queue (with the shipment), deliver, mark.

The sync engine pushes a fulfilment synchronously (``channels_app.services.fulfilment.
order_fulfilment_push``) but keeps no record of it, so the durable outbox lives here: the row is
written in the shipment's transaction, a task delivers it after commit through that service, and
it stays ``queued`` or ``failed`` (visible in the admin and the API, retried by the shipping sweep
with backoff) until the channel accepted it. A channel without an account or connector yet keeps
it queued. Pending rows are listed by ``selectors.fulfilments.channel_fulfilments_pending``.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from shipping_app.models import ChannelFulfilmentRequest, FulfilmentRequestStatus, Shipment

logger = logging.getLogger(__name__)

MANUAL_CHANNEL_KINDS = {"manual"}
NO_ACCOUNT_RETRY = timedelta(hours=1)
MAX_BACKOFF = timedelta(hours=6)


def _backoff(attempts: int) -> timedelta:
    return min(timedelta(seconds=60 * 2 ** min(attempts, 12)), MAX_BACKOFF)


def channel_fulfilment_queue(*, shipment: Shipment) -> ChannelFulfilmentRequest | None:
    """Queue the shipment's lines, carrier and tracking for the order's channel (once per shipment).

    Runs in the caller's transaction. Returns the existing request if there is one, None if the
    shipment has no lines. Orders of the manual channel have nobody to tell (``not_needed``).
    """
    existing = ChannelFulfilmentRequest.objects.filter(shipment=shipment).first()
    if existing is not None:
        return existing
    lines = {
        (line.order_line.external_line_id or str(line.order_line_id)): line.quantity
        for line in shipment.lines.select_related("order_line")
    }
    if not lines:
        return None
    order = shipment.order
    channel = order.channel
    request = ChannelFulfilmentRequest.objects.create(
        shipment=shipment,
        order=order,
        sales_channel=channel,
        order_external_id=order.external_ref,
        lines=lines,
        carrier=shipment.carrier,
        tracking_number=shipment.tracking_number,
        tracking_url=shipment.tracking_url,
        status=FulfilmentRequestStatus.NOT_NEEDED
        if channel.kind in MANUAL_CHANNEL_KINDS
        else FulfilmentRequestStatus.QUEUED,
    )
    if request.status == FulfilmentRequestStatus.QUEUED:
        from shipping_app.tasks import channel_fulfilment_deliver_task

        transaction.on_commit(lambda: channel_fulfilment_deliver_task.delay(request.pk))
    return request


def channel_fulfilment_deliver(*, request_id: int) -> ChannelFulfilmentRequest:
    """Push one pending fulfilment to the order's channel through the sync engine's service.

    Delivered: marked ``delivered``. No enabled channel account (or a dry-run one): stays
    ``queued``, retried in an hour. A refusal or an unknown connector: ``failed`` with the error,
    retried with backoff by the sweep. A transient channel error (RetryableError) is recorded the
    same way and re-raised for the task to retry. The row is locked while pushing, so two workers
    never push the same fulfilment at once; a row another worker holds is skipped.
    """
    from channels_app.connectors.base import ConnectorError, RetryableError
    from channels_app.services.fulfilment import FulfilmentError, FulfilmentOutcome, order_fulfilment_push

    retry: RetryableError | None = None
    with transaction.atomic():
        request = (
            ChannelFulfilmentRequest.objects.select_for_update(skip_locked=True)
            .filter(
                pk=request_id, status__in=[FulfilmentRequestStatus.QUEUED, FulfilmentRequestStatus.FAILED]
            )
            .first()
        )
        if request is None:
            return ChannelFulfilmentRequest.objects.get(pk=request_id)
        quantities = dict(request.shipment.lines.values_list("order_line_id", "quantity"))
        now = timezone.now()
        request.attempts += 1
        try:
            sent = order_fulfilment_push(
                order_id=request.order_id,
                quantities=quantities,
                carrier=request.carrier,
                tracking_number=request.tracking_number,
                tracking_url=request.tracking_url,
                idempotency_key=f"shipping-fulfilment-{request.pk}",
            )
        except RetryableError as exc:
            retry = exc
            request.status, request.last_error = FulfilmentRequestStatus.FAILED, str(exc)[:2000]
            request.next_attempt_at = now + _backoff(request.attempts)
        except (ConnectorError, FulfilmentError, LookupError) as exc:
            request.status, request.last_error = FulfilmentRequestStatus.FAILED, str(exc)[:2000]
            request.next_attempt_at = now + _backoff(request.attempts)
        except Exception as exc:  # an outbox row must record any failure, not vanish with it
            logger.exception("Fulfilment %s could not be pushed", request.pk)
            request.status = FulfilmentRequestStatus.FAILED
            request.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            request.next_attempt_at = now + _backoff(request.attempts)
        else:
            if not sent.sent:
                request.status = FulfilmentRequestStatus.QUEUED
                request.last_error = (
                    "No enabled channel account for this channel yet: kept queued"
                    if sent.outcome == FulfilmentOutcome.NO_ACCOUNT
                    else "The channel account is in dry run: nothing sent, kept queued"
                )
                request.next_attempt_at = now + NO_ACCOUNT_RETRY
            else:
                request.status, request.last_error = FulfilmentRequestStatus.DELIVERED, ""
                request.delivered_at, request.next_attempt_at = now, None
        request.save()
    if retry is not None:
        raise retry
    return request


def channel_fulfilments_due(*, limit: int = 500) -> list[int]:
    """Ids of pending requests whose next attempt is due (for the sweep)."""
    now = timezone.now()
    return list(
        ChannelFulfilmentRequest.objects.filter(
            status__in=[FulfilmentRequestStatus.QUEUED, FulfilmentRequestStatus.FAILED]
        )
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )


def channel_fulfilment_tracking_refresh(*, shipment: Shipment) -> None:
    """Copy a changed tracking number/URL onto the shipment's request while it is not delivered."""
    ChannelFulfilmentRequest.objects.filter(
        shipment=shipment, status__in=[FulfilmentRequestStatus.QUEUED, FulfilmentRequestStatus.FAILED]
    ).update(
        carrier=shipment.carrier, tracking_number=shipment.tracking_number, tracking_url=shipment.tracking_url
    )


def channel_fulfilment_mark_delivered(*, request_id: int) -> ChannelFulfilmentRequest:
    """The channel accepted the fulfilment: mark it delivered (again: no change)."""
    with transaction.atomic():
        request = ChannelFulfilmentRequest.objects.select_for_update().get(pk=request_id)
        if request.status != FulfilmentRequestStatus.DELIVERED:
            request.status = FulfilmentRequestStatus.DELIVERED
            request.delivered_at = timezone.now()
            request.next_attempt_at = None
            request.attempts = F("attempts") + 1
            request.last_error = ""
            request.save(
                update_fields=["status", "delivered_at", "attempts", "last_error", "next_attempt_at"]
            )
            request.refresh_from_db()
    return request


def channel_fulfilment_mark_failed(*, request_id: int, error: str) -> ChannelFulfilmentRequest:
    """A delivery attempt failed: keep the request pending (``failed``) with the error shown."""
    with transaction.atomic():
        request = ChannelFulfilmentRequest.objects.select_for_update().get(pk=request_id)
        if request.status != FulfilmentRequestStatus.DELIVERED:
            request.status = FulfilmentRequestStatus.FAILED
            request.attempts = F("attempts") + 1
            request.last_error = error[:2000]
            request.save(update_fields=["status", "attempts", "last_error"])
            request.refresh_from_db()
    return request
