"""Details an order was created without, filled in from a later and fuller account of it.

A channel may first tell us of an order in a short form (Amazon's ORDER_CHANGE notification
carries SKUs and quantities but no prices; a poll may come before the buyer's address is
released). Stock moves on that first account; the money and the buyer follow when the channel's
fuller record arrives, and are filled in here. Only empty values are filled: nothing a channel or
a person already set is overwritten, and no stock moves.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from inventory_app.models import EventType, Order, OrderLine
from inventory_app.services.events.record import event_order_record


@dataclass(frozen=True)
class OrderDetails:
    """What a fuller account of an order says; empty or zero values mean "not said"."""

    currency: str = ""
    total: Decimal = Decimal("0")
    customer_name: str = ""
    customer_email: str = ""
    shipping_address: Mapping[str, object] = field(default_factory=dict)
    line_prices: Mapping[str, Decimal] = field(default_factory=dict)  # external line id -> unit price


def order_details_missing(*, order: Order, details: OrderDetails) -> bool:
    """True if ``details`` would fill something on ``order`` (read from the order row alone: line
    prices are filled along with a missing total)."""
    pairs = (
        (order.total, details.total),
        (order.customer_name, details.customer_name),
        (order.customer_email, details.customer_email),
        (order.shipping_address, details.shipping_address),
    )
    return any(not ours and theirs for ours, theirs in pairs)


@transaction.atomic
def order_details_fill(*, order: Order, details: OrderDetails) -> list[str]:
    """Fill the order's empty total (with its currency), buyer name, e-mail and address, and the
    zero unit prices of its lines, from ``details``; return the names of what was filled
    (``lines`` for prices). Nothing already set changes."""
    filled: dict[str, object] = {}
    if not order.total and details.total:
        filled["total"] = details.total
        if details.currency:
            filled["currency"] = details.currency[:3]
    for name in ("customer_name", "customer_email"):
        if not getattr(order, name) and getattr(details, name):
            filled[name] = str(getattr(details, name))[:255]
    if not order.shipping_address and details.shipping_address:
        filled["shipping_address"] = dict(details.shipping_address)
    priced = 0
    if details.line_prices:
        for line in OrderLine.objects.select_for_update().filter(order=order, unit_price=0):
            price = details.line_prices.get(line.external_line_id)
            if price:
                priced += OrderLine.objects.filter(pk=line.pk, unit_price=0).update(unit_price=price)
    if filled or priced:
        Order.objects.filter(pk=order.pk).update(**filled, updated_at=timezone.now())
        for name, value in filled.items():
            setattr(order, name, value)
        event_order_record(order_id=order.pk, type=EventType.ORDER_UPDATED)
    return sorted(filled) + (["lines"] if priced else [])
