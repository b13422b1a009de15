"""How fast SKUs sell: units ordered recently, on every channel."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from django.db.models import F, Sum

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
