"""Order creation: store the order and its lines, and reserve its stock by location priority.

Reservations are kept per (line, stock SKU, location) in :class:`Allocation` rows, so a kit line
holds one allocation per component and a shipment consumes exactly what was reserved.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Literal

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from inventory_app.errors import InsufficientStock, OrderConflict, OrderError, Shortfall
from inventory_app.models import (
    SKU,
    Allocation,
    Location,
    MovementReason,
    Order,
    OrderLine,
    SalesChannel,
    StockLevel,
    StockOperation,
)
from inventory_app.selectors.kits import kit_components_flatten
from inventory_app.selectors.orders import order_input_differences
from inventory_app.services.events.record import events_orders_created_record
from inventory_app.services.ledger import StockChange, stock_apply

ShortagePolicy = Literal["raise", "flag"]


@dataclass(frozen=True)
class OrderLineInput:
    """A line as a channel or an integrator sends it: our SKU code and a quantity."""

    sku_code: str
    quantity: int
    unit_price: Decimal = Decimal("0")
    title: str = ""
    external_line_id: str = ""


@dataclass(frozen=True)
class OrderInput:
    """Everything needed to create an order, apart from its channel."""

    external_ref: str
    lines: Sequence[OrderLineInput]
    customer_name: str = ""
    customer_email: str = ""
    shipping_address: dict = field(default_factory=dict)
    currency: str = "USD"
    subtotal: Decimal = Decimal("0")
    shipping_total: Decimal = Decimal("0")
    tax_total: Decimal = Decimal("0")
    discount_total: Decimal = Decimal("0")
    total: Decimal = Decimal("0")
    is_paid: bool = True
    placed_at: datetime | None = None
    external_updated_at: datetime | None = None
    note: str = ""


def order_create(
    *,
    channel: SalesChannel,
    data: OrderInput,
    user: AbstractBaseUser | None = None,
    location_ids: Sequence[int] | None = None,
    shortage: ShortagePolicy = "raise",
    conflict_check: bool = False,
) -> tuple[Order, bool]:
    """Create an order and reserve its stock; return (order, created).

    Idempotent on (channel, external_ref): an existing order is returned unchanged with
    created=False; with ``conflict_check`` (an integrator re-sending an order) only when the lines
    sent are those stored, otherwise :class:`OrderConflict` says what differs. Lines whose SKU
    code is unknown are stored with no SKU and the order is flagged ``needs_attention``. Stock
    is reserved from ``location_ids`` (default: active sellable locations by priority). A SKU
    that cannot be covered is backordered if its policy allows, otherwise ``shortage="raise"``
    raises InsufficientStock (nothing is created) and ``shortage="flag"`` reserves what there is
    and flags the order (for orders a channel has already taken, which must never be dropped).
    """
    if not data.lines:
        raise OrderError("An order needs at least one line")
    if any(line.quantity <= 0 for line in data.lines):
        raise OrderError("Line quantities must be positive")
    existing = Order.objects.filter(channel=channel, external_ref=data.external_ref).first()
    if existing is not None:
        return _existing_checked(order=existing, data=data, conflict_check=conflict_check), False
    try:
        with transaction.atomic():
            created, lines_of = _orders_insert(channel=channel, orders=[data])
            order, lines = created[0], lines_of[0]
            _order_reserve(
                order=order,
                user=user,
                location_ids=location_ids,
                shortage=shortage,
                lines=[line for line in lines if line.sku_id],
            )
            events_orders_created_record(orders=[order], lines_of=[lines])
    except IntegrityError:
        # The same order was created concurrently (webhook and poll at once): use that one.
        existing = Order.objects.filter(channel=channel, external_ref=data.external_ref).first()
        if existing is None:
            raise
        return _existing_checked(order=existing, data=data, conflict_check=conflict_check), False
    return order, True


def _existing_checked(*, order: Order, data: OrderInput, conflict_check: bool) -> Order:
    if conflict_check and (differences := order_input_differences(order=order, data=data)):
        raise OrderConflict(
            f"Order {data.external_ref} of this channel exists with other lines; nothing was changed.",
            differences=differences,
        )
    return order


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


def _line_demand(lines: Sequence[OrderLine]) -> dict[int, dict[int, int]]:
    """line id -> {stock SKU id: units to reserve} for the open quantity of each matched line."""
    kits = [line.sku_id for line in lines if line.sku_id and line.sku.is_kit]
    recipes = kit_components_flatten(kit_ids=kits) if kits else {}
    demand: dict[int, dict[int, int]] = {}
    for line in lines:
        if not line.sku_id or line.quantity_open <= 0:
            continue
        if line.sku.is_kit:
            recipe = recipes[line.sku_id]
            if not recipe:
                raise OrderError(f"Kit {line.sku.code} has no components")
            demand[line.pk] = {c: q * line.quantity_open for c, q in recipe.items()}
        else:
            demand[line.pk] = {line.sku_id: line.quantity_open}
    return demand


def _order_flag_oversold(*, order: Order, shortfalls: Sequence[Shortfall]) -> None:
    """Flag an order taken beyond the stock (shortage "flag"), in the database and on ``order``."""
    text = "; ".join(f"{s.sku_code} short {s.missing}" for s in shortfalls)
    order.needs_attention = True
    order.attention_reason = (
        order.attention_reason + "\n" if order.attention_reason else ""
    ) + f"Oversold: {text}"
    Order.objects.filter(pk=order.pk).update(
        needs_attention=True, attention_reason=order.attention_reason, updated_at=timezone.now()
    )


def _reservation_basis(
    *, demand: dict[int, dict[int, int]], location_ids: Sequence[int] | None
) -> tuple[dict[int, str], dict[int, str], dict[int, str], dict[tuple[int, int], int]]:
    """What planning needs: the locations (id -> code) in priority order, the stock SKUs'
    backorder policies and codes, and the free units of every level it may draw from - locked
    first, in primary-key order."""
    locations = Location.objects.filter(is_active=True)
    locations = (
        locations.filter(pk__in=location_ids)
        if location_ids is not None
        else locations.filter(is_sellable=True)
    )
    location_order = dict(locations.order_by("priority", "code").values_list("pk", "code"))
    stock_sku_ids = sorted({s for per_line in demand.values() for s in per_line})
    policies, codes = {}, {}
    for pk, policy, code in SKU.objects.filter(pk__in=stock_sku_ids).values_list(
        "pk", "backorder_policy", "code"
    ):
        policies[pk], codes[pk] = policy, code
    free: dict[tuple[int, int], int] = {
        (row["sku_id"], row["location_id"]): row["on_hand"] - row["committed"]
        for row in StockLevel.objects.select_for_update()
        .filter(sku_id__in=stock_sku_ids, location_id__in=location_order)
        .order_by("pk")
        .values("sku_id", "location_id", "on_hand", "committed")
    }
    return location_order, policies, codes, free


def _order_reserve(
    *,
    order: Order,
    user: AbstractBaseUser | None,
    location_ids: Sequence[int] | None,
    shortage: ShortagePolicy,
    lines: Sequence[OrderLine] | None = None,
) -> StockOperation | None:
    """Plan allocations on locked levels, then reserve them through the ledger."""
    if lines is None:
        lines = list(order.lines.select_related("sku").filter(sku__isnull=False))
    demand = _line_demand(lines)
    if not demand:
        return None
    location_order, policies, codes, free = _reservation_basis(demand=demand, location_ids=location_ids)
    plan, shortfalls, backordered = allocation_plan(
        demand=demand,
        location_order=location_order,
        free=free,
        policies=policies,
        codes=codes,
    )
    if shortfalls and shortage == "raise":
        raise InsufficientStock(shortfalls)
    if shortfalls:
        _order_flag_oversold(order=order, shortfalls=shortfalls)
    merged: dict[tuple[int, int, int], int] = defaultdict(int)
    for line_id, sku_id, location_id, qty in plan:
        merged[(line_id, sku_id, location_id)] += qty
    if not merged:
        return None
    changes = [
        StockChange(sku_id=sku_id, location_id=location_id, committed_delta=qty, order_line_id=line_id)
        for (line_id, sku_id, location_id), qty in merged.items()
    ]
    operation = stock_apply(
        changes=changes, reason=MovementReason.RESERVE, reference=f"order:{order.pk}", user=user
    )
    # One read of the allocations these lines already hold, one insert of the new ones.
    held = {
        (a["line_id"], a["sku_id"], a["location_id"]): a["pk"]
        for a in Allocation.objects.filter(line_id__in={key[0] for key in merged}).values(
            "pk", "line_id", "sku_id", "location_id"
        )
    }
    Allocation.objects.bulk_create(
        [
            Allocation(line_id=line_id, sku_id=sku_id, location_id=location_id, quantity=qty)
            for (line_id, sku_id, location_id), qty in merged.items()
            if (line_id, sku_id, location_id) not in held
        ]
    )
    for key, qty in merged.items():
        if key in held:
            Allocation.objects.filter(pk=held[key]).update(quantity=F("quantity") + qty)
    if backordered:
        OrderLine.objects.filter(pk__in=backordered).update(backordered=True)
    return operation


def allocation_plan(
    *,
    demand: dict[int, dict[int, int]],
    location_order: Mapping[int, str],
    free: dict[tuple[int, int], int],
    policies: dict[int, str],
    codes: dict[int, str],
) -> tuple[list[tuple[int, int, int, int]], list[Shortfall], set[int]]:
    """Plan reservations by location priority on the running free figures ``free`` (which it
    lowers): return the plan ``(line id, SKU id, location id, units)``, the shortfalls, and the
    lines backordered (the rest of a backorder SKU goes to the first location). ``location_order``
    maps the locations it may draw from, in priority order, to their codes; a shortfall names the
    first of them (where the rest would have been reserved) by id and code."""
    plan: list[tuple[int, int, int, int]] = []  # (line id, sku id, location id, qty)
    shortfalls: list[Shortfall] = []
    backordered: set[int] = set()
    first_location = next(iter(location_order), 0)
    for line_id, per_sku in demand.items():
        for sku_id, needed in per_sku.items():
            remaining = needed
            for location_id in location_order:
                take = min(max(free.get((sku_id, location_id), 0), 0), remaining)
                if take:
                    free[(sku_id, location_id)] = free.get((sku_id, location_id), 0) - take
                    plan.append((line_id, sku_id, location_id, take))
                    remaining -= take
                if not remaining:
                    break
            if not remaining:
                continue
            if policies[sku_id] == "backorder" and location_order:
                plan.append((line_id, sku_id, first_location, remaining))
                backordered.add(line_id)
            else:
                shortfalls.append(
                    Shortfall(
                        sku_id=sku_id,
                        sku_code=codes[sku_id],
                        location_id=first_location,
                        location_code=location_order.get(first_location, ""),
                        requested=needed,
                        available=needed - remaining,
                    )
                )
    return plan, shortfalls, backordered
