"""Reads of costing: settings, inventory valuation (now or as of a past time), COGS per line/order.

Valuation is read from the ledger: the value of (SKU, location) at time T is the sum of the
``value_delta`` of its movements posted at or before T (posting time = ``created_at``), exactly
as the quantity is the sum of their ``on_hand_delta``. :func:`valuation_from_layers` reads the same
figure from the FIFO layers and their consumptions, as an independent check.

COGS of an order line = value of its shipment movements - value of its return movements (a
returned unit gives back the cost it shipped with; a later write-off is a loss, not COGS).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Q, Sum
from django.utils import timezone

from inventory_app.aggregates import DecimalSum
from inventory_app.models import (
    CostingSettings,
    CostLayer,
    LayerConsumption,
    MovementReason,
    OrderLine,
    StockLevel,
    StockMovement,
)

ZERO = Decimal("0.00")


def costing_settings_get() -> CostingSettings:
    """The company's costing settings (created with FIFO/USD on first use)."""
    settings, _ = CostingSettings.objects.get_or_create(pk=CostingSettings.SINGLETON_PK)
    return settings


def as_of_moment(as_of: datetime | date | None) -> datetime | None:
    """A datetime as given; a date means the end of that day (in the current time zone)."""
    if as_of is None or isinstance(as_of, datetime):
        return as_of
    start_next = datetime.combine(as_of + timedelta(days=1), time.min)
    return timezone.make_aware(start_next) - timedelta(microseconds=1)


@dataclass(frozen=True)
class ValuationRow:
    """Units and money value of one SKU at one location."""

    sku_id: int
    location_id: int
    quantity: int
    value: Decimal

    @property
    def unit_cost(self) -> Decimal | None:
        """Average unit cost of what is on hand (4 dp), None when nothing is."""
        return (self.value / self.quantity).quantize(Decimal("0.0001")) if self.quantity else None


def inventory_valuation(
    *,
    as_of: datetime | date | None = None,
    sku_ids: Iterable[int] | None = None,
    location_ids: Iterable[int] | None = None,
) -> list[ValuationRow]:
    """Quantity and value per (SKU, location) from the ledger, now or as of a past moment.

    Rows with neither units nor value are left out; ordered by SKU then location id. Now: the
    levels' on hand and ledger-kept ``value`` (one row each); as of a moment: the ledger's sums.
    """
    moment = as_of_moment(as_of)
    if moment is None:
        levels = StockLevel.objects.exclude(on_hand=0, value=0)
        if sku_ids is not None:
            levels = levels.filter(sku_id__in=list(sku_ids))
        if location_ids is not None:
            levels = levels.filter(location_id__in=list(location_ids))
        rows = levels.order_by("sku_id", "location_id").values_list(
            "sku_id", "location_id", "on_hand", "value"
        )
        return [ValuationRow(*row) for row in rows]
    movements = StockMovement.objects.exclude(on_hand_delta=0)
    if moment is not None:
        movements = movements.filter(created_at__lte=moment)
    if sku_ids is not None:
        movements = movements.filter(sku_id__in=list(sku_ids))
    if location_ids is not None:
        movements = movements.filter(location_id__in=list(location_ids))
    rows = (
        movements.values("sku_id", "location_id")
        .annotate(quantity=Sum("on_hand_delta"), value=DecimalSum("value_delta"))
        .order_by("sku_id", "location_id")
    )
    return [
        ValuationRow(r["sku_id"], r["location_id"], r["quantity"], r["value"] or ZERO)
        for r in rows
        if r["quantity"] or r["value"]
    ]


def inventory_value_total(*, as_of: datetime | date | None = None) -> Decimal:
    """Total money value of all stock, now or as of a past moment."""
    return sum((row.value for row in inventory_valuation(as_of=as_of)), ZERO)


def valuation_from_layers(
    *, as_of: datetime | date | None = None, sku_ids: Iterable[int] | None = None
) -> dict[tuple[int, int], tuple[int, Decimal]]:
    """(SKU, location) -> (units, value) still in FIFO layers at a moment, from the layer tables.

    A layer counts if its movement was posted by then, less what was consumed from it by then.
    """
    moment = as_of_moment(as_of)
    layers = CostLayer.objects.all()
    consumptions = LayerConsumption.objects.filter(layer__isnull=False)
    if moment is not None:
        layers = layers.filter(Q(source_movement__created_at__lte=moment) | Q(source_movement__isnull=True))
        consumptions = consumptions.filter(movement__created_at__lte=moment)
    if sku_ids is not None:
        layers = layers.filter(sku_id__in=list(sku_ids))
    taken = {
        r["layer_id"]: (r["units"], r["value"])
        for r in consumptions.values("layer_id").annotate(units=Sum("quantity"), value=DecimalSum("value"))
    }
    result: dict[tuple[int, int], tuple[int, Decimal]] = defaultdict(lambda: (0, ZERO))
    for layer in layers.values("pk", "sku_id", "location_id", "quantity_received", "value_received"):
        units_taken, value_taken = taken.get(layer["pk"], (0, ZERO))
        key = (layer["sku_id"], layer["location_id"])
        units, value = result[key]
        result[key] = (
            units + layer["quantity_received"] - units_taken,
            value + layer["value_received"] - value_taken,
        )
    return {key: figures for key, figures in result.items() if figures[0] or figures[1]}


@dataclass(frozen=True)
class LineCogs:
    """Cost of goods sold of one order line: what shipped, what came back, and the net."""

    order_line_id: int
    units_shipped: int
    units_returned: int
    cost_shipped: Decimal
    cost_returned: Decimal

    @property
    def cogs(self) -> Decimal:
        """Net cost of goods sold."""
        return self.cost_shipped - self.cost_returned


def order_lines_cogs(*, order_line_ids: Iterable[int]) -> dict[int, LineCogs]:
    """COGS of each given order line (stock units: a kit line counts its components' units)."""
    ids = list(order_line_ids)
    figures: dict[int, dict] = {
        i: {"units_shipped": 0, "units_returned": 0, "cost_shipped": ZERO, "cost_returned": ZERO} for i in ids
    }
    rows = (
        StockMovement.objects.filter(
            order_line_id__in=ids, reason__in=[MovementReason.SHIPMENT, MovementReason.RETURN]
        )
        .values("order_line_id", "reason")
        .annotate(units=Sum("on_hand_delta"), value=DecimalSum("value_delta"))
    )
    for row in rows:
        line = figures[row["order_line_id"]]
        if row["reason"] == MovementReason.SHIPMENT:
            line["units_shipped"] += -row["units"]
            line["cost_shipped"] += -(row["value"] or ZERO)
        else:
            line["units_returned"] += row["units"]
            line["cost_returned"] += row["value"] or ZERO
    return {i: LineCogs(order_line_id=i, **f) for i, f in figures.items()}


@dataclass(frozen=True)
class OrderCogs:
    """COGS of an order: per line and in total."""

    order_id: int
    lines: dict[int, LineCogs]

    @property
    def cogs(self) -> Decimal:
        """Net cost of goods sold of the whole order."""
        return sum((line.cogs for line in self.lines.values()), ZERO)


def order_cogs(*, order_id: int) -> OrderCogs:
    """COGS of one order, line by line."""
    line_ids = OrderLine.objects.filter(order_id=order_id).values_list("pk", flat=True)
    return OrderCogs(order_id=order_id, lines=order_lines_cogs(order_line_ids=line_ids))
