"""Shipments read side: shipping cost per order (for margin reporting), shipments of an order."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from inventory_app.aggregates import DecimalSum
from shipping_app.models import Shipment, ShipmentStatus


def order_shipping_costs(*, order_ids: Iterable[int]) -> dict[int, Decimal]:
    """Postage paid per order: the sum of its shipments' rates (voided and draft ones excluded).

    The core Order has no field for it (its ``shipping_total`` is what the buyer paid), so the
    figure lives on the shipments; orders without shipments are absent.
    """
    rows = (
        Shipment.objects.filter(order_id__in=list(order_ids))
        .exclude(status__in=[ShipmentStatus.VOIDED, ShipmentStatus.DRAFT])
        .values("order_id")
        .annotate(total=DecimalSum("rate_amount"))
    )
    return {row["order_id"]: row["total"] or Decimal("0") for row in rows}
