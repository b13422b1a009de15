"""Reorder rules and draft purchase orders from reorder suggestions."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from inventory_app.models import SKU, Location, PurchaseOrder, ReorderRule, Supplier
from inventory_app.selectors.reorder import ReorderSuggestion
from inventory_app.services.purchasing import PurchaseLineInput, PurchasingError, purchase_order_create


def reorder_rule_set(
    *,
    sku: SKU,
    location: Location,
    reorder_point: int,
    reorder_quantity: int,
    supplier: Supplier | None = None,
    is_active: bool = True,
) -> ReorderRule:
    """Create or update the reorder rule of one (SKU, location)."""
    if sku.is_kit:
        raise PurchasingError(f"Kits are not bought: {sku.code}")
    if reorder_point < 0 or reorder_quantity <= 0:
        raise PurchasingError("The reorder point must be >= 0 and the reorder quantity > 0")
    rule, _ = ReorderRule.objects.update_or_create(
        sku=sku,
        location=location,
        defaults=dict(
            reorder_point=reorder_point,
            reorder_quantity=reorder_quantity,
            supplier=supplier,
            is_active=is_active,
        ),
    )
    return rule


def purchase_orders_from_suggestions(
    *, suggestions: Sequence[ReorderSuggestion], user: AbstractBaseUser | None = None
) -> list[PurchaseOrder]:
    """Draft one purchase order per (supplier, location) from the suggestions that need reordering.

    Lines are priced at the supplier's item price (else the SKU's default cost). Suggestions
    without a supplier are left out; call again once a supplier item exists.
    """
    groups: dict[tuple[int, int], list[ReorderSuggestion]] = defaultdict(list)
    for suggestion in suggestions:
        if suggestion.needs_reorder and suggestion.suggested_quantity > 0 and suggestion.supplier_id:
            groups[(suggestion.supplier_id, suggestion.location_id)].append(suggestion)
    suppliers = Supplier.objects.in_bulk({s for s, _ in groups})
    locations = Location.objects.in_bulk({loc for _, loc in groups})
    orders = []
    with transaction.atomic():
        for (supplier_id, location_id), rows in sorted(groups.items()):
            orders.append(
                purchase_order_create(
                    supplier=suppliers[supplier_id],
                    location=locations[location_id],
                    lines=[
                        PurchaseLineInput(
                            sku_id=row.sku_id, quantity=row.suggested_quantity, unit_cost=row.unit_cost
                        )
                        for row in rows
                    ],
                    note="Drafted from reorder suggestions",
                    user=user,
                )
            )
    return orders
