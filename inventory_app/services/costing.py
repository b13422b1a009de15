"""The costing engine: values every on-hand movement of the ledger, in the ledger's transaction.

Design
======

*Method.* One :class:`~inventory_app.models.CostingSettings` row (pk=1) holds the company's
method, FIFO or moving weighted average, and its currency. Both methods keep their state per
(SKU, location): a unit's cost depends on where it is, and a transfer carries its cost along.

*Where it runs.* ``stock_apply`` calls :func:`movements_cost` after the batch is validated and the
level rows are locked, before the movements are inserted; the engine locks the cost rows of the
touched (SKU, location) pairs with SELECT ... FOR UPDATE ordered by pk, prices each movement (sets
``value_delta`` and, when empty, ``unit_cost``), updates the layers/pools, and after the insert
:meth:`CostingPlan.record` stores new layers and layer consumptions. Reservations and releases move
no on-hand units and no cost. Because level rows are locked first, two transactions touching the
same (SKU, location) are serialised, and the layer locks make double consumption impossible even
for a writer that bypasses the levels.

*Rounding.* Decimal only. Money has 2 decimal places, unit costs 4, ROUND_HALF_UP. The exact
figure is always the money value; unit costs are informative (value / quantity). An inbound value
is ``round(quantity x unit_cost, 2)`` unless the caller passes the exact value (landed costs).
Taking ``k`` of ``n`` units worth ``V`` is worth ``round(V x k / n, 2)``, and taking the last
units takes exactly what is left, so the residual cent goes to the last unit and a layer or pool
never keeps value without units, nor goes below zero. Hence, to the cent and for both methods:
value in = value out + value on hand, and value on hand = the sum of ``value_delta`` of the ledger.

*What each movement costs.* Outbound (shipment, negative adjustment or count, write-off, transfer
out, receipt reversal): FIFO consumes layers oldest first (pk order = posting order), average takes
its share of the pool; a movement that ``reverses`` an inbound movement consumes exactly that
movement's layer (FIFO) or its value (average). Units beyond the layers/pool (stock that existed
before costing) are costed at the SKU's default unit cost. Inbound: an explicit value, else a
transfer-in at the value its transfer-out consumed in the same batch, a customer return on an
order line at the value those units shipped with (the line's shipped value not yet returned,
shared per unit), a receipt at its unit cost; positive adjustments and counts (and returns without
a line or cost) at the current cost of the (SKU, location): the average, or for FIFO the newest
layer's unit cost, else the SKU's default unit cost. Under FIFO every inbound movement is a layer.

*Late history.* Costing follows posting order. A receipt posted today with an earlier document
date creates a layer effective from its posting: sales already costed keep their COGS (they may be
exported to the books already), the new layer is consumed by later outbound movements, and the
valuation "as of" a past date, read from the ledger's posting times, does not include it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Max, Sum

from inventory_app.aggregates import DecimalSum
from inventory_app.errors import InvalidStockOperation
from inventory_app.models import (
    SKU,
    AverageCost,
    CostingMethod,
    CostingSettings,
    CostLayer,
    LayerConsumption,
    MovementReason,
    StockMovement,
)
from inventory_app.selectors.costing import costing_settings_get
from inventory_app.services.pair_rows import chunked, pairs_rows_locked, rows_in

MONEY = Decimal("0.01")
UNIT = Decimal("0.0001")
ZERO = Decimal("0.00")


def money_round(value: Decimal) -> Decimal:
    """Round to the cent, half up."""
    return value.quantize(MONEY, rounding=ROUND_HALF_UP)


def unit_cost_round(value: Decimal) -> Decimal:
    """Round a unit cost to 4 decimal places, half up."""
    return value.quantize(UNIT, rounding=ROUND_HALF_UP)


def value_share(*, value: Decimal, quantity: int, take: int) -> Decimal:
    """Money value of ``take`` of ``quantity`` units worth ``value``; the last units take the rest."""
    if take >= quantity:
        return value
    return money_round(value * take / quantity)


def costing_settings_update(*, method: str | None = None, currency: str | None = None) -> CostingSettings:
    """Change the costing method or currency; the method only while nothing has been valued."""
    settings = costing_settings_get()
    if method is not None and method != settings.method:
        if method not in CostingMethod.values:
            raise InvalidStockOperation(f"Unknown costing method {method!r}")
        if StockMovement.objects.filter(value_delta__isnull=False).exists():
            raise InvalidStockOperation("The costing method cannot change once stock has been valued")
        settings.method = method
    if currency is not None:
        if len(currency) != 3 or not currency.isalpha():
            raise InvalidStockOperation(f"Currency must be a 3-letter code, not {currency!r}")
        settings.currency = currency.upper()
    settings.save()
    return settings


@dataclass
class CostingPlan:
    """Rows to insert once the batch's movements have their primary keys."""

    new_layers: list[CostLayer] = field(default_factory=list)
    consumptions: list[LayerConsumption] = field(default_factory=list)

    def record(self) -> None:
        """Insert the new layers and consumptions (call right after the movements' bulk_create)."""
        if self.new_layers:
            CostLayer.objects.bulk_create(self.new_layers)
        if self.consumptions:
            LayerConsumption.objects.bulk_create(self.consumptions)


class _FifoBook:
    """Open FIFO layers of the batch's (SKU, location) pairs, locked in pk order."""

    def __init__(self, pairs: Sequence[tuple[int, int]], plan: CostingPlan):
        self.plan = plan
        self.pairs = pairs
        self.latest: dict[tuple[int, int], Decimal] | None = None
        self.open: dict[tuple[int, int], list[CostLayer]] = defaultdict(list)
        self.dirty: dict[int, CostLayer] = {}
        layers = CostLayer.objects.filter(quantity_remaining__gt=0)
        for layer in pairs_rows_locked(queryset=layers, pairs=pairs):
            self.open[(layer.sku_id, layer.location_id)].append(layer)

    def take(self, movement: StockMovement, quantity: int, default_cost: Decimal) -> Decimal:
        layers = self.open[(movement.sku_id, movement.location_id)]
        if movement.reverses_id is not None:
            layers = [layer for layer in layers if layer.source_movement_id == movement.reverses_id]
            if sum(layer.quantity_remaining for layer in layers) < quantity:
                raise InvalidStockOperation(
                    f"Movement {movement.reverses_id} cannot be taken back: its units were already consumed"
                )
        total, need = ZERO, quantity
        for layer in layers:
            if not need:
                break
            take = min(need, layer.quantity_remaining)
            if not take:
                continue
            value = value_share(value=layer.value_remaining, quantity=layer.quantity_remaining, take=take)
            layer.quantity_remaining -= take
            layer.value_remaining -= value
            self.dirty[layer.pk] = layer
            self.plan.consumptions.append(
                LayerConsumption(movement=movement, layer=layer, quantity=take, value=value)
            )
            total += value
            need -= take
        if need:
            value = money_round(need * default_cost)
            self.plan.consumptions.append(
                LayerConsumption(movement=movement, layer=None, quantity=need, value=value)
            )
            total += value
        return total

    def put(self, movement: StockMovement, quantity: int, value: Decimal) -> None:
        self.plan.new_layers.append(
            CostLayer(
                sku_id=movement.sku_id,
                location_id=movement.location_id,
                source_movement=movement,
                quantity_received=quantity,
                quantity_remaining=quantity,
                unit_cost=unit_cost_round(value / quantity),
                value_received=value,
                value_remaining=value,
            )
        )

    def current_unit_cost(self, sku_id: int, location_id: int) -> Decimal | None:
        if self.latest is None:  # every pair's newest stored layer, read once for the batch
            self.latest = _latest_layer_costs(pairs=self.pairs)
        return self.latest.get((sku_id, location_id))

    def flush(self) -> None:
        if self.dirty:
            CostLayer.objects.bulk_update(self.dirty.values(), ["quantity_remaining", "value_remaining"])


def _latest_layer_costs(*, pairs: Sequence[tuple[int, int]]) -> dict[tuple[int, int], Decimal]:
    wanted = set(pairs)
    location_ids = sorted({location_id for _, location_id in wanted})
    newest: list[int] = []
    for sku_ids in chunked(sorted({sku_id for sku_id, _ in wanted})):
        rows = (
            CostLayer.objects.filter(sku_id__in=sku_ids, location_id__in=location_ids)
            .values("sku_id", "location_id")
            .annotate(newest=Max("pk"))
        )
        newest.extend(r["newest"] for r in rows if (r["sku_id"], r["location_id"]) in wanted)
    layers = CostLayer.objects.values_list("sku_id", "location_id", "unit_cost")
    return {(s, loc): cost for s, loc, cost in rows_in(queryset=layers, field="pk", values=newest)}


class _AverageBook:
    """Moving-average pools of the batch's (SKU, location) pairs, locked in pk order."""

    def __init__(self, pairs: Sequence[tuple[int, int]], plan: CostingPlan):
        AverageCost.objects.bulk_create(
            [AverageCost(sku_id=s, location_id=loc) for s, loc in pairs], ignore_conflicts=True
        )
        rows = pairs_rows_locked(queryset=AverageCost.objects.all(), pairs=pairs)
        self.pools = {(row.sku_id, row.location_id): row for row in rows}

    def take(self, movement: StockMovement, quantity: int, default_cost: Decimal) -> Decimal:
        pool = self.pools[(movement.sku_id, movement.location_id)]
        within = min(quantity, pool.quantity)
        if not within:
            value = ZERO
        elif within == pool.quantity:
            value = pool.value
        elif movement.reverses_id is not None:
            original = StockMovement.objects.values("on_hand_delta", "value_delta").get(
                pk=movement.reverses_id
            )
            value = value_share(
                value=original["value_delta"] or ZERO, quantity=original["on_hand_delta"], take=within
            )
            value = min(value, pool.value)
        else:
            value = value_share(value=pool.value, quantity=pool.quantity, take=within)
        pool.quantity -= within
        pool.value -= value
        return value + money_round((quantity - within) * default_cost)

    def put(self, movement: StockMovement, quantity: int, value: Decimal) -> None:
        pool = self.pools[(movement.sku_id, movement.location_id)]
        pool.quantity += quantity
        pool.value += value
        pool.last_unit_cost = unit_cost_round(pool.value / pool.quantity)

    def current_unit_cost(self, sku_id: int, location_id: int) -> Decimal | None:
        pool = self.pools.get((sku_id, location_id))
        if pool is None:
            return None
        return pool.unit_cost if pool.quantity > 0 else pool.last_unit_cost

    def flush(self) -> None:
        AverageCost.objects.bulk_update(self.pools.values(), ["quantity", "value", "last_unit_cost"])


class _ReturnPools:
    """Per (order line, SKU): units shipped and not yet returned, and the value they left with."""

    def __init__(self) -> None:
        self.pools: dict[tuple[int, int], list] = {}

    def take(self, *, order_line_id: int, sku_id: int, quantity: int) -> tuple[int, Decimal]:
        key = (order_line_id, sku_id)
        if key not in self.pools:
            rows = (
                StockMovement.objects.filter(
                    order_line_id=order_line_id,
                    sku_id=sku_id,
                    reason__in=[MovementReason.SHIPMENT, MovementReason.RETURN],
                    value_delta__isnull=False,
                )
                .values("reason")
                .annotate(units=Sum("on_hand_delta"), value=DecimalSum("value_delta"))
            )
            units, value = 0, ZERO
            for row in rows:  # shipments are negative, returns positive: the pool is minus their sum
                units -= row["units"]
                value -= row["value"]
            self.pools[key] = [units, value]
        pool = self.pools[key]
        within = max(min(quantity, pool[0]), 0)
        value = value_share(value=pool[1], quantity=pool[0], take=within) if within else ZERO
        pool[0] -= within
        pool[1] -= value
        return within, value


def movements_cost(*, movements: Sequence[StockMovement], reason: str) -> CostingPlan:
    """Value the on-hand movements of one ledger batch (sets ``value_delta`` and ``unit_cost``).

    Called by ``stock_apply`` inside its transaction, with the level rows already locked. Returns
    the plan whose :meth:`~CostingPlan.record` must run after the movements are inserted. Raises
    :class:`InvalidStockOperation` (nothing changes) for a negative cost or an impossible reversal.
    """
    plan = CostingPlan()
    priced = [m for m in movements if m.on_hand_delta]
    if not priced:
        return plan
    settings = costing_settings_get()
    pairs = sorted({(m.sku_id, m.location_id) for m in priced})
    skus = SKU.objects.values_list("pk", "default_unit_cost")
    defaults = dict(rows_in(queryset=skus, field="pk", values={s for s, _ in pairs}))
    book = _FifoBook(pairs, plan) if settings.method == CostingMethod.FIFO else _AverageBook(pairs, plan)
    transferred: dict[int, list] = defaultdict(lambda: [0, ZERO])
    # Outbound first: a batch's inbound units never feed its own outbound ones, and a transfer-in
    # knows what its transfer-out consumed.
    for movement in (m for m in priced if m.on_hand_delta < 0):
        quantity = -movement.on_hand_delta
        value = book.take(movement, quantity, defaults[movement.sku_id])
        movement.value_delta = -value
        if movement.unit_cost is None:
            movement.unit_cost = unit_cost_round(value / quantity)
        transferred[movement.sku_id][0] += quantity
        transferred[movement.sku_id][1] += value
    returns = _ReturnPools()
    for movement in (m for m in priced if m.on_hand_delta > 0):
        quantity = movement.on_hand_delta
        value = _inbound_value(
            movement=movement,
            reason=reason,
            book=book,
            returns=returns,
            transferred=transferred,
            default_cost=defaults[movement.sku_id],
        )
        if value < 0:
            raise InvalidStockOperation("A cost cannot be negative")
        movement.value_delta = value
        if movement.unit_cost is None:
            movement.unit_cost = unit_cost_round(value / quantity)
        book.put(movement, quantity, value)
    book.flush()
    return plan


def _inbound_value(
    *,
    movement: StockMovement,
    reason: str,
    book: _FifoBook | _AverageBook,
    returns: _ReturnPools,
    transferred: dict[int, list],
    default_cost: Decimal,
) -> Decimal:
    quantity = movement.on_hand_delta
    if movement.value_delta is not None:
        return movement.value_delta
    if reason == MovementReason.TRANSFER and transferred[movement.sku_id][0] > 0:
        pool = transferred[movement.sku_id]
        take = min(quantity, pool[0])
        value = value_share(value=pool[1], quantity=pool[0], take=take)
        pool[0] -= take
        pool[1] -= value
        return value + money_round((quantity - take) * default_cost)
    value, rest = ZERO, quantity
    if reason == MovementReason.RETURN and movement.order_line_id:
        within, value = returns.take(
            order_line_id=movement.order_line_id, sku_id=movement.sku_id, quantity=quantity
        )
        rest -= within
        if not rest:
            return value
    if movement.unit_cost is not None:
        if movement.unit_cost < 0:
            raise InvalidStockOperation("A unit cost cannot be negative")
        return value + money_round(rest * movement.unit_cost)
    current = book.current_unit_cost(movement.sku_id, movement.location_id)
    return value + money_round(rest * (default_cost if current is None else current))
