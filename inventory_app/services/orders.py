"""Orders: create (reserving stock), cancel (releasing), ship lines (consuming), link unknown SKUs.

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

from inventory_app.errors import InsufficientStock, OrderError, Shortfall
from inventory_app.models import (
    SKU,
    Allocation,
    Location,
    MovementReason,
    Order,
    OrderLine,
    OrderStatus,
    SalesChannel,
    StockLevel,
    StockOperation,
)
from inventory_app.selectors.kits import kit_components_flatten
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
) -> tuple[Order, bool]:
    """Create an order and reserve its stock; return (order, created).

    Idempotent on (channel, external_ref): an existing order is returned unchanged with
    created=False. Lines whose SKU code is unknown are stored with no SKU and the order is
    flagged ``needs_attention``. Stock is reserved from ``location_ids`` (default: active
    sellable locations by priority). A SKU that cannot be covered is backordered if its policy
    allows, otherwise ``shortage="raise"`` raises InsufficientStock (nothing is created) and
    ``shortage="flag"`` reserves what there is and flags the order (for orders a channel has
    already taken, which must never be dropped).
    """
    if not data.lines:
        raise OrderError("An order needs at least one line")
    if any(line.quantity <= 0 for line in data.lines):
        raise OrderError("Line quantities must be positive")
    existing = Order.objects.filter(channel=channel, external_ref=data.external_ref).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            order = _order_insert(channel=channel, data=data)
            _order_reserve(order=order, user=user, location_ids=location_ids, shortage=shortage)
    except IntegrityError:
        # The same order was created concurrently (webhook and poll at once): use that one.
        existing = Order.objects.filter(channel=channel, external_ref=data.external_ref).first()
        if existing is None:
            raise
        return existing, False
    return order, True


def _order_insert(*, channel: SalesChannel, data: OrderInput) -> Order:
    codes = {line.sku_code for line in data.lines}
    skus = {s.code: s for s in SKU.objects.filter(code__in=codes)}
    unknown = sorted(codes - skus.keys())
    order = Order.objects.create(
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
        placed_at=data.placed_at or timezone.now(),
        external_updated_at=data.external_updated_at,
        note=data.note,
        needs_attention=bool(unknown),
        attention_reason=f"Unknown SKU(s): {', '.join(unknown)}" if unknown else "",
    )
    OrderLine.objects.bulk_create(
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
            for line in data.lines
        ]
    )
    return order


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
    locations = Location.objects.filter(is_active=True)
    locations = (
        locations.filter(pk__in=location_ids)
        if location_ids is not None
        else locations.filter(is_sellable=True)
    )
    location_order = list(locations.order_by("priority", "code").values_list("pk", flat=True))
    stock_sku_ids = sorted({s for per_line in demand.values() for s in per_line})
    policies = dict(SKU.objects.filter(pk__in=stock_sku_ids).values_list("pk", "backorder_policy"))
    codes = dict(SKU.objects.filter(pk__in=stock_sku_ids).values_list("pk", "code"))
    # Lock every level we may draw from, in primary-key order, before planning on their figures.
    free: dict[tuple[int, int], int] = {
        (row["sku_id"], row["location_id"]): row["on_hand"] - row["committed"]
        for row in StockLevel.objects.select_for_update()
        .filter(sku_id__in=stock_sku_ids, location_id__in=location_order)
        .order_by("pk")
        .values("sku_id", "location_id", "on_hand", "committed")
    }
    changes: list[StockChange] = []
    plan: list[tuple[int, int, int, int]] = []  # (line id, sku id, location id, qty)
    shortfalls: list[Shortfall] = []
    backordered: set[int] = set()
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
                plan.append((line_id, sku_id, location_order[0], remaining))
                backordered.add(line_id)
            else:
                shortfalls.append(
                    Shortfall(
                        sku_id=sku_id,
                        sku_code=codes[sku_id],
                        location_id=location_order[0] if location_order else 0,
                        location_code="(sellable)" if location_ids is None else "(chosen)",
                        requested=needed,
                        available=needed - remaining,
                    )
                )
    if shortfalls and shortage == "raise":
        raise InsufficientStock(shortfalls)
    if shortfalls:
        text = "; ".join(f"{s.sku_code} short {s.missing}" for s in shortfalls)
        Order.objects.filter(pk=order.pk).update(
            needs_attention=True,
            attention_reason=(order.attention_reason + "\n" if order.attention_reason else "")
            + f"Oversold: {text}",
        )
    merged: dict[tuple[int, int, int], int] = defaultdict(int)
    for line_id, sku_id, location_id, qty in plan:
        merged[(line_id, sku_id, location_id)] += qty
    if not merged:
        return None
    for (line_id, sku_id, location_id), qty in merged.items():
        changes.append(
            StockChange(sku_id=sku_id, location_id=location_id, committed_delta=qty, order_line_id=line_id)
        )
    operation = stock_apply(
        changes=changes, reason=MovementReason.RESERVE, reference=f"order:{order.pk}", user=user
    )
    for (line_id, sku_id, location_id), qty in merged.items():
        allocation, created = Allocation.objects.get_or_create(
            line_id=line_id, sku_id=sku_id, location_id=location_id, defaults={"quantity": qty}
        )
        if not created:
            Allocation.objects.filter(pk=allocation.pk).update(quantity=F("quantity") + qty)
    if backordered:
        OrderLine.objects.filter(pk__in=backordered).update(backordered=True)
    return operation


def _order_lock(order: Order) -> Order:
    return Order.objects.select_for_update().get(pk=order.pk)


def order_cancel(*, order: Order, user: AbstractBaseUser | None = None, reason: str = "") -> Order:
    """Cancel an order: release every unshipped reservation. Cancelling twice changes nothing.

    A fully shipped order cannot be cancelled (return it instead); a partially shipped one has
    its unshipped rest cancelled.
    """
    with transaction.atomic():
        order = _order_lock(order)
        if order.status == OrderStatus.CANCELLED:
            return order
        if order.status == OrderStatus.SHIPPED:
            raise OrderError("A shipped order cannot be cancelled; create a return instead")
        allocations = list(Allocation.objects.filter(line__order=order, quantity__gt=0).order_by("pk"))
        if allocations:
            stock_apply(
                changes=[
                    StockChange(
                        sku_id=a.sku_id,
                        location_id=a.location_id,
                        committed_delta=-a.quantity,
                        order_line_id=a.line_id,
                    )
                    for a in allocations
                ],
                reason=MovementReason.RELEASE,
                reference=f"order:{order.pk}",
                note=reason,
                user=user,
            )
            Allocation.objects.filter(pk__in=[a.pk for a in allocations]).update(quantity=0)
        OrderLine.objects.filter(order=order).update(quantity_cancelled=F("quantity") - F("quantity_shipped"))
        shipped_any = order.lines.filter(quantity_shipped__gt=0).exists()
        order.status = OrderStatus.SHIPPED if shipped_any else OrderStatus.CANCELLED
        order.cancelled_at = timezone.now()
        if reason:
            order.note = f"{order.note}\nCancelled: {reason}".strip()
        order.save(update_fields=["status", "cancelled_at", "note", "updated_at"])
    return order


def order_ship(
    *,
    order: Order,
    quantities: Mapping[int, int] | None = None,
    user: AbstractBaseUser | None = None,
    reference: str = "",
    idempotency_key: str | None = None,
) -> StockOperation:
    """Ship order lines: consume their reservations (committed and on hand go down together).

    ``quantities`` maps line id to units shipped; None ships everything still open. Lines
    without a SKU must be linked first. A partial shipment leaves the rest open. With an
    ``idempotency_key`` a repeated call returns the first operation and changes nothing.
    """
    with transaction.atomic():
        order = _order_lock(order)
        if idempotency_key:
            # Checked under the order lock, before validating against the already-shipped state.
            done = StockOperation.objects.filter(idempotency_key=idempotency_key).first()
            if done is not None:
                done.replayed = True
                return done
        if order.status == OrderStatus.CANCELLED:
            raise OrderError("A cancelled order cannot be shipped")
        lines = {line.pk: line for line in order.lines.select_related("sku")}
        if quantities is None:
            quantities = {pk: line.quantity_open for pk, line in lines.items() if line.quantity_open > 0}
        if not quantities or not any(quantities.values()):
            raise OrderError("Nothing to ship")
        recipes = kit_components_flatten(
            kit_ids=[
                lines[pk].sku_id
                for pk in quantities
                if pk in lines and lines[pk].sku and lines[pk].sku.is_kit
            ]
        )
        changes: list[StockChange] = []
        allocation_updates: list[tuple[Allocation, int]] = []
        for line_id, qty in quantities.items():
            line = lines.get(line_id)
            if line is None:
                raise OrderError(f"Line {line_id} is not on this order")
            if qty <= 0 or qty > line.quantity_open:
                raise OrderError(f"Line {line_id}: can ship 1 to {line.quantity_open} units, not {qty}")
            if line.sku is None:
                raise OrderError(f"Line {line_id} ({line.external_sku}) has no SKU: link it first")
            per_sku = (
                {c: q * qty for c, q in recipes[line.sku_id].items()}
                if line.sku.is_kit
                else {line.sku_id: qty}
            )
            allocations = list(line.allocations.filter(quantity__gt=0).order_by("location__priority", "pk"))
            for sku_id, needed in per_sku.items():
                for allocation in (a for a in allocations if a.sku_id == sku_id):
                    take = min(allocation.quantity, needed)
                    if take:
                        allocation_updates.append((allocation, take))
                        changes.append(
                            StockChange(
                                sku_id=sku_id,
                                location_id=allocation.location_id,
                                on_hand_delta=-take,
                                committed_delta=-take,
                                order_line_id=line.pk,
                            )
                        )
                        needed -= take
                if needed:
                    raise OrderError(f"Line {line_id}: {needed} units of SKU {sku_id} are not reserved")
        operation = stock_apply(
            changes=changes,
            reason=MovementReason.SHIPMENT,
            reference=reference or f"order:{order.pk}",
            user=user,
            idempotency_key=idempotency_key,
        )
        if operation.replayed:
            return operation
        for allocation, take in allocation_updates:
            Allocation.objects.filter(pk=allocation.pk).update(
                quantity=F("quantity") - take, quantity_shipped=F("quantity_shipped") + take
            )
        for line_id, qty in quantities.items():
            OrderLine.objects.filter(pk=line_id).update(quantity_shipped=F("quantity_shipped") + qty)
        _order_status_refresh(order)
    return operation


def _order_status_refresh(order: Order) -> None:
    lines = list(order.lines.values_list("quantity", "quantity_shipped", "quantity_cancelled"))
    open_units = sum(q - s - c for q, s, c in lines)
    shipped_units = sum(s for _, s, _ in lines)
    if open_units == 0:
        status = OrderStatus.SHIPPED if shipped_units else OrderStatus.CANCELLED
    else:
        status = OrderStatus.PARTIALLY_SHIPPED if shipped_units else OrderStatus.OPEN
    updates = {"status": status}
    if status == OrderStatus.SHIPPED and order.shipped_at is None:
        updates["shipped_at"] = timezone.now()
    Order.objects.filter(pk=order.pk).update(**updates, updated_at=timezone.now())
    for key, value in updates.items():
        setattr(order, key, value)


def order_line_link_sku(
    *, line: OrderLine, sku: SKU, user: AbstractBaseUser | None = None, shortage: ShortagePolicy = "raise"
) -> OrderLine:
    """Attach our SKU to a line that arrived with an unknown code, and reserve its stock.

    Clears the order's attention flag once no line is left unmatched.
    """
    with transaction.atomic():
        order = _order_lock(line.order)
        line = OrderLine.objects.select_related("sku").get(pk=line.pk)
        if line.sku_id is not None:
            raise OrderError(f"Line {line.pk} already has SKU {line.sku.code}")
        if order.status != OrderStatus.OPEN and order.status != OrderStatus.PARTIALLY_SHIPPED:
            raise OrderError("Only lines of open orders can be linked")
        line.sku = sku
        line.save(update_fields=["sku"])
        _order_reserve(order=order, user=user, location_ids=None, shortage=shortage, lines=[line])
        if not order.lines.filter(sku__isnull=True).exists():
            order.refresh_from_db(fields=["attention_reason", "needs_attention"])
            remaining = [r for r in order.attention_reason.splitlines() if not r.startswith("Unknown SKU")]
            Order.objects.filter(pk=order.pk).update(
                attention_reason="\n".join(remaining), needs_attention=bool(remaining)
            )
    return line


def order_lines_cancel(
    *,
    order: Order,
    quantities: Mapping[int, int],
    user: AbstractBaseUser | None = None,
    reason: str = "",
) -> Order:
    """Cancel some units of some lines (e.g. the channel reduced them): release their reservations.

    ``quantities`` maps line id to units to cancel, each at most the line's open units. The
    reservations of those units are released (kit lines release their components; a line
    reserved only in part releases what it holds), the lines' ``quantity_cancelled`` grows, and
    the order's status follows (every unit cancelled: cancelled). Nothing changes on an error.
    """
    with transaction.atomic():
        order = _order_lock(order)
        if order.status in (OrderStatus.CANCELLED, OrderStatus.SHIPPED):
            raise OrderError(f"A {order.status} order has no open units to cancel")
        lines = {line.pk: line for line in order.lines.select_related("sku")}
        for line_id, qty in quantities.items():
            line = lines.get(line_id)
            if line is None:
                raise OrderError(f"Line {line_id} is not on this order")
            if qty <= 0 or qty > line.quantity_open:
                raise OrderError(f"Line {line_id}: can cancel 1 to {line.quantity_open} units, not {qty}")
        recipes = kit_components_flatten(
            kit_ids=[lines[pk].sku_id for pk in quantities if lines[pk].sku and lines[pk].sku.is_kit]
        )
        changes: list[StockChange] = []
        releases: list[tuple[int, int]] = []
        for line_id, qty in quantities.items():
            line = lines[line_id]
            if line.sku is None:
                continue
            per_sku = (
                {c: q * qty for c, q in recipes[line.sku_id].items()}
                if line.sku.is_kit
                else {line.sku_id: qty}
            )
            # Release from the least preferred location first, keeping the best stock reserved.
            allocations = list(line.allocations.filter(quantity__gt=0).order_by("-location__priority", "-pk"))
            for sku_id, needed in per_sku.items():
                for allocation in (a for a in allocations if a.sku_id == sku_id):
                    take = min(allocation.quantity, needed)
                    if take:
                        releases.append((allocation.pk, take))
                        changes.append(
                            StockChange(
                                sku_id=sku_id,
                                location_id=allocation.location_id,
                                committed_delta=-take,
                                order_line_id=line.pk,
                            )
                        )
                        needed -= take
        if changes:
            stock_apply(
                changes=changes,
                reason=MovementReason.RELEASE,
                reference=f"order:{order.pk}",
                note=reason,
                user=user,
            )
        for allocation_id, take in releases:
            Allocation.objects.filter(pk=allocation_id).update(quantity=F("quantity") - take)
        for line_id, qty in quantities.items():
            OrderLine.objects.filter(pk=line_id).update(quantity_cancelled=F("quantity_cancelled") + qty)
        _order_status_refresh(order)
        if order.status == OrderStatus.CANCELLED:
            order.cancelled_at = timezone.now()
            Order.objects.filter(pk=order.pk).update(cancelled_at=order.cancelled_at)
    return order
