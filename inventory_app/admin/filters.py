"""List filters the dashboard links to: stock state of SKUs, attention state of orders."""

from __future__ import annotations

from django.contrib import admin

from inventory_app.selectors.dashboard import (
    OPEN_ORDER_STATUSES,
    OVERSOLD_MARK,
    skus_low_stock,
    skus_out_of_stock,
)


class StockStateFilter(admin.SimpleListFilter):
    """Low stock (at or below a reorder point), out of stock (nothing available to sell), kits."""

    title = "stock"
    parameter_name = "stock"

    def lookups(self, request, model_admin):
        return (("low", "Low (at or below reorder point)"), ("out", "Out of stock"), ("kits", "Kits"))

    def queryset(self, request, queryset):
        if self.value() == "low":
            return skus_low_stock(queryset=queryset)
        if self.value() == "out":
            return skus_out_of_stock(queryset=queryset)
        if self.value() == "kits":
            return queryset.filter(is_kit=True)
        return queryset


class AttentionFilter(admin.SimpleListFilter):
    """Orders needing attention, the open oversold ones among them, and the healthy ones."""

    title = "attention"
    parameter_name = "attention"

    def lookups(self, request, model_admin):
        return (
            ("needed", "Needs attention"),
            ("oversold", "Oversold (open)"),
            ("none", "No attention needed"),
        )

    def queryset(self, request, queryset):
        if self.value() == "needed":
            return queryset.filter(needs_attention=True)
        if self.value() == "oversold":
            return queryset.filter(
                needs_attention=True, status__in=OPEN_ORDER_STATUSES, attention_reason__contains=OVERSOLD_MARK
            )
        if self.value() == "none":
            return queryset.filter(needs_attention=False)
        return queryset
