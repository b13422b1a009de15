"""The fulfilment outbox to origin channels: queue (with the shipment), mark delivered or failed.

No channel-side service for queuing a fulfilment exists yet, so the outbox lives here: the row is
written in the shipment's transaction and stays ``queued`` until the sync engine delivers it
through the channel connector's ``fulfilment_push`` and calls
:func:`channel_fulfilment_mark_delivered` (or :func:`channel_fulfilment_mark_failed`). Pending
rows are listed by ``selectors.fulfilments.channel_fulfilments_pending``.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from shipping_app.models import ChannelFulfilmentRequest, FulfilmentRequestStatus, Shipment

MANUAL_CHANNEL_KINDS = {"manual"}


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
    return ChannelFulfilmentRequest.objects.create(
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
            request.attempts = F("attempts") + 1
            request.last_error = ""
            request.save(update_fields=["status", "delivered_at", "attempts", "last_error"])
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
