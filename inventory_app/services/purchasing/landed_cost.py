"""Landed costs: freight, duty, insurance and other charges, shared between lines into unit cost.

A charge is shared by quantity, value (units x unit cost in the costing currency) or weight
(units x the SKU's weight). Shares are exact to the cent by the largest-remainder rule: each
line first gets its share rounded down to the cent, then the cents still missing go one by one
to the lines with the largest remainders (ties: the earlier line), so the shares always add up
to the charge and none is negative.

*PO charges* (entered on the order) are shared between the PO's lines on their ordered units,
and can be added only before anything is received; each receipt then carries, for every line,
its part of the line's share for the units received (the last expected units carry the rest).
Units received beyond the ordered quantity carry none. *Receipt charges* (given when receiving)
are shared between that receipt's lines on the received units. Either way the charge becomes
part of the stock value of the received units (and of their unit cost), never an expense later.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from django.db import transaction

from inventory_app.models import (
    AllocationBasis,
    LandedCost,
    LandedCostKind,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseOrderStatus,
)
from inventory_app.services.purchasing.orders import PurchasingError

CENT = Decimal("0.01")


@dataclass(frozen=True)
class AllocationTarget:
    """One line a charge may be shared with: its key and its size on each basis."""

    key: Hashable
    quantity: int
    value: Decimal
    weight: Decimal


@dataclass(frozen=True)
class ChargeInput:
    """A landed charge as staff enter it."""

    kind: str
    amount: Decimal
    basis: str = AllocationBasis.VALUE
    description: str = ""


def landed_cost_allocate(
    *, amount: Decimal, basis: str, targets: Sequence[AllocationTarget]
) -> dict[Hashable, Decimal]:
    """Share ``amount`` between ``targets`` in proportion to their ``basis``, exact to the cent."""
    if basis not in AllocationBasis.values:
        raise PurchasingError(f"Unknown allocation basis {basis!r}")
    weights = [Decimal(getattr(t, basis)) for t in targets]
    total = sum(weights, Decimal("0"))
    if not targets or total <= 0:
        raise PurchasingError(f"Cannot allocate by {basis}: the lines have no {basis}")
    exact = [amount * w / total for w in weights]
    shares = [e.quantize(CENT, rounding=ROUND_DOWN) for e in exact]
    missing = int((amount - sum(shares, Decimal("0"))) / CENT)
    by_remainder = sorted(range(len(targets)), key=lambda i: (-(exact[i] - shares[i]), i))
    for i in by_remainder[:missing]:
        shares[i] += CENT
    return {t.key: s for t, s in zip(targets, shares, strict=True)}


def charge_validate(charge: ChargeInput) -> None:
    """Refuse an unknown kind or basis, or a negative amount."""
    if charge.kind not in LandedCostKind.values:
        raise PurchasingError(f"Unknown landed cost kind {charge.kind!r}")
    if charge.basis not in AllocationBasis.values:
        raise PurchasingError(f"Unknown allocation basis {charge.basis!r}")
    if charge.amount < 0 or charge.amount != charge.amount.quantize(CENT):
        raise PurchasingError("A charge is a non-negative amount in cents")


def po_line_targets(*, lines: Sequence[PurchaseOrderLine], rate: Decimal) -> list[AllocationTarget]:
    """Allocation targets of PO lines on their ordered units."""
    return [
        AllocationTarget(
            key=line.pk,
            quantity=line.quantity_ordered,
            value=line.quantity_ordered * line.unit_cost * rate,
            weight=line.quantity_ordered * line.sku.weight_grams,
        )
        for line in lines
    ]


def landed_cost_add(*, purchase_order: PurchaseOrder, charge: ChargeInput) -> LandedCost:
    """Add a charge to a whole PO (before anything is received on it)."""
    charge_validate(charge)
    with transaction.atomic():
        order = PurchaseOrder.objects.select_for_update().get(pk=purchase_order.pk)
        if (
            order.status not in (PurchaseOrderStatus.DRAFT, PurchaseOrderStatus.SENT)
            or order.receipts.exists()
        ):
            raise PurchasingError("PO charges must be entered before receiving; add it to a receipt instead")
        lines = list(order.lines.select_related("sku"))
        landed_cost_allocate(  # refuse now a basis the lines cannot carry (e.g. no weights)
            amount=charge.amount,
            basis=charge.basis,
            targets=po_line_targets(lines=lines, rate=order.exchange_rate),
        )
        return LandedCost.objects.create(
            purchase_order=order,
            kind=charge.kind,
            basis=charge.basis,
            amount=charge.amount,
            description=charge.description,
        )


def po_charges_by_line(*, purchase_order: PurchaseOrder) -> dict[int, Decimal]:
    """PO line id -> total of the PO-level charges shared to it."""
    lines = list(purchase_order.lines.select_related("sku"))
    totals = {line.pk: Decimal("0.00") for line in lines}
    targets = po_line_targets(lines=lines, rate=purchase_order.exchange_rate)
    for charge in purchase_order.landed_costs.filter(receipt__isnull=True).order_by("pk"):
        for key, share in landed_cost_allocate(
            amount=charge.amount, basis=charge.basis, targets=targets
        ).items():
            totals[key] += share
    return totals
