"""Counting many SKUs at one location in one go (the scanner counting page)."""

from __future__ import annotations

from collections.abc import Mapping

from django.contrib.auth.models import AbstractBaseUser

from inventory_app.errors import InvalidStockOperation
from inventory_app.models import SKU, Location, MovementReason, StockOperation
from inventory_app.services.ledger import StockChange, stock_apply


def stock_count_batch(
    *,
    location: Location,
    counts: Mapping[int, int],
    reference: str = "",
    note: str = "",
    user: AbstractBaseUser | None = None,
    idempotency_key: str | None = None,
) -> StockOperation:
    """Set on hand of each SKU (id -> counted units) at ``location``: one ledger operation for the
    batch, the differences found recorded as its movements. Kits, unknown SKUs and negative
    figures are refused and nothing changes; a repeated ``idempotency_key`` changes nothing."""
    if not counts:
        raise InvalidStockOperation("Count at least one SKU")
    if any(units < 0 for units in counts.values()):
        raise InvalidStockOperation("A counted quantity cannot be negative")
    skus = SKU.objects.in_bulk(list(counts))
    if missing := sorted(set(counts) - skus.keys()):
        raise InvalidStockOperation(f"Unknown SKU id(s): {missing}")
    if kits := sorted(s.code for s in skus.values() if s.is_kit):
        raise InvalidStockOperation(f"Kits hold no stock of their own: {', '.join(kits)}")
    return stock_apply(
        changes=[
            StockChange(sku_id=sku_id, location_id=location.pk, set_on_hand=units)
            for sku_id, units in sorted(counts.items())
        ],
        reason=MovementReason.COUNT,
        reference=reference,
        note=note,
        user=user,
        idempotency_key=idempotency_key,
    )
