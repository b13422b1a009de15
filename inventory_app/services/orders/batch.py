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
from django.utils import timezone

from inventory_app.errors import InsufficientStock, OrderError
from inventory_app.models import (
    SKU,
    Allocation,
    Location,
    MovementReason,
    Order,
    OrderLine,
    SalesChannel,
    StockLevel,
)
from inventory_app.services.ledger import StockChange
from inventory_app.services.ledger_batch import OperationInput, stock_apply_many
from inventory_app.services.orders.create import OrderInput, ShortagePolicy, _line_demand, allocation_plan


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
    return created


def _orders_insert(
    *, channel: SalesChannel, orders: Sequence[OrderInput]
) -> tuple[list[Order], list[list[OrderLine]]]:
    codes = {line.sku_code for data in orders for line in data.lines}
    skus = {s.code: s for s in SKU.objects.filter(code__in=codes)}
    now = timezone.now()
    rows = []
    for data in orders:
        unknown = sorted({line.sku_code for line in data.lines} - skus.keys())
        rows.append(
            Order(
                channel=channel,
                external_ref=data.external_ref,
                customer_name=data.customer_name,
                customer_email=data.customer_email,
                shipping_address=data.shipping_address,
                currency=data.currency,
                subtotal=data.subtotal,
                shipping_total=data.shipping_total,
                tax_total=data.tax_total,
                discount_total=data.discount_total,
                total=data.total,
                is_paid=data.is_paid,
                placed_at=data.placed_at or now,
                external_updated_at=data.external_updated_at,
                note=data.note,
                needs_attention=bool(unknown),
                attention_reason=f"Unknown SKU(s): {', '.join(unknown)}" if unknown else "",
            )
        )
    created = Order.objects.bulk_create(rows)
    if any(order.pk is None for order in created):
        raise OrderError("orders_create_many needs a database that returns inserted ids")
    lines = OrderLine.objects.bulk_create(
        [
            OrderLine(
                order=order,
                external_line_id=line.external_line_id,
                external_sku=line.sku_code,
                sku=skus.get(line.sku_code),
                title=line.title or (skus[line.sku_code].name if line.sku_code in skus else ""),
                quantity=line.quantity,
                unit_price=line.unit_price,
            )
            for order, data in zip(created, orders, strict=True)
            for line in data.lines
        ]
    )
    lines_of: list[list[OrderLine]] = []
    start = 0
    for data in orders:
        lines_of.append(lines[start : start + len(data.lines)])
        start += len(data.lines)
    return created, lines_of


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
    locations = Location.objects.filter(is_active=True)
    locations = (
        locations.filter(pk__in=location_ids)
        if location_ids is not None
        else locations.filter(is_sellable=True)
    )
    location_order = list(locations.order_by("priority", "code").values_list("pk", flat=True))
    stock_sku_ids = sorted({s for per_line in demand.values() for s in per_line})
    policies, codes = {}, {}
    for pk, policy, code in SKU.objects.filter(pk__in=stock_sku_ids).values_list(
        "pk", "backorder_policy", "code"
    ):
        policies[pk], codes[pk] = policy, code
    # Lock every level we may draw from, in primary-key order, before planning on their figures.
    free: dict[tuple[int, int], int] = {
        (row["sku_id"], row["location_id"]): row["on_hand"] - row["committed"]
        for row in StockLevel.objects.select_for_update()
        .filter(sku_id__in=stock_sku_ids, location_id__in=location_order)
        .order_by("pk")
        .values("sku_id", "location_id", "on_hand", "committed")
    }
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
            location_label="(sellable)" if location_ids is None else "(chosen)",
        )
        if shortfalls and shortage == "raise":
            raise InsufficientStock(shortfalls)
        if shortfalls:
            text = "; ".join(f"{s.sku_code} short {s.missing}" for s in shortfalls)
            order.needs_attention = True
            order.attention_reason = (
                order.attention_reason + "\n" if order.attention_reason else ""
            ) + f"Oversold: {text}"
            Order.objects.filter(pk=order.pk).update(
                needs_attention=True, attention_reason=order.attention_reason
            )
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
