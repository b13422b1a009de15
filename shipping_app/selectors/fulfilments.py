"""The fulfilment outbox as the sync engine reads it."""

from __future__ import annotations

from django.db.models import QuerySet

from shipping_app.models import ChannelFulfilmentRequest, FulfilmentRequestStatus


def channel_fulfilments_pending(*, sales_channel_id: int | None = None) -> QuerySet[ChannelFulfilmentRequest]:
    """Requests still to deliver (queued or failed), oldest first; optionally for one channel.

    Each row maps to the connector's ``FulfilmentDTO(order_external_id, lines, carrier,
    tracking_number, tracking_url)``.
    """
    qs = ChannelFulfilmentRequest.objects.filter(
        status__in=[FulfilmentRequestStatus.QUEUED, FulfilmentRequestStatus.FAILED]
    ).order_by("pk")
    if sales_channel_id is not None:
        qs = qs.filter(sales_channel_id=sales_channel_id)
    return qs
