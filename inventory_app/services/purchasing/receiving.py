"""Receiving against purchase orders, and reversing a receipt by a counter-operation.

Each receipt is one ``stock_apply`` operation (reason ``receipt``): one movement per line, with
the line's exact value (base cost x exchange rate, plus its landed costs) and its unit cost, so
the costing engine makes one FIFO layer per line (or feeds the average). Repeating a receipt
with the same idempotency key returns the first receipt and changes nothing.

*Over-receipt*: a line may receive up to ``ordered x (1 + tolerance %)`` units (rounded down) in
total; beyond that the whole receipt is refused. *Reversal*: a receipt is never edited; reversing
it appends an operation that takes back each line's units at exactly the value they entered with
(the movement ``reverses`` the receipt movement). Under FIFO this is refused once any of those
units was consumed (sold units are handled by a return to the supplier as an adjustment).

*Late history*: ``document_date`` records the supplier's date; costing and valuation follow the
posting time (see ``inventory_app.services.costing``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import ROUND_DOWN, Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F

from inventory_app.aggregates import DecimalSum
from inventory_app.models import (
    Location,
    MovementReason,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseOrderStatus,
    Receipt,
    ReceiptLine,
)
from inventory_app.services.costing import money_round, unit_cost_round, value_share
from inventory_app.services.ledger import StockChange, stock_apply
from inventory_app.services.purchasing.landed_cost import (
    AllocationTarget,
    ChargeInput,
    charge_validate,
    landed_cost_allocate,
    po_charges_by_line,
)
from inventory_app.services.purchasing.orders import PurchasingError, purchase_order_status_refresh

ZERO = Decimal("0.00")


def _receivable_limit(line: PurchaseOrderLine, tolerance_percent: Decimal) -> int:
    limit = Decimal(line.quantity_ordered) * (1 + tolerance_percent / 100)
    return int(limit.to_integral_value(rounding=ROUND_DOWN))


def purchase_order_receive(
    *,
    purchase_order: PurchaseOrder,
    location: Location,
    quantities: Mapping[int, int],
    charges: Sequence[ChargeInput] = (),
    document_date: date | None = None,
    reference: str = "",
    note: str = "",
    user: AbstractBaseUser | None = None,
    idempotency_key: str | None = None,
) -> Receipt:
    """Receive ``quantities`` (PO line id -> units) into ``location``; return the receipt."""
    if idempotency_key and (done := Receipt.objects.filter(idempotency_key=idempotency_key).first()):
        return done
    if not quantities or any(q <= 0 for q in quantities.values()):
        raise PurchasingError("Receive a positive number of units on at least one line")
    for charge in charges:
        charge_validate(charge)
    with transaction.atomic():
        order = PurchaseOrder.objects.select_for_update().get(pk=purchase_order.pk)
        if idempotency_key and (done := Receipt.objects.filter(idempotency_key=idempotency_key).first()):
            return done
        if order.status not in (PurchaseOrderStatus.SENT, PurchaseOrderStatus.PARTIALLY_RECEIVED):
            raise PurchasingError(f"Goods are received on sent orders, not on a {order.status} one")
        lines = {line.pk: line for line in order.lines.select_related("sku")}
        if unknown := sorted(set(quantities) - lines.keys()):
            raise PurchasingError(f"Line(s) {unknown} are not on {order.number}")
        for line_id, quantity in quantities.items():
            line = lines[line_id]
            limit = _receivable_limit(line, order.over_receipt_tolerance_percent)
            if line.quantity_received + quantity > limit:
                raise PurchasingError(
                    f"{line.sku.code}: {line.quantity_received} received + {quantity} exceeds the "
                    f"{limit} allowed ({line.quantity_ordered} ordered, "
                    f"{order.over_receipt_tolerance_percent}% tolerance)"
                )
        priced = _price_lines(order=order, lines=lines, quantities=quantities, charges=charges)
        operation = stock_apply(
            changes=[
                StockChange(
                    sku_id=lines[line_id].sku_id,
                    location_id=location.pk,
                    on_hand_delta=quantities[line_id],
                    unit_cost=row["unit_cost"],
                    value=row["value"],
                )
                for line_id, row in priced.items()
            ],
            reason=MovementReason.RECEIPT,
            reference=reference or order.number,
            note=note,
            user=user,
            idempotency_key=f"po-receipt:{idempotency_key}" if idempotency_key else None,
        )
        receipt = Receipt.objects.create(
            purchase_order=order,
            location=location,
            operation=operation,
            document_date=document_date,
            reference=reference,
            note=note,
            idempotency_key=idempotency_key,
            user=user if getattr(user, "is_authenticated", False) else None,
        )
        movements = list(operation.movements.order_by("pk"))
        ReceiptLine.objects.bulk_create(
            [
                ReceiptLine(
                    receipt=receipt,
                    po_line_id=line_id,
                    movement=movement,
                    quantity=quantities[line_id],
                    **row,
                )
                for (line_id, row), movement in zip(priced.items(), movements, strict=True)
            ]
        )
        for charge in charges:
            receipt.landed_costs.create(
                purchase_order=order,
                kind=charge.kind,
                basis=charge.basis,
                amount=charge.amount,
                description=charge.description,
            )
        for line_id, quantity in quantities.items():
            PurchaseOrderLine.objects.filter(pk=line_id).update(
                quantity_received=F("quantity_received") + quantity
            )
        purchase_order_status_refresh(purchase_order=order)
    return receipt


def _price_lines(
    *,
    order: PurchaseOrder,
    lines: Mapping[int, PurchaseOrderLine],
    quantities: Mapping[int, int],
    charges: Sequence[ChargeInput],
) -> dict[int, dict]:
    """Per received line: base value, PO and receipt landed values, total value and unit cost."""
    rate = order.exchange_rate
    base = {i: money_round(q * unit_cost_round(lines[i].unit_cost * rate)) for i, q in quantities.items()}
    po_share = po_charges_by_line(purchase_order=order)
    absorbed = dict(
        ReceiptLine.objects.filter(po_line__purchase_order=order, receipt__reversal_operation__isnull=True)
        .values_list("po_line_id")
        .annotate(total=DecimalSum("po_landed_value"))
    )
    receipt_landed = {i: ZERO for i in quantities}
    targets = [
        AllocationTarget(key=i, quantity=q, value=base[i], weight=q * lines[i].sku.weight_grams)
        for i, q in quantities.items()
    ]
    for charge in charges:
        for key, share in landed_cost_allocate(
            amount=charge.amount, basis=charge.basis, targets=targets
        ).items():
            receipt_landed[key] += share
    priced: dict[int, dict] = {}
    for line_id, quantity in quantities.items():
        line = lines[line_id]
        open_units = line.quantity_open
        carried = min(quantity, open_units)
        left = po_share.get(line_id, ZERO) - absorbed.get(line_id, ZERO)
        po_landed = value_share(value=left, quantity=open_units, take=carried) if carried else ZERO
        value = base[line_id] + po_landed + receipt_landed[line_id]
        priced[line_id] = {
            "base_value": base[line_id],
            "po_landed_value": po_landed,
            "receipt_landed_value": receipt_landed[line_id],
            "value": value,
            "unit_cost": unit_cost_round(value / quantity),
        }
    return priced


def receipt_reverse(*, receipt: Receipt, user: AbstractBaseUser | None = None, note: str = "") -> Receipt:
    """Take a receipt back by a counter-operation at its own values; reversing twice changes nothing."""
    with transaction.atomic():
        order = PurchaseOrder.objects.select_for_update().get(pk=receipt.purchase_order_id)
        receipt = Receipt.objects.select_for_update().get(pk=receipt.pk)
        if receipt.is_reversed:
            return receipt
        if order.status in (PurchaseOrderStatus.CLOSED, PurchaseOrderStatus.CANCELLED):
            raise PurchasingError(f"{order.number} is {order.status}: its receipts can no longer be reversed")
        lines = list(receipt.lines.select_related("movement").order_by("pk"))
        operation = stock_apply(
            changes=[
                StockChange(
                    sku_id=line.movement.sku_id,
                    location_id=line.movement.location_id,
                    on_hand_delta=-line.quantity,
                    reverses_movement_id=line.movement_id,
                )
                for line in lines
            ],
            reason=MovementReason.RECEIPT,
            reason_detail="reversal",
            reference=f"{order.number} receipt {receipt.pk} reversed",
            note=note,
            user=user,
            idempotency_key=f"po-receipt-reversal:{receipt.pk}",
        )
        receipt.reversal_operation = operation
        receipt.save(update_fields=["reversal_operation"])
        for line in lines:
            PurchaseOrderLine.objects.filter(pk=line.po_line_id).update(
                quantity_received=F("quantity_received") - line.quantity
            )
        purchase_order_status_refresh(purchase_order=order)
    return receipt
