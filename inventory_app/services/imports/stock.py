"""The catalog import's stock rows: absolute on-hand figures set through the ledger, in batches."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.models import AbstractBaseUser

from inventory_app.errors import InsufficientStock, StockError
from inventory_app.models import SKU, Location, MovementReason, StockLevel
from inventory_app.services.imports.parsing import ImportRowError
from inventory_app.services.ledger import StockChange, stock_apply
from inventory_app.services.pair_rows import rows_in

if TYPE_CHECKING:
    from inventory_app.services.imports import _SkuPlan

STOCK_BATCH = 5000  # stock rows per ledger operation (all in the import's one transaction)


def stock_rows_write(
    *,
    plans: dict[str, _SkuPlan],
    skus: dict[str, SKU],
    locations: dict[str, Location],
    errors: list,
    user: AbstractBaseUser | None,
) -> None:
    """Set each planned (SKU, location) on-hand figure that differs from the level's, through the
    ledger with reason "import", one operation per ``STOCK_BATCH`` rows; refusals become row
    errors (the caller's transaction then rolls everything back)."""
    wanted = {
        (skus[p.code].pk, locations[loc].pk): (qty, row, p.code, loc)
        for p in plans.values()
        for loc, (qty, row) in p.stock.items()
    }
    if not wanted:
        return
    sku_ids = {s for s, _ in wanted}
    levels = StockLevel.objects.values_list("sku_id", "location_id", "on_hand")
    now = {(s, loc): on_hand for s, loc, on_hand in rows_in(queryset=levels, field="sku_id", values=sku_ids)}
    changes = [
        StockChange(sku_id=s, location_id=loc, set_on_hand=qty)
        for (s, loc), (qty, *_) in sorted(wanted.items())
        if now.get((s, loc), 0) != qty
    ]
    for start in range(0, len(changes), STOCK_BATCH):  # bounded memory: one operation per batch
        batch = changes[start : start + STOCK_BATCH]
        _stock_batch_write(changes=batch, wanted=wanted, errors=errors, user=user)


def _stock_batch_write(
    *, changes: list[StockChange], wanted: dict, errors: list, user: AbstractBaseUser | None
) -> None:
    try:
        stock_apply(
            changes=changes,
            reason=MovementReason.IMPORT,
            reference="catalog-import",
            note="Stock set by the catalog CSV import",
            user=user,
        )
    except InsufficientStock as exc:
        for s in exc.shortfalls:
            row = wanted[(s.sku_id, s.location_id)][1]
            errors.append(
                ImportRowError(
                    row, "quantity", f"{s.sku_code}@{s.location_code}: cannot go below committed units"
                )
            )
    except StockError as exc:
        rows = [wanted[(c.sku_id, c.location_id)][1] for c in changes]
        errors.append(ImportRowError(min(rows), "quantity", str(exc)))
