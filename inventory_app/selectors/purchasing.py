"""Reads of purchasing: incoming units per SKU, open purchase order lines."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import F, QuerySet, Sum

from inventory_app.models import PurchaseOrderLine, PurchaseOrderStatus

OPEN_STATUSES = (PurchaseOrderStatus.SENT, PurchaseOrderStatus.PARTIALLY_RECEIVED)


def purchase_lines_open(
    *, sku_ids: Iterable[int] | None = None, location_ids: Iterable[int] | None = None
) -> QuerySet[PurchaseOrderLine]:
    """Lines of sent or partially received orders that still expect units."""
    lines = PurchaseOrderLine.objects.filter(
        purchase_order__status__in=OPEN_STATUSES, quantity_received__lt=F("quantity_ordered")
    )
    if sku_ids is not None:
        lines = lines.filter(sku_id__in=list(sku_ids))
    if location_ids is not None:
        lines = lines.filter(purchase_order__location_id__in=list(location_ids))
    return lines.select_related("purchase_order", "sku").order_by("purchase_order__expected_date", "pk")


def sku_incoming(
    *, sku_ids: Iterable[int] | None = None, location_ids: Iterable[int] | None = None
) -> dict[int, int]:
    """SKU id -> units ordered on sent/partially received POs and not yet received.

    With ``location_ids`` only POs delivering to those locations count. Drafts do not count
    (nothing has been ordered yet), nor do closed or cancelled orders.
    """
    rows = (
        purchase_lines_open(sku_ids=sku_ids, location_ids=location_ids)
        .values("sku_id")
        .annotate(units=Sum(F("quantity_ordered") - F("quantity_received")))
    )
    incoming: dict[int, int] = defaultdict(int)
    for row in rows:
        incoming[row["sku_id"]] += row["units"]
    return dict(incoming)
