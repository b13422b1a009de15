"""Order life cycle after creation: cancel (releasing), ship (consuming), cancel some units,
link a line that arrived with an unknown SKU.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from inventory_app.errors import OrderError
from inventory_app.hooks import SellerNotice, order_cancelled_notify
from inventory_app.models import (
    SKU,
    Allocation,
    EventType,
    MovementReason,
    Order,
    OrderLine,
    OrderStatus,
    StockOperation,
)
from inventory_app.selectors.kits import kit_components_flatten
from inventory_app.services.events.record import event_order_record
from inventory_app.services.ledger import StockChange, stock_apply
from inventory_app.services.orders.create import ShortagePolicy, _order_reserve
from inventory_app.services.orders.shipments import Tracking, order_shipment_record


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
        cancelled = order.status == OrderStatus.CANCELLED
        event_order_record(
            order_id=order.pk, type=EventType.ORDER_CANCELLED if cancelled else EventType.ORDER_UPDATED
        )
    return order


def order_cancel_by_seller(
    *, order: Order, user: AbstractBaseUser | None = None, reason: str = ""
) -> tuple[Order, list[SellerNotice]]:
    """Cancel an order at the seller's request (admin, API) and tell its channel.

    ``order_cancel`` plus the cancellation hook, in one transaction: the channels app cancels
    the order on its channel where the channel's API allows it, or answers what the seller must
    do there; such notices are put on the order (attention flag) as well. Returns the order and
    the notices. An order already cancelled or shipped notifies nobody.
    """
    with transaction.atomic():
        before = _order_lock(order).status
        order = order_cancel(order=order, user=user, reason=reason)
        if before in (OrderStatus.CANCELLED, OrderStatus.SHIPPED):
            return order, []
        notices = order_cancelled_notify(order=order)
        for notice in notices:
            if notice.action_needed:
                order_attention_flag(order_id=order.pk, reason=notice.text)
        order.refresh_from_db()
    return order, notices


def order_attention_flag(*, order_id: int, reason: str) -> None:
    """Flag the order for the seller's attention with ``reason`` (once per distinct reason)."""
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order_id)
        if reason in order.attention_reason:
            return
        order.attention_reason = f"{order.attention_reason}\n{reason}".strip()
        order.needs_attention = True
        order.save(update_fields=["attention_reason", "needs_attention", "updated_at"])


def order_ship(
    *,
    order: Order,
    quantities: Mapping[int, int] | None = None,
    user: AbstractBaseUser | None = None,
    reference: str = "",
    idempotency_key: str | None = None,
    tracking: Tracking | None = None,
    from_channel: bool = False,
) -> StockOperation:
    """Ship order lines: consume their reservations (committed and on hand go down together).

    ``quantities`` maps line id to units shipped; None ships everything still open. Lines
    without a SKU must be linked first. A partial shipment leaves the rest open. With an
    ``idempotency_key`` a repeated call returns the first operation and changes nothing.
    The shipment is recorded (``OrderShipment``, with ``tracking`` - checked by the caller with
    ``tracking_clean``) and the shipment hook called in the same transaction, so the order's
    channel is told; ``from_channel`` marks a shipment the channel itself reported.
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
            draws, missing = _allocations_draw(line=line, units=qty, recipes=recipes, best_first=True)
            if missing:
                sku_id, needed = missing
                raise OrderError(f"Line {line_id}: {needed} units of SKU {sku_id} are not reserved")
            for allocation, take in draws:
                allocation_updates.append((allocation, take))
                changes.append(
                    StockChange(
                        sku_id=allocation.sku_id,
                        location_id=allocation.location_id,
                        on_hand_delta=-take,
                        committed_delta=-take,
                        order_line_id=line.pk,
                    )
                )
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
        order_shipment_record(
            order=order,
            operation=operation,
            quantities=quantities,
            tracking=tracking or Tracking(),
            from_channel=from_channel,
        )
        event_order_record(order_id=order.pk, type=EventType.ORDER_UPDATED)
    return operation


def _allocations_draw(
    *, line: OrderLine, units: int, recipes: Mapping[int, Mapping[int, int]], best_first: bool
) -> tuple[list[tuple[Allocation, int]], tuple[int, int] | None]:
    """Pick the reserved units ``units`` of ``line`` stand on: [(allocation, units)], and the first
    (stock SKU id, units) that its allocations cannot cover, if any.

    A kit line draws each component (``recipes``: the flattened kit recipes). ``best_first`` takes
    the most preferred locations first (shipping); otherwise the least preferred (releasing).
    """
    per_sku = (
        {c: q * units for c, q in recipes[line.sku_id].items()} if line.sku.is_kit else {line.sku_id: units}
    )
    order = ("location__priority", "pk") if best_first else ("-location__priority", "-pk")
    allocations = list(line.allocations.filter(quantity__gt=0).order_by(*order))
    draws: list[tuple[Allocation, int]] = []
    for sku_id, needed in per_sku.items():
        for allocation in (a for a in allocations if a.sku_id == sku_id):
            take = min(allocation.quantity, needed)
            if take:
                draws.append((allocation, take))
                needed -= take
        if needed:
            return draws, (sku_id, needed)
    return draws, None


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
                attention_reason="\n".join(remaining),
                needs_attention=bool(remaining),
                updated_at=timezone.now(),
            )
        event_order_record(order_id=order.pk, type=EventType.ORDER_UPDATED)
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
            # Release from the least preferred location first, keeping the best stock reserved.
            draws, _ = _allocations_draw(line=line, units=qty, recipes=recipes, best_first=False)
            for allocation, take in draws:
                releases.append((allocation.pk, take))
                changes.append(
                    StockChange(
                        sku_id=allocation.sku_id,
                        location_id=allocation.location_id,
                        committed_delta=-take,
                        order_line_id=line.pk,
                    )
                )
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
            Order.objects.filter(pk=order.pk).update(
                cancelled_at=order.cancelled_at, updated_at=order.cancelled_at
            )
        cancelled = order.status == OrderStatus.CANCELLED
        event_order_record(
            order_id=order.pk, type=EventType.ORDER_CANCELLED if cancelled else EventType.ORDER_UPDATED
        )
    return order
