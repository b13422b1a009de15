"""The exceptions queue: acknowledge an order that needs attention, or resolve it (clears the flag).

Each is recorded as an :class:`~inventory_app.models.OrderAttentionEvent` with the reason the
order had, who did it and their note: the order's attention history.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from inventory_app.errors import OrderError
from inventory_app.models import AttentionAction, Order, OrderAttentionEvent


def _flagged(order_id: int) -> Order:
    order = Order.objects.select_for_update().get(pk=order_id)
    if not order.needs_attention:
        raise OrderError(f"Order {order.external_ref} does not need attention")
    return order


def order_attention_acknowledge(
    *, order: Order, user: AbstractBaseUser | None = None, note: str = ""
) -> OrderAttentionEvent:
    """Record that someone is handling the order; it stays in the queue until resolved."""
    with transaction.atomic():
        locked = _flagged(order.pk)
        return OrderAttentionEvent.objects.create(
            order=locked,
            action=AttentionAction.ACKNOWLEDGED,
            reason=locked.attention_reason,
            note=note,
            user=user,
        )


def order_attention_resolve(
    *, order: Order, user: AbstractBaseUser | None = None, note: str = ""
) -> OrderAttentionEvent:
    """Take the order out of the queue: clear its flag and reason, keeping them in the history."""
    with transaction.atomic():
        locked = _flagged(order.pk)
        event = OrderAttentionEvent.objects.create(
            order=locked,
            action=AttentionAction.RESOLVED,
            reason=locked.attention_reason,
            note=note,
            user=user,
        )
        Order.objects.filter(pk=locked.pk).update(
            needs_attention=False, attention_reason="", updated_at=timezone.now()
        )
    order.needs_attention, order.attention_reason = False, ""
    return event
