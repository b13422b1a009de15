"""Reorder suggestions: which (SKU, location) pairs need buying, how much, and from whom.

For each active :class:`~inventory_app.models.ReorderRule`:

* velocity = units shipped from that location in the last ``days`` days (ledger shipment
  movements) / ``days``;
* lead time = the supplier item's lead time, else the supplier's (the rule's supplier, else the
  SKU's preferred supplier item, else its cheapest one); 0 without a supplier;
* lead-time demand = velocity x lead time, rounded up to whole units;
* projected = available (on hand - committed) + incoming (open POs delivering to the location);
* the pair needs reordering when projected - lead-time demand <= reorder point, and the
  suggestion is max(reorder quantity, reorder point + lead-time demand - projected, supplier's
  minimum order quantity).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import F, Sum
from django.utils import timezone

from inventory_app.models import (
    MovementReason,
    PurchaseOrderLine,
    ReorderRule,
    StockLevel,
    StockMovement,
    SupplierItem,
)
from inventory_app.selectors.purchasing import OPEN_STATUSES


@dataclass(frozen=True)
class ReorderSuggestion:
    """One (SKU, location) pair's figures and what to order."""

    rule_id: int
    sku_id: int
    location_id: int
    available: int
    incoming: int
    velocity_per_day: Decimal
    lead_time_days: int
    lead_time_demand: int
    reorder_point: int
    needs_reorder: bool
    suggested_quantity: int
    supplier_id: int | None
    unit_cost: Decimal | None

    @property
    def projected(self) -> int:
        """Units available or on their way."""
        return self.available + self.incoming


@dataclass(frozen=True)
class _Item:
    supplier_id: int
    lead_time_days: int
    min_order_quantity: int
    unit_price: Decimal


def _supplier_items(sku_ids) -> dict[tuple[int, int | None], _Item]:
    """(sku id, supplier id) -> item, plus (sku id, None) -> the default item of the SKU."""
    items: dict[tuple[int, int | None], _Item] = {}
    rows = (
        SupplierItem.objects.filter(sku_id__in=sku_ids, supplier__is_active=True)
        .order_by("sku_id", "-is_preferred", "unit_price", "pk")
        .values_list(
            "sku_id",
            "supplier_id",
            "lead_time_days",
            "supplier__lead_time_days",
            "min_order_quantity",
            "unit_price",
        )
    )
    for sku_id, supplier_id, own_lead, supplier_lead, minimum, price in rows:
        item = _Item(supplier_id, supplier_lead if own_lead is None else own_lead, minimum, price)
        items[(sku_id, supplier_id)] = item
        items.setdefault((sku_id, None), item)
    return items


@dataclass(frozen=True)
class _Rule:
    pk: int
    sku_id: int
    location_id: int
    reorder_point: int
    reorder_quantity: int
    supplier_id: int | None
    supplier_lead_time: int | None


def reorder_suggestions(
    *,
    days: int = 30,
    location_ids: Iterable[int] | None = None,
    only_needed: bool = True,
    now: datetime | None = None,
) -> list[ReorderSuggestion]:
    """Suggestions for the active reorder rules (by default only the pairs that need reordering).

    A fixed number of queries whatever the number of rules, each reading the rules' SKUs through
    a subquery (no IN list of thousands of ids) and returning plain rows.
    """
    if days <= 0:
        raise ValueError("days must be positive")
    now = now or timezone.now()
    active = ReorderRule.objects.filter(is_active=True)
    if location_ids is not None:
        active = active.filter(location_id__in=list(location_ids))
    rules = [
        _Rule(*row)
        for row in active.order_by("sku_id", "location_id").values_list(
            "pk",
            "sku_id",
            "location_id",
            "reorder_point",
            "reorder_quantity",
            "supplier_id",
            "supplier__lead_time_days",
        )
    ]
    if not rules:
        return []
    sku_ids = active.order_by().values("sku_id")
    loc_ids = {r.location_id for r in rules}
    levels = {
        (sku_id, location_id): on_hand - committed
        for sku_id, location_id, on_hand, committed in StockLevel.objects.filter(
            sku_id__in=sku_ids, location_id__in=loc_ids
        ).values_list("sku_id", "location_id", "on_hand", "committed")
    }
    incoming = {
        (row["sku_id"], row["purchase_order__location_id"]): row["units"]
        for row in PurchaseOrderLine.objects.filter(
            sku_id__in=sku_ids,
            purchase_order__location_id__in=loc_ids,
            purchase_order__status__in=OPEN_STATUSES,
            quantity_received__lt=F("quantity_ordered"),
        )
        .order_by()
        .values("sku_id", "purchase_order__location_id")
        .annotate(units=Sum(F("quantity_ordered") - F("quantity_received")))
    }
    shipped = {
        (row["sku_id"], row["location_id"]): -row["units"]
        for row in StockMovement.objects.filter(
            reason=MovementReason.SHIPMENT,
            created_at__gt=now - timedelta(days=days),
            created_at__lte=now,
            sku_id__in=sku_ids,
            location_id__in=loc_ids,
        )
        .order_by()
        .values("sku_id", "location_id")
        .annotate(units=Sum("on_hand_delta"))
    }
    items = _supplier_items(sku_ids)
    result = []
    for rule in rules:
        key = (rule.sku_id, rule.location_id)
        item = items.get((rule.sku_id, rule.supplier_id))
        lead_time = 0
        if item is not None:
            lead_time = item.lead_time_days
        elif rule.supplier_id is not None:
            lead_time = rule.supplier_lead_time
        velocity = Decimal(shipped.get(key, 0)) / days
        demand = math.ceil(velocity * lead_time)
        available, on_order = levels.get(key, 0), incoming.get(key, 0)
        projected = available + on_order
        needs = projected - demand <= rule.reorder_point
        quantity = max(rule.reorder_quantity, rule.reorder_point + demand - projected)
        if item is not None:
            quantity = max(quantity, item.min_order_quantity)
        if only_needed and not needs:
            continue
        result.append(
            ReorderSuggestion(
                rule_id=rule.pk,
                sku_id=rule.sku_id,
                location_id=rule.location_id,
                available=available,
                incoming=on_order,
                velocity_per_day=velocity.quantize(Decimal("0.0001")),
                lead_time_days=lead_time,
                lead_time_demand=demand,
                reorder_point=rule.reorder_point,
                needs_reorder=needs,
                suggested_quantity=quantity if needs else 0,
                supplier_id=rule.supplier_id or (item.supplier_id if item else None),
                unit_cost=item.unit_price if item is not None else None,
            )
        )
    return result
