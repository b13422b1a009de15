"""Stock operations staff and integrators perform: receive, adjust, count, transfer, return.

Each is a thin, validated call of :func:`inventory_app.services.ledger.stock_apply`.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db import models

from inventory_app.errors import InvalidStockOperation
from inventory_app.models import SKU, Location, MovementReason, StockOperation
from inventory_app.services.ledger import StockChange, stock_apply


class AdjustmentReason(models.TextChoices):
    """Why staff adjusted stock by hand."""

    DAMAGED = "damaged", "Damaged"
    LOST = "lost", "Lost"
    FOUND = "found", "Found"
    THEFT = "theft", "Theft"
    CORRECTION = "correction", "Correction"
    WRITE_OFF = "write_off", "Write-off"
    OTHER = "other", "Other"


def _positive(quantity: int, what: str) -> None:
    if quantity <= 0:
        raise InvalidStockOperation(f"{what} must be a positive number of units")


def stock_receive(
    *,
    sku: SKU,
    location: Location,
    quantity: int,
    unit_cost: Decimal | None = None,
    reference: str = "",
    note: str = "",
    user: AbstractBaseUser | None = None,
    idempotency_key: str | None = None,
) -> StockOperation:
    """Add ``quantity`` received units at ``location`` (unit cost defaults to the SKU's)."""
    _positive(quantity, "Received quantity")
    cost = sku.default_unit_cost if unit_cost is None else unit_cost
    return stock_apply(
        changes=[StockChange(sku_id=sku.pk, location_id=location.pk, on_hand_delta=quantity, unit_cost=cost)],
        reason=MovementReason.RECEIPT,
        reference=reference,
        note=note,
        user=user,
        idempotency_key=idempotency_key,
    )


def stock_adjust(
    *,
    sku: SKU,
    location: Location,
    delta: int,
    reason_detail: str,
    reference: str = "",
    note: str = "",
    user: AbstractBaseUser | None = None,
    idempotency_key: str | None = None,
) -> StockOperation:
    """Change on hand by ``delta`` (positive or negative) for a stated reason."""
    if delta == 0:
        raise InvalidStockOperation("An adjustment must change the quantity")
    if reason_detail not in AdjustmentReason.values:
        raise InvalidStockOperation(f"Unknown adjustment reason {reason_detail!r}")
    reason = (
        MovementReason.WRITE_OFF if reason_detail == AdjustmentReason.WRITE_OFF else MovementReason.ADJUSTMENT
    )
    return stock_apply(
        changes=[StockChange(sku_id=sku.pk, location_id=location.pk, on_hand_delta=delta)],
        reason=reason,
        reason_detail=reason_detail,
        reference=reference,
        note=note,
        user=user,
        idempotency_key=idempotency_key,
    )


def stock_count(
    *,
    sku: SKU,
    location: Location,
    counted: int,
    reference: str = "",
    note: str = "",
    user: AbstractBaseUser | None = None,
    idempotency_key: str | None = None,
) -> StockOperation:
    """Set on hand to the ``counted`` figure; the ledger records the difference found."""
    if counted < 0:
        raise InvalidStockOperation("A counted quantity cannot be negative")
    return stock_apply(
        changes=[StockChange(sku_id=sku.pk, location_id=location.pk, set_on_hand=counted)],
        reason=MovementReason.COUNT,
        reference=reference,
        note=note,
        user=user,
        idempotency_key=idempotency_key,
    )


def stock_transfer(
    *,
    sku: SKU,
    from_location: Location,
    to_location: Location,
    quantity: int,
    reference: str = "",
    note: str = "",
    user: AbstractBaseUser | None = None,
    idempotency_key: str | None = None,
) -> StockOperation:
    """Move ``quantity`` units between two locations in one operation (two movements)."""
    _positive(quantity, "Transferred quantity")
    if from_location.pk == to_location.pk:
        raise InvalidStockOperation("A transfer needs two different locations")
    return stock_apply(
        changes=[
            StockChange(sku_id=sku.pk, location_id=from_location.pk, on_hand_delta=-quantity),
            StockChange(sku_id=sku.pk, location_id=to_location.pk, on_hand_delta=quantity),
        ],
        reason=MovementReason.TRANSFER,
        reference=reference,
        note=note,
        user=user,
        idempotency_key=idempotency_key,
    )


def stock_return(
    *,
    sku: SKU,
    location: Location,
    quantity: int,
    unit_cost: Decimal | None = None,
    order_line_id: int | None = None,
    reference: str = "",
    note: str = "",
    user: AbstractBaseUser | None = None,
    idempotency_key: str | None = None,
) -> StockOperation:
    """Put ``quantity`` returned units back on hand at ``location``."""
    _positive(quantity, "Returned quantity")
    return stock_apply(
        changes=[
            StockChange(
                sku_id=sku.pk,
                location_id=location.pk,
                on_hand_delta=quantity,
                unit_cost=unit_cost,
                order_line_id=order_line_id,
            )
        ],
        reason=MovementReason.RETURN,
        reference=reference,
        note=note,
        user=user,
        idempotency_key=idempotency_key,
    )
