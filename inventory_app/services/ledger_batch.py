"""Many reservation operations in one pass of the ledger (the batched order intake uses it).

:func:`stock_apply_many` gives exactly the ledger of calling ``stock_apply`` once per operation,
in the order given, inside one transaction - one :class:`StockOperation` per input, one
movement per change with after-values that chain from operation to operation - but with a
fixed number of statements whatever the number of operations: one lock of every level (in
primary-key order, as ``stock_apply`` does), one insert of the operations, one of the
movements, one update of the levels. It takes committed (reservation) changes only: on-hand
changes carry costs, which ``stock_apply`` values one operation at a time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from inventory_app import hooks
from inventory_app.errors import InvalidStockOperation
from inventory_app.models import MovementReason, StockLevel, StockMovement, StockOperation
from inventory_app.services.events.record import events_availability_record
from inventory_app.services.ledger import StockChange, _batch_compute, _batch_load, _levels_lock
from inventory_app.services.stock_totals import sku_totals_add


@dataclass(frozen=True)
class OperationInput:
    """One operation of a :func:`stock_apply_many` call: its changes, reason and reference."""

    changes: Sequence[StockChange]
    reason: str
    reference: str = ""
    reason_detail: str = ""
    note: str = ""


def stock_apply_many(
    *, operations: Sequence[OperationInput], user: AbstractBaseUser | None = None
) -> list[StockOperation]:
    """Apply reservation operations in turn, atomically; return their :class:`StockOperation` rows.

    Raises :class:`InsufficientStock` (with the first failing operation's shortfalls) or
    :class:`InvalidStockOperation`, and then nothing changed. Availability listeners are told
    once, after commit, about every sellable SKU moved.
    """
    if not operations:
        return []
    for operation in operations:
        if operation.reason not in MovementReason.values:
            raise InvalidStockOperation(f"Unknown reason {operation.reason!r}")
        if not operation.changes:
            raise InvalidStockOperation("A stock operation needs at least one change")
        if any(c.on_hand_delta or c.set_on_hand is not None for c in operation.changes):
            raise InvalidStockOperation("stock_apply_many takes committed changes only")
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    changes = [change for operation in operations for change in operation.changes]
    with transaction.atomic():
        skus, locations = _batch_load(changes=changes)
        levels = _levels_lock(changes=changes, skus=skus)
        rows = StockOperation.objects.bulk_create(
            [
                StockOperation(
                    reason=operation.reason,
                    reason_detail=operation.reason_detail,
                    reference=operation.reference,
                    note=operation.note,
                    user=user,
                )
                for operation in operations
            ]
        )
        state = {key: [row["on_hand"], row["committed"]] for key, row in levels.items()}
        movements: list[StockMovement] = []
        net: dict[int, list[int]] = {}
        for row, operation in zip(rows, operations, strict=True):
            row.replayed = False
            moved, touched = _batch_compute(
                changes=operation.changes,
                reason=operation.reason,
                operation=row,
                levels=levels,
                skus=skus,
                locations=locations,
                state=state,
            )
            movements.extend(moved)
            for level_id, (on_hand_delta, committed_delta) in touched.items():
                total = net.setdefault(level_id, [0, 0])
                total[0] += on_hand_delta
                total[1] += committed_delta
        _levels_update(net=net)
        sku_totals_add(levels=levels, locations=locations, net=net)
        StockMovement.objects.bulk_create(movements)
        sellable_skus = frozenset(m.sku_id for m in movements if locations[m.location_id].is_sellable)
        if sellable_skus:
            events_availability_record(sku_ids=sellable_skus)
            transaction.on_commit(partial(hooks.availability_changed_notify, sku_ids=sellable_skus))
    return rows


def _levels_update(*, net: dict[int, list[int]]) -> None:
    """Add the net deltas to the (locked) levels: one statement on PostgreSQL."""
    now = timezone.now()
    if connection.vendor != "postgresql":
        for level_id, (on_hand_delta, committed_delta) in net.items():
            StockLevel.objects.filter(pk=level_id).update(
                on_hand=F("on_hand") + on_hand_delta,
                committed=F("committed") + committed_delta,
                updated_at=now,
            )
        return
    if not net:
        return
    ids = sorted(net)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {StockLevel._meta.db_table} AS s SET on_hand = s.on_hand + v.on_hand, "  # noqa: S608
            "committed = s.committed + v.committed, updated_at = %s "
            "FROM (SELECT UNNEST(%s::bigint[]) AS id, UNNEST(%s::integer[]) AS on_hand, "
            "UNNEST(%s::integer[]) AS committed) AS v WHERE s.id = v.id",
            [now, ids, [net[i][0] for i in ids], [net[i][1] for i in ids]],
        )
