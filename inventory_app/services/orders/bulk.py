"""Creating a caller's list of orders one by one, each kept or refused on its own (the bulk
orders endpoint)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from inventory_app.errors import OrderError, StockError
from inventory_app.models import Order, SalesChannel
from inventory_app.services.orders.create import OrderInput, order_create


@dataclass(frozen=True)
class OrderBulkOutcome:
    """What became of one order: ``created``, ``existing`` (already there with the same lines) or
    ``failed`` with the core's ``refusal`` (a conflict, a shortage, another order or stock error)."""

    order: Order | None
    status: str
    refusal: OrderError | StockError | None = None


def orders_bulk_create(
    *, orders: Sequence[tuple[SalesChannel, OrderInput]], user: AbstractBaseUser | None
) -> list[OrderBulkOutcome]:
    """Create each (channel, order) in turn, in its own transaction: idempotent on (channel,
    external_ref), refusing a shortage and an order already there with other lines. One outcome
    per order, in order; a refused order changes nothing and does not stop the others."""
    outcomes = []
    for channel, data in orders:
        try:
            with transaction.atomic():
                order, created = order_create(
                    channel=channel, data=data, user=user, shortage="raise", conflict_check=True
                )
        except (OrderError, StockError) as exc:
            outcomes.append(OrderBulkOutcome(order=None, status="failed", refusal=exc))
        else:
            outcomes.append(OrderBulkOutcome(order=order, status="created" if created else "existing"))
    return outcomes
