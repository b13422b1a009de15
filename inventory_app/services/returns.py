"""Returns (RMA): authorise units of a shipped order for return, then take the goods in.

Receiving returned goods is one ledger operation (reason ``return``) with one movement per stock
SKU (a kit line returns its components), each linked to the order line, so the costing engine
values them at the cost those units shipped with (``inventory_app.services.costing``). Then:

* restock: the units stay at a sellable location; the ledger's after-commit hook tells the
  channels that availability went up;
* quarantine: the units stay, valued, at a non-sellable location (not offered for sale);
* write-off: a second operation (reason ``write_off``) takes each returned movement back out at
  exactly its own value (``reverses``), so the write-off loss equals the cost the return gave back.

The order's COGS is reduced by the returned cost in every case; a write-off is a separate loss.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone

from inventory_app.errors import InvalidStockOperation
from inventory_app.models import (
    Location,
    MovementReason,
    Order,
    ReturnAuthorization,
    ReturnCondition,
    ReturnDisposition,
    ReturnLine,
    ReturnReason,
    ReturnReceipt,
    ReturnStatus,
    StockOperation,
)
from inventory_app.selectors.kits import kit_components_flatten
from inventory_app.services.ledger import StockChange, stock_apply


class ReturnError(InvalidStockOperation):
    """A return operation was refused (more than shipped, wrong state, bad location); nothing changed."""


@dataclass(frozen=True)
class ReturnLineInput:
    """Units of one order line to authorise for return."""

    order_line_id: int
    quantity: int
    reason: str = ReturnReason.OTHER
    condition: str = ReturnCondition.NEW
    note: str = ""


@dataclass(frozen=True)
class ReturnReceiveInput:
    """Returned units of one return line taken in, and what to do with them."""

    return_line_id: int
    quantity: int
    disposition: str
    location_id: int
    condition: str = ReturnCondition.NEW


def return_authorization_create(
    *, order: Order, lines: Sequence[ReturnLineInput], note: str = "", user: AbstractBaseUser | None = None
) -> ReturnAuthorization:
    """Authorise the return of shipped units; a line cannot have more authorised than shipped."""
    if not lines or any(line.quantity <= 0 for line in lines):
        raise ReturnError("A return needs at least one line with a positive quantity")
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        order_lines = {line.pk: line for line in order.lines.all()}
        authorised = dict(
            ReturnLine.objects.filter(order_line__order=order)
            .exclude(authorization__status=ReturnStatus.CANCELLED)
            .values_list("order_line_id")
            .annotate(total=Sum("quantity"))
        )
        wanted: dict[int, int] = {}
        for line in lines:
            if line.order_line_id not in order_lines:
                raise ReturnError(f"Line {line.order_line_id} is not on order {order.external_ref}")
            if line.reason not in ReturnReason.values or line.condition not in ReturnCondition.values:
                raise ReturnError(f"Unknown reason {line.reason!r} or condition {line.condition!r}")
            wanted[line.order_line_id] = wanted.get(line.order_line_id, 0) + line.quantity
        for line_id, quantity in wanted.items():
            returnable = order_lines[line_id].quantity_shipped - authorised.get(line_id, 0)
            if quantity > returnable:
                raise ReturnError(f"Line {line_id}: only {max(returnable, 0)} shipped units can be returned")
        rma = ReturnAuthorization.objects.create(
            number=f"tmp-{uuid.uuid4().hex[:24]}",  # replaced by RMA-<pk> below
            order=order,
            note=note,
            created_by=user if getattr(user, "is_authenticated", False) else None,
        )
        rma.number = f"RMA-{rma.pk:06d}"
        ReturnAuthorization.objects.filter(pk=rma.pk).update(number=rma.number, updated_at=timezone.now())
        ReturnLine.objects.bulk_create(
            [
                ReturnLine(
                    authorization=rma,
                    order_line_id=line.order_line_id,
                    quantity=line.quantity,
                    reason=line.reason,
                    condition=line.condition,
                    note=line.note,
                )
                for line in lines
            ]
        )
    return rma


def return_receive(
    *,
    authorization: ReturnAuthorization,
    items: Sequence[ReturnReceiveInput],
    user: AbstractBaseUser | None = None,
    idempotency_key: str | None = None,
) -> list[ReturnReceipt]:
    """Take returned goods in (at their shipped cost) and restock, quarantine or write them off.

    With an ``idempotency_key`` a repeated call returns the first call's receipts unchanged.
    """
    ledger_key = f"rma-receive:{idempotency_key}" if idempotency_key else None
    if ledger_key and (done := StockOperation.objects.filter(idempotency_key=ledger_key).first()):
        return list(done.return_receipts.order_by("pk"))
    if not items or any(item.quantity <= 0 for item in items):
        raise ReturnError("Receive a positive number of units on at least one line")
    with transaction.atomic():
        rma = ReturnAuthorization.objects.select_for_update().get(pk=authorization.pk)
        if ledger_key and (done := StockOperation.objects.filter(idempotency_key=ledger_key).first()):
            return list(done.return_receipts.order_by("pk"))
        if rma.status != ReturnStatus.OPEN:
            raise ReturnError(f"{rma.number} is {rma.status}")
        lines = {line.pk: line for line in rma.lines.select_related("order_line__sku")}
        locations = Location.objects.in_bulk({item.location_id for item in items})
        receiving: dict[int, int] = {}
        for item in items:
            _item_validate(item=item, lines=lines, locations=locations)
            receiving[item.return_line_id] = receiving.get(item.return_line_id, 0) + item.quantity
        for line_id, quantity in receiving.items():
            line = lines[line_id]
            if line.quantity_received + quantity > line.quantity:
                raise ReturnError(
                    f"Line {line_id}: {line.quantity - line.quantity_received} more units are authorised"
                )
        kits = [
            ln.order_line.sku_id for ln in lines.values() if ln.order_line.sku and ln.order_line.sku.is_kit
        ]
        recipes = kit_components_flatten(kit_ids=kits) if kits else {}
        changes, owners = [], []
        for index, item in enumerate(items):
            order_line = lines[item.return_line_id].order_line
            per_sku = (
                {c: q * item.quantity for c, q in recipes[order_line.sku_id].items()}
                if order_line.sku.is_kit
                else {order_line.sku_id: item.quantity}
            )
            for sku_id, units in per_sku.items():
                changes.append(
                    StockChange(
                        sku_id=sku_id,
                        location_id=item.location_id,
                        on_hand_delta=units,
                        order_line_id=order_line.pk,
                    )
                )
                owners.append(index)
        operation = stock_apply(
            changes=changes,
            reason=MovementReason.RETURN,
            reference=rma.number,
            user=user,
            idempotency_key=ledger_key,
        )
        movements = list(operation.movements.order_by("pk"))
        receipts = [
            ReturnReceipt(
                line_id=item.return_line_id,
                quantity=item.quantity,
                disposition=item.disposition,
                location_id=item.location_id,
                condition=item.condition,
                operation=operation,
                user=user if getattr(user, "is_authenticated", False) else None,
            )
            for item in items
        ]
        write_offs = [
            StockChange(
                sku_id=movement.sku_id,
                location_id=movement.location_id,
                on_hand_delta=-movement.on_hand_delta,
                order_line_id=movement.order_line_id,
                reverses_movement_id=movement.pk,
            )
            for movement, owner in zip(movements, owners, strict=True)
            if items[owner].disposition == ReturnDisposition.WRITE_OFF
        ]
        if write_offs:
            write_off = stock_apply(
                changes=write_offs,
                reason=MovementReason.WRITE_OFF,
                reason_detail="return",
                reference=rma.number,
                user=user,
            )
            for receipt in receipts:
                if receipt.disposition == ReturnDisposition.WRITE_OFF:
                    receipt.write_off_operation = write_off
        ReturnReceipt.objects.bulk_create(receipts)
        for line_id, quantity in receiving.items():
            ReturnLine.objects.filter(pk=line_id).update(quantity_received=F("quantity_received") + quantity)
        if not rma.lines.filter(quantity_received__lt=F("quantity")).exists():
            rma.status = ReturnStatus.RECEIVED
            rma.save(update_fields=["status", "updated_at"])
    return receipts


def _item_validate(
    *, item: ReturnReceiveInput, lines: dict[int, ReturnLine], locations: dict[int, Location]
) -> None:
    if item.return_line_id not in lines:
        raise ReturnError(f"Return line {item.return_line_id} is not on this authorisation")
    if lines[item.return_line_id].order_line.sku_id is None:
        raise ReturnError(f"Return line {item.return_line_id}: its order line has no SKU")
    location = locations.get(item.location_id)
    if location is None:
        raise ReturnError(f"Unknown location {item.location_id}")
    if item.disposition not in ReturnDisposition.values or item.condition not in ReturnCondition.values:
        raise ReturnError(f"Unknown disposition {item.disposition!r} or condition {item.condition!r}")
    if item.disposition == ReturnDisposition.RESTOCK and not location.is_sellable:
        raise ReturnError(f"Restocking needs a sellable location; {location.code} is not")
    if item.disposition == ReturnDisposition.QUARANTINE and location.is_sellable:
        raise ReturnError(f"Quarantine needs a non-sellable location; {location.code} is sellable")


def return_authorization_cancel(*, authorization: ReturnAuthorization) -> ReturnAuthorization:
    """Cancel an authorisation on which nothing has been received."""
    with transaction.atomic():
        rma = ReturnAuthorization.objects.select_for_update().get(pk=authorization.pk)
        if rma.status == ReturnStatus.CANCELLED:
            return rma
        if rma.lines.filter(quantity_received__gt=0).exists():
            raise ReturnError(f"Goods were already received on {rma.number}")
        rma.status = ReturnStatus.CANCELLED
        rma.save(update_fields=["status", "updated_at"])
    return rma
