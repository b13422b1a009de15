"""Many level changes in one request: set (a count) or adjust (by a signed delta) per line.

:func:`stock_bulk_apply` resolves every SKU and location in a few queries, locks the affected
levels once (primary-key order, as the ledger does), checks each line in order against the running
figures, then writes the lines that pass through the ledger (``stock_apply``): one operation per
run of consecutive lines of the same kind (count, adjustment, write-off), one movement and one
level update per line that moves stock. ``atomic=True``: one bad line and nothing is written.
``atomic=False``: the good lines are written, the bad ones reported.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import groupby

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from inventory_app.models import SKU, Location, MovementReason
from inventory_app.services.ledger import StockChange, _levels_lock, stock_apply
from inventory_app.services.pair_rows import rows_in
from inventory_app.services.stock import AdjustmentReason

MAX_LINES = 1000


@dataclass(frozen=True)
class BulkLine:
    """One line: SKU and location codes, and either ``set`` (on hand after) or ``adjust`` (delta)."""

    sku: str
    location: str
    set: int | None = None
    adjust: int | None = None
    reason: str = AdjustmentReason.CORRECTION


@dataclass
class BulkLineResult:
    """What became of one line: ``applied``, ``failed`` or ``not_applied`` (valid, but an atomic
    request with a bad line writes nothing); on hand before and after; why it failed."""

    index: int
    sku: str
    location: str
    status: str = "not_applied"
    on_hand_before: int | None = None
    on_hand_after: int | None = None
    code: str = ""
    detail: str = ""

    def fail(self, code: str, detail: str) -> None:
        self.status, self.code, self.detail = "failed", code, detail
        self.on_hand_after = None


def stock_bulk_apply(
    *,
    lines: Sequence[BulkLine],
    atomic: bool,
    reference: str = "",
    note: str = "",
    user: AbstractBaseUser | None = None,
) -> list[BulkLineResult]:
    """Apply the lines in order (see the module docstring); one result per line, in order.

    Raises ValueError when there are no lines or more than ``MAX_LINES``.
    """
    if not 1 <= len(lines) <= MAX_LINES:
        raise ValueError(f"Give 1 to {MAX_LINES:,} lines.")
    results = [BulkLineResult(index=i, sku=line.sku, location=line.location) for i, line in enumerate(lines)]
    skus = {
        s.code: s for s in rows_in(queryset=SKU.objects.all(), field="code", values={x.sku for x in lines})
    }
    locations = {
        loc.code: loc
        for loc in rows_in(queryset=Location.objects.all(), field="code", values={x.location for x in lines})
    }
    changes: dict[int, StockChange] = {}
    for line, result in zip(lines, results, strict=True):
        if problem := _line_problem(line=line, sku=skus.get(line.sku), location=locations.get(line.location)):
            result.fail(*problem)
            continue
        sku, location = skus[line.sku], locations[line.location]
        if line.set is not None:
            changes[result.index] = StockChange(sku_id=sku.pk, location_id=location.pk, set_on_hand=line.set)
        else:
            changes[result.index] = StockChange(
                sku_id=sku.pk, location_id=location.pk, on_hand_delta=line.adjust
            )
    if atomic and len(changes) < len(lines):
        return results
    with transaction.atomic():
        passed = _lines_check(changes=changes, results=results, skus=skus)
        if atomic and len(passed) < len(changes):
            for result in results:
                if result.status != "failed":
                    result.on_hand_before = result.on_hand_after = None
            transaction.set_rollback(True)
            return results
        for reason_detail, run in groupby(passed, key=lambda i: _reason_of(lines[i])):
            indexes = [i for i in run if results[i].on_hand_before != results[i].on_hand_after]
            if not indexes:
                continue
            stock_apply(
                changes=[changes[i] for i in indexes],
                reason=_movement_reason(reason_detail),
                reason_detail="" if reason_detail == "count" else reason_detail,
                reference=reference,
                note=note,
                user=user,
            )
        for i in passed:
            results[i].status = "applied"
    return results


def _line_problem(*, line: BulkLine, sku: SKU | None, location: Location | None) -> tuple[str, str] | None:
    if (line.set is None) == (line.adjust is None):
        return "invalid_line", "Give either set or adjust."
    if sku is None:
        return "unknown_sku", f"No SKU {line.sku}."
    if location is None:
        return "unknown_location", f"No location {line.location}."
    if sku.is_kit:
        return "invalid_operation", f"{sku.code} is a kit: kits hold no stock of their own."
    if line.set is not None and line.set < 0:
        return "invalid_line", "set must be 0 or more."
    if line.adjust == 0:
        return "invalid_line", "adjust must change the quantity."
    if line.adjust is not None and line.reason not in AdjustmentReason.values:
        return "invalid_line", f"Unknown reason {line.reason!r}."
    if not location.is_active and (line.set is not None or line.adjust > 0):
        return "invalid_operation", f"Location {location.code} is inactive."
    return None


def _lines_check(
    *, changes: dict[int, StockChange], results: list[BulkLineResult], skus: dict[str, SKU]
) -> list[int]:
    """Lock the levels and run the lines in order over their figures; the indexes that pass."""
    if not changes:
        return []
    by_id = {s.pk: s for s in skus.values()}
    levels = _levels_lock(changes=list(changes.values()), skus=by_id)
    state = {key: [row["on_hand"], row["committed"]] for key, row in levels.items()}
    passed = []
    for index, change in changes.items():
        key = (change.sku_id, change.location_id)
        on_hand, committed = state[key]
        after = change.set_on_hand if change.set_on_hand is not None else on_hand + change.on_hand_delta
        result = results[index]
        result.on_hand_before, result.on_hand_after = on_hand, after
        if after < 0:
            result.fail("insufficient_stock", f"Only {on_hand} on hand.")
        elif after < committed and not levels[key]["allow_backorder"]:
            result.fail(
                "insufficient_stock", f"{committed} units are committed to orders; on hand cannot go below."
            )
        else:
            state[key][0] = after
            passed.append(index)
    return passed


def _reason_of(line: BulkLine) -> str:
    return "count" if line.set is not None else line.reason


def _movement_reason(reason_detail: str) -> str:
    if reason_detail == "count":
        return MovementReason.COUNT
    return (
        MovementReason.WRITE_OFF if reason_detail == AdjustmentReason.WRITE_OFF else MovementReason.ADJUSTMENT
    )
