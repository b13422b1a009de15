"""Creating many new orders of one channel at once (the batched order intake).

:func:`orders_create_many` ends in the same rows as calling ``order_create`` for each order in
turn - the orders and lines, one reservation operation per order, allocations by location
priority, unknown SKUs and shortages flagged, backorders marked - with a fixed number of
statements per batch instead of some twenty per order.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from inventory_app.errors import InsufficientStock, OrderError
from inventory_app.models import (
    Allocation,
    MovementReason,
    Order,
    OrderLine,
    SalesChannel,
)
from inventory_app.services.events.record import events_orders_created_record
from inventory_app.services.ledger import StockChange
from inventory_app.services.ledger_batch import OperationInput, stock_apply_many
from inventory_app.services.orders.create import (
    OrderInput,
    ShortagePolicy,
    _line_demand,
    _order_flag_oversold,
    _orders_insert,
    _reservation_basis,
    allocation_plan,
)


def orders_create_many(
    *,
    channel: SalesChannel,
    orders: Sequence[OrderInput],
    location_ids: Sequence[int] | None = None,
    shortage: ShortagePolicy = "flag",
    user: AbstractBaseUser | None = None,
) -> list[Order]:
    """Create new orders of ``channel`` and reserve their stock, in the order given; atomic.

    Same rules as ``order_create`` (see there), but the orders must be new: an external ref
    already stored, or given twice, raises IntegrityError or :class:`OrderError` and nothing
    is created (callers fall back to ``order_create`` one by one). With ``shortage="raise"``
    the first order that cannot be covered raises :class:`InsufficientStock`.
    """
    if not orders:
        return []
    refs = [data.external_ref for data in orders]
    if len(set(refs)) != len(refs):
        raise OrderError("An external reference appears twice in the batch")
    for data in orders:
        if not data.lines:
            raise OrderError("An order needs at least one line")
        if any(line.quantity <= 0 for line in data.lines):
            raise OrderError("Line quantities must be positive")
    with transaction.atomic():
        created, lines_of = _orders_insert(channel=channel, orders=orders)
        _orders_reserve(
            orders=created, lines_of=lines_of, location_ids=location_ids, shortage=shortage, user=user
        )
        events_orders_created_record(orders=created, lines_of=lines_of)
    return created


def _orders_reserve(
    *,
    orders: Sequence[Order],
    lines_of: Sequence[Sequence[OrderLine]],
    location_ids: Sequence[int] | None,
    shortage: ShortagePolicy,
    user: AbstractBaseUser | None,
) -> None:
    demand = _line_demand([line for lines in lines_of for line in lines if line.sku_id])
    if not demand:
        return
    location_order, policies, codes, free = _reservation_basis(demand=demand, location_ids=location_ids)
    operations: list[OperationInput] = []
    allocations: list[Allocation] = []
    backordered: set[int] = set()
    for order, lines in zip(orders, lines_of, strict=True):
        own = {line.pk: demand[line.pk] for line in lines if line.pk in demand}
        if not own:
            continue
        plan, shortfalls, order_backordered = allocation_plan(
            demand=own,
            location_order=location_order,
            free=free,
            policies=policies,
            codes=codes,
        )
        if shortfalls and shortage == "raise":
            raise InsufficientStock(shortfalls)
        if shortfalls:
            _order_flag_oversold(order=order, shortfalls=shortfalls)
        backordered |= order_backordered
        merged: dict[tuple[int, int, int], int] = defaultdict(int)
        for line_id, sku_id, location_id, qty in plan:
            merged[(line_id, sku_id, location_id)] += qty
        if not merged:
            continue
        operations.append(
            OperationInput(
                changes=[
                    StockChange(sku_id=s, location_id=loc, committed_delta=qty, order_line_id=line_id)
                    for (line_id, s, loc), qty in merged.items()
                ],
                reason=MovementReason.RESERVE,
                reference=f"order:{order.pk}",
            )
        )
        allocations.extend(
            Allocation(line_id=line_id, sku_id=s, location_id=loc, quantity=qty)
            for (line_id, s, loc), qty in merged.items()
        )
    stock_apply_many(operations=operations, user=user)
    Allocation.objects.bulk_create(allocations)
    if backordered:
        OrderLine.objects.filter(pk__in=backordered).update(backordered=True)
        for lines in lines_of:
            for line in lines:
                if line.pk in backordered:
                    line.backordered = True
