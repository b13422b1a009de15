"""Writing events, always inside the caller's transaction (they commit or vanish with the change).

Availability events carry only the SKU; the publisher fills in the figure when it numbers the
event (see ``publish``), so the last event of a SKU or kit always shows the committed figure.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import transaction
from django.utils import timezone

from inventory_app.models import Event, EventType, Order, OrderLine, OrderShipment


def events_record(*, events: Sequence[tuple[str, str, dict]]) -> list[Event]:
    """Write ``(type, key, payload)`` events now; ask for publication after commit."""
    if not events:
        return []
    now = timezone.now()
    rows = Event.objects.bulk_create(
        [Event(type=type_, key=key, payload=payload, occurred_at=now) for type_, key, payload in events]
    )
    from inventory_app.services.events.publish import events_publish_request

    transaction.on_commit(events_publish_request)
    return rows


def events_availability_record(*, sku_ids: Iterable[int]) -> list[Event]:
    """One ``availability.changed`` event per SKU of ``sku_ids`` and per kit containing one."""
    from inventory_app.selectors.kits import sku_kits_containing

    base = set(sku_ids)
    affected = sorted(base | sku_kits_containing(sku_ids=base)) if base else []
    return events_record(
        events=[(EventType.AVAILABILITY_CHANGED, f"sku:{pk}", {"sku_id": pk}) for pk in affected]
    )


def order_payload(*, order: Order, lines: Sequence[OrderLine]) -> dict:
    """What an order event carries: the order's state and its lines."""
    return {
        "order_id": order.pk,
        "channel": order.channel.code,
        "external_ref": order.external_ref,
        "status": order.status,
        "needs_attention": order.needs_attention,
        "placed_at": order.placed_at.isoformat() if order.placed_at else None,
        "lines": [
            {
                "line_id": line.pk,
                "sku": line.external_sku,
                "sku_id": line.sku_id,
                "quantity": line.quantity,
                "quantity_shipped": line.quantity_shipped,
                "quantity_cancelled": line.quantity_cancelled,
            }
            for line in lines
        ],
    }


def events_orders_created_record(*, orders: Sequence[Order], lines_of: Sequence[Sequence[OrderLine]]) -> None:
    """``order.created`` for new orders (their lines given, as just inserted)."""
    events_record(
        events=[
            (EventType.ORDER_CREATED, f"order:{order.pk}", order_payload(order=order, lines=lines))
            for order, lines in zip(orders, lines_of, strict=True)
        ]
    )


def event_order_record(*, order_id: int, type: str) -> None:
    """``order.updated`` or ``order.cancelled`` with the order as it is now (in this transaction)."""
    order = Order.objects.select_related("channel").get(pk=order_id)
    lines = list(OrderLine.objects.filter(order_id=order_id).order_by("pk"))
    events_record(events=[(type, f"order:{order_id}", order_payload(order=order, lines=lines))])


def event_shipment_record(*, shipment: OrderShipment) -> None:
    """``shipment.created`` (keyed by its order, so it follows the order's own events)."""
    events_record(
        events=[
            (
                EventType.SHIPMENT_CREATED,
                f"order:{shipment.order_id}",
                {
                    "shipment_id": shipment.pk,
                    "order_id": shipment.order_id,
                    "external_ref": shipment.order.external_ref,
                    "quantities": shipment.quantities,
                    "carrier": shipment.carrier,
                    "tracking_number": shipment.tracking_number,
                    "tracking_url": shipment.tracking_url,
                    "from_channel": shipment.from_channel,
                },
            )
        ]
    )
