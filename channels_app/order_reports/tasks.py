"""Tasks of the order-reports flow: shipments and cancellations made here, told to the channel."""

from __future__ import annotations

from celery import shared_task

from channels_app import task_names
from channels_app.connectors.errors import RetryableError
from channels_app.order_reports.fulfilment import order_fulfilment_push
from channels_app.order_reports.pushes import channel_order_push_deliver, channel_order_pushes_sweep
from channels_app.retrying import task_retry_or_raise


@shared_task(name=task_names.ORDER_FULFILMENT_PUSH, bind=True, acks_late=True)
def order_fulfilment_push_task(
    self,
    order_id: int,
    quantities: dict,
    carrier: str = "",
    tracking_number: str = "",
    tracking_url: str = "",
) -> None:
    """Report a shipment to the order's channel (JSON keys of ``quantities`` are line ids)."""
    try:
        order_fulfilment_push(
            order_id=order_id,
            quantities={int(k): int(v) for k, v in quantities.items()},
            carrier=carrier,
            tracking_number=tracking_number,
            tracking_url=tracking_url,
        )
    except RetryableError as exc:
        task_retry_or_raise(self, exc, retry_after=exc.retry_after)


@shared_task(name=task_names.CHANNEL_ORDER_PUSH, bind=True, acks_late=True)
def channel_order_push_task(self, push_id: int) -> str:
    """Tell the order's channel one shipment or cancellation made here (see ``pushes``)."""
    try:
        return channel_order_push_deliver(push_id=push_id).status
    except RetryableError as exc:
        task_retry_or_raise(self, exc, retry_after=exc.retry_after)


@shared_task(name=task_names.CHANNEL_ORDER_PUSHES_SWEEP)
def channel_order_pushes_sweep_task() -> int:
    """Enqueue the order pushes whose next attempt is due (beat, every minute)."""
    return channel_order_pushes_sweep()
