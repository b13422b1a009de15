"""How fast SKUs sell: units ordered recently, on every channel."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from django.db.models import Case, F, Sum, Value, When

from inventory_app.models import OrderLine


def skus_units_ordered(*, sku_ids: Collection[int], since: datetime) -> dict[int, int]:
    """Units ordered per SKU (the SKU ordered itself, a kit counted as the kit) in orders taken
    in since ``since``, cancelled units left out; SKUs without orders are absent."""
    if not sku_ids:
        return {}
    rows = (
        OrderLine.objects.filter(sku_id__in=list(sku_ids), order__created_at__gte=since)
        .values("sku_id")
        .annotate(units=Sum(F("quantity") - F("quantity_cancelled")))
        .order_by()
    )
    return {row["sku_id"]: row["units"] for row in rows if row["units"] > 0}


def skus_units_ordered_by_channel(
    *, sku_ids: Collection[int], windows: Sequence[datetime]
) -> dict[tuple[int, int], tuple[int, ...]]:
    """Units ordered per (SKU, sales channel id) in orders taken in since each of ``windows``
    (one figure per window, in their order; the SKU ordered itself, a kit counted as the kit),
    cancelled units left out; pairs without orders are absent. One query."""
    if not sku_ids or not windows:
        return {}
    units = F("quantity") - F("quantity_cancelled")
    sums = {
        f"w{index}": Sum(Case(When(order__created_at__gte=since, then=units), default=Value(0)))
        for index, since in enumerate(windows)
    }
    rows = (
        OrderLine.objects.filter(sku_id__in=list(sku_ids), order__created_at__gte=min(windows))
        .values("sku_id", "order__channel_id")
        .annotate(**sums)
        .order_by()
    )
    return {
        (row["sku_id"], row["order__channel_id"]): tuple(
            max(row[f"w{i}"] or 0, 0) for i in range(len(windows))
        )
        for row in rows
    }
