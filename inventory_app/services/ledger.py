"""The stock ledger: the one and only place where stock levels change.

``stock_apply`` takes a batch of changes, and in one transaction:

1. claims the idempotency key (a second call with the same key returns the first operation and
   changes nothing; concurrent duplicates serialise on the key's unique index);
2. creates missing level rows, then locks every affected level with SELECT ... FOR UPDATE in
   primary-key order (a fixed order, so two batches can never deadlock each other);
3. validates the whole batch against the locked figures, collecting every shortfall;
4. updates each level with F() expressions and appends one immutable movement per change, each
   on-hand movement valued by the costing engine (``services.costing.movements_cost``: FIFO
   layers or moving average, locked in pk order in this same transaction);
5. records an ``availability.changed`` event per sellable SKU moved and per kit containing one
   (``services.events``), and after commit notifies availability listeners of the SKUs whose
   sellable availability moved.

The database enforces the rest: on hand never negative, committed never above on hand unless the
SKU allows backorders, one level per (SKU, location), movements never updated or deleted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import partial

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from inventory_app import hooks
from inventory_app.errors import InsufficientStock, InvalidStockOperation, Shortfall
from inventory_app.models import SKU, Location, MovementReason, StockLevel, StockMovement, StockOperation
from inventory_app.services.costing import movements_cost
from inventory_app.services.events.record import events_availability_record
from inventory_app.services.pair_rows import pairs_rows_locked, rows_in
from inventory_app.services.stock_totals import sku_totals_add


@dataclass(frozen=True)
class StockChange:
    """One change to one (SKU, location) level.

    Either deltas, or ``set_on_hand`` for an absolute count (the delta is computed under lock).
    """

    sku_id: int
    location_id: int
    on_hand_delta: int = 0
    committed_delta: int = 0
    set_on_hand: int | None = None
    unit_cost: Decimal | None = None
    order_line_id: int | None = None
    # Costing: exact money value of an inbound change (overrides quantity x unit_cost, e.g. a
    # receipt line carrying its allocated landed cost), and for an outbound change the inbound
    # movement it takes back at that movement's own cost (a receipt reversal, a returned unit
    # written off).
    value: Decimal | None = None
    reverses_movement_id: int | None = None


def stock_apply(
    *,
    changes: Sequence[StockChange],
    reason: str,
    reason_detail: str = "",
    reference: str = "",
    note: str = "",
    user: AbstractBaseUser | None = None,
    idempotency_key: str | None = None,
) -> StockOperation:
    """Apply a batch of stock changes atomically and record them in the ledger.

    Returns the :class:`StockOperation`; its ``replayed`` attribute is True when the idempotency
    key had been used before (nothing changed this time). Raises :class:`InsufficientStock` with
    every shortfall of the batch, or :class:`InvalidStockOperation`; either way nothing changed.
    """
    if reason not in MovementReason.values:
        raise InvalidStockOperation(f"Unknown reason {reason!r}")
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    with transaction.atomic():
        operation = _operation_claim(
            reason=reason,
            reason_detail=reason_detail,
            reference=reference,
            note=note,
            user=user,
            idempotency_key=idempotency_key,
        )
        if operation.replayed:
            return operation
        skus, locations = _batch_load(changes=changes)
        levels = _levels_lock(changes=changes, skus=skus)
        movements, touched = _batch_compute(
            changes=changes, reason=reason, operation=operation, levels=levels, skus=skus, locations=locations
        )
        now = timezone.now()
        for level_id, (on_hand_delta, committed_delta) in touched.items():
            StockLevel.objects.filter(pk=level_id).update(
                on_hand=F("on_hand") + on_hand_delta,
                committed=F("committed") + committed_delta,
                updated_at=now,
            )
        sku_totals_add(levels=levels, locations=locations, net=touched)
        costing = movements_cost(movements=movements, reason=reason)
        StockMovement.objects.bulk_create(movements)
        costing.record()
        _levels_value_add(movements=movements, levels=levels)
        sellable_skus = frozenset(m.sku_id for m in movements if locations[m.location_id].is_sellable)
        if sellable_skus:
            events_availability_record(sku_ids=sellable_skus)
            transaction.on_commit(partial(hooks.availability_changed_notify, sku_ids=sellable_skus))
    return operation


def _levels_value_add(*, movements: Sequence[StockMovement], levels: dict[tuple[int, int], dict]) -> None:
    """Add the valued on-hand movements' ``value_delta`` to their (locked) levels' ``value`` (what
    ``selectors.costing.inventory_valuation`` sums from the ledger)."""
    per_level: dict[int, Decimal] = {}
    for movement in movements:
        if movement.on_hand_delta and movement.value_delta:
            level_id = levels[(movement.sku_id, movement.location_id)]["pk"]
            per_level[level_id] = per_level.get(level_id, Decimal(0)) + movement.value_delta
    for level_id in sorted(per_level):
        StockLevel.objects.filter(pk=level_id).update(value=F("value") + per_level[level_id])


def _operation_claim(
    *,
    reason: str,
    reason_detail: str,
    reference: str,
    note: str,
    user: AbstractBaseUser | None,
    idempotency_key: str | None,
) -> StockOperation:
    fields = dict(reason=reason, reason_detail=reason_detail, reference=reference, note=note, user=user)
    if idempotency_key:
        existing = StockOperation.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            existing.replayed = True
            return existing
        try:
            with transaction.atomic():
                operation = StockOperation.objects.create(idempotency_key=idempotency_key, **fields)
        except IntegrityError:
            # A concurrent call with the same key committed first: return its result.
            existing = StockOperation.objects.get(idempotency_key=idempotency_key)
            existing.replayed = True
            return existing
    else:
        operation = StockOperation.objects.create(**fields)
    operation.replayed = False
    return operation


def _batch_load(*, changes: Sequence[StockChange]) -> tuple[dict[int, SKU], dict[int, Location]]:
    if not changes:
        raise InvalidStockOperation("A stock operation needs at least one change")
    sku_ids = {c.sku_id for c in changes}
    location_ids = {c.location_id for c in changes}
    skus = {
        s.pk: s
        for s in rows_in(
            queryset=SKU.objects.only("id", "code", "is_kit", "backorder_policy"), field="pk", values=sku_ids
        )
    }
    locations = {
        loc.pk: loc
        for loc in Location.objects.filter(pk__in=location_ids).only("id", "code", "is_sellable", "is_active")
    }
    if missing := sku_ids - skus.keys():
        raise InvalidStockOperation(f"Unknown SKU id(s): {sorted(missing)}")
    if missing := location_ids - locations.keys():
        raise InvalidStockOperation(f"Unknown location id(s): {sorted(missing)}")
    if kits := sorted(s.code for s in skus.values() if s.is_kit):
        raise InvalidStockOperation(f"Kits have no stock of their own: {', '.join(kits)}")
    for change in changes:
        if change.set_on_hand is not None and (change.set_on_hand < 0 or change.on_hand_delta):
            raise InvalidStockOperation("A count sets a non-negative on-hand figure and no delta")
        if change.set_on_hand is None and not (change.on_hand_delta or change.committed_delta):
            raise InvalidStockOperation("A change must move on hand or committed")
        location = locations[change.location_id]
        if not location.is_active and (change.on_hand_delta > 0 or change.committed_delta > 0):
            raise InvalidStockOperation(f"Location {location.code} is inactive")
    return skus, locations


def _levels_lock(*, changes: Sequence[StockChange], skus: dict[int, SKU]) -> dict[tuple[int, int], dict]:
    pairs = sorted({(c.sku_id, c.location_id) for c in changes})
    rows = _levels_select_for_update(pairs=pairs)
    missing = [pair for pair in pairs if pair not in rows]
    if missing:
        # Levels seen for the first time: create them (a concurrent creator wins quietly), then
        # lock them. New rows take higher primary keys than the ones already locked, so the
        # pk order of the locks holds.
        StockLevel.objects.bulk_create(
            [
                StockLevel(sku_id=s, location_id=loc, allow_backorder=skus[s].allows_backorder)
                for s, loc in missing
            ],
            ignore_conflicts=True,
        )
        rows.update(_levels_select_for_update(pairs=missing))
    return rows


def _levels_select_for_update(*, pairs: Sequence[tuple[int, int]]) -> dict[tuple[int, int], dict]:
    fields = ("pk", "sku_id", "location_id", "on_hand", "committed", "allow_backorder")
    rows = pairs_rows_locked(queryset=StockLevel.objects.only(*fields), pairs=pairs)
    return {(r.sku_id, r.location_id): {name: getattr(r, name) for name in fields} for r in rows}


def _batch_compute(
    *,
    changes: Sequence[StockChange],
    reason: str,
    operation: StockOperation,
    levels: dict[tuple[int, int], dict],
    skus: dict[int, SKU],
    locations: dict[int, Location],
    state: dict[tuple[int, int], list[int]] | None = None,
) -> tuple[list[StockMovement], dict[int, tuple[int, int]]]:
    """Validate ``changes`` against the running figures ``state`` (default: the locked levels),
    advance them, and return the movements and the net delta per level id."""
    if state is None:
        state = {key: [row["on_hand"], row["committed"]] for key, row in levels.items()}
    touched: dict[int, tuple[int, int]] = {}
    movements: list[StockMovement] = []
    shortfalls: dict[tuple[int, int], Shortfall] = {}
    for change in changes:
        key = (change.sku_id, change.location_id)
        row = levels[key]
        on_hand, committed = state[key]
        on_hand_delta = change.on_hand_delta
        if change.set_on_hand is not None:
            on_hand_delta = change.set_on_hand - on_hand
        new_on_hand, new_committed = on_hand + on_hand_delta, committed + change.committed_delta
        if new_committed < 0:
            raise InvalidStockOperation(
                f"Cannot release {-change.committed_delta} of {skus[change.sku_id].code}"
                f"@{locations[change.location_id].code}: only {committed} committed"
            )
        over_on_hand = new_on_hand < 0
        over_available = not row["allow_backorder"] and new_committed > new_on_hand
        if over_on_hand or over_available:
            if over_on_hand:
                requested, have = -on_hand_delta, on_hand
            else:
                requested = change.committed_delta if change.committed_delta > 0 else -on_hand_delta
                have = on_hand - committed
            shortfalls[key] = Shortfall(
                sku_id=change.sku_id,
                sku_code=skus[change.sku_id].code,
                location_id=change.location_id,
                location_code=locations[change.location_id].code,
                requested=requested,
                available=max(have, 0),
            )
            continue
        state[key] = [new_on_hand, new_committed]
        if on_hand_delta == 0 and change.committed_delta == 0:
            continue
        prev = touched.get(row["pk"], (0, 0))
        touched[row["pk"]] = (prev[0] + on_hand_delta, prev[1] + change.committed_delta)
        movements.append(
            StockMovement(
                operation=operation,
                sku_id=change.sku_id,
                location_id=change.location_id,
                reason=reason,
                on_hand_delta=on_hand_delta,
                committed_delta=change.committed_delta,
                on_hand_after=new_on_hand,
                committed_after=new_committed,
                unit_cost=change.unit_cost,
                order_line_id=change.order_line_id,
                value_delta=change.value,
                reverses_id=change.reverses_movement_id,
            )
        )
    if shortfalls:
        raise InsufficientStock(list(shortfalls.values()))
    return movements, touched
