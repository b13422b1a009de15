"""Query-string filters of the API lists (django-filter)."""

from __future__ import annotations

import django_filters as filters

from inventory_app.models import (
    SKU,
    MovementReason,
    Order,
    OrderStatus,
    StockLevel,
    StockMovement,
    StockOperation,
)


class SKUFilter(filters.FilterSet):
    """?code= ?barcode= ?product= ?is_kit= ?is_active="""

    code = filters.CharFilter(field_name="code")
    barcode = filters.CharFilter(field_name="barcode")

    class Meta:
        model = SKU
        fields = ["code", "barcode", "product", "is_kit", "is_active"]


def sku_refs_split(values: list[str]) -> tuple[list[int], list[str]]:
    """SKU references as a client may give them, split into (ids, codes): a value that is the code
    of a SKU is that code (codes can be digits), any other number is an id, the rest are codes."""
    codes = set(SKU.objects.filter(code__in=values).values_list("code", flat=True))
    ids = [int(v) for v in values if v not in codes and v.isdigit()]
    return ids, [v for v in values if v in codes or not v.isdigit()]


class StockLevelFilter(filters.FilterSet):
    """?sku=<id or code> ?sku_code= ?location= ?location_code= ?nonzero=true"""

    sku = filters.CharFilter(method="filter_sku", label="SKU id or code")
    sku_code = filters.CharFilter(field_name="sku__code")
    location_code = filters.CharFilter(field_name="location__code")
    nonzero = filters.BooleanFilter(method="filter_nonzero", label="Only levels with stock or reservations")

    class Meta:
        model = StockLevel
        fields = ["sku", "location"]

    def filter_sku(self, queryset, name, value):
        ids, codes = sku_refs_split([value])
        return queryset.filter(sku_id__in=ids) if ids else queryset.filter(sku__code__in=codes)

    def filter_nonzero(self, queryset, name, value):
        if value:
            return queryset.exclude(on_hand=0, committed=0)
        return queryset


class StockMovementFilter(filters.FilterSet):
    """?sku= ?sku_code= ?location= ?reason= ?reference= ?order= ?operation= ?created_after/before="""

    sku_code = filters.CharFilter(field_name="sku__code")
    location_code = filters.CharFilter(field_name="location__code")
    reason = filters.ChoiceFilter(choices=MovementReason.choices)
    reference = filters.CharFilter(field_name="operation__reference")
    order = filters.NumberFilter(field_name="order_line__order", label="Order id")
    created_after = filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = StockMovement
        fields = ["sku", "location", "operation", "order_line"]


class StockOperationFilter(filters.FilterSet):
    """?reason= ?reference= ?created_after= ?created_before="""

    reason = filters.ChoiceFilter(choices=MovementReason.choices)
    reference = filters.CharFilter(field_name="reference")
    created_after = filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = StockOperation
        fields = ["reason", "reference"]


class OrderFilter(filters.FilterSet):
    """?status= ?channel=<code> ?needs_attention= ?external_ref= ?created_after= ?created_before="""

    status = filters.ChoiceFilter(choices=OrderStatus.choices)
    channel = filters.CharFilter(field_name="channel__code", label="Sales channel code")
    external_ref = filters.CharFilter(field_name="external_ref")
    created_after = filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = Order
        fields = ["status", "channel", "needs_attention", "external_ref"]
