"""Query-string filters of the API lists (django-filter)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import django_filters as filters
from django.core.exceptions import ValidationError
from django.utils.dateparse import parse_datetime
from django_filters.fields import IsoDateTimeField

from inventory_app.models import (
    SKU,
    MovementReason,
    Order,
    OrderStatus,
    StockLevel,
    StockMovement,
    StockOperation,
)

MAX_UTC_OFFSET = timedelta(hours=14)


class _BoundedIsoDateTimeField(IsoDateTimeField):
    """An ISO 8601 date-time the database can compare: offset within +/-14 h, year 1 to 9999."""

    def to_python(self, value):
        moment = super().to_python(value)
        offset = moment.utcoffset() if moment is not None else None
        try:
            if offset is not None:
                if abs(offset) > MAX_UTC_OFFSET:
                    raise ValueError
                moment.astimezone(UTC)
        except (ValueError, OverflowError):
            raise ValidationError("A date-time with a UTC offset of at most 14 hours.") from None
        return moment


class IsoDateTimeFilter(filters.IsoDateTimeFilter):
    """``filters.IsoDateTimeFilter`` refusing date-times the database cannot take (400, not 500)."""

    field_class = _BoundedIsoDateTimeField


def aware_datetime_parse(value: str) -> datetime:
    """An ISO 8601 date-time that states its UTC offset (``Z`` or ``+02:00``, at most 14 h) as an
    aware datetime; a naive or unparsable one raises ValidationError (never read in the server's zone)."""
    try:
        parsed = parse_datetime(str(value).strip())
    except ValueError:
        parsed = None
    if parsed is None:
        raise ValidationError("An ISO 8601 date-time with a UTC offset, e.g. 2026-01-31T08:00:00Z.")
    offset = parsed.utcoffset()
    if offset is None:
        raise ValidationError("A UTC offset is required (e.g. 2026-01-31T08:00:00Z or +02:00).")
    try:
        if abs(offset) > MAX_UTC_OFFSET:
            raise ValueError
        parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        raise ValidationError("A date-time with a UTC offset of at most 14 hours.") from None
    return parsed


class _AwareIsoDateTimeField(IsoDateTimeField):
    def to_python(self, value):
        return None if value in self.empty_values else aware_datetime_parse(value)


class AwareIsoDateTimeFilter(filters.IsoDateTimeFilter):
    """A date-time filter that refuses naive and out-of-range values (400 naming the parameter)."""

    field_class = _AwareIsoDateTimeField


class UpdatedRangeFilterSet(filters.FilterSet):
    """?updated_after= (inclusive) ?updated_before= (exclusive) on the row's indexed ``updated_at``."""

    updated_after = AwareIsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")
    updated_before = AwareIsoDateTimeFilter(field_name="updated_at", lookup_expr="lt")


def updated_range_filterset(model_class, *, fields=(), base=UpdatedRangeFilterSet):
    """A FilterSet of ``model_class`` with ``fields`` (django-filter's declaration) and the
    updated_after/updated_before range."""
    meta = type("Meta", (), {"model": model_class, "fields": fields})
    return type(f"{model_class.__name__}UpdatedFilter", (base,), {"Meta": meta})


class SKUFilter(UpdatedRangeFilterSet):
    """?code= ?barcode= ?product= ?is_kit= ?is_active= ?updated_after= ?updated_before="""

    code = filters.CharFilter(field_name="code")
    barcode = filters.CharFilter(field_name="barcode")

    class Meta:
        model = SKU
        fields = ["code", "barcode", "product", "is_kit", "is_active"]


def sku_refs_split(values: list[str]) -> tuple[list[int], list[str]]:
    """SKU references as a client may give them, split into (ids, codes): a value that is the code
    of a SKU is that code (codes can be digits), any other ASCII number is an id, the rest are codes."""
    codes = set(SKU.objects.filter(code__in=values).values_list("code", flat=True))
    ids = [int(v) for v in values if v not in codes and _is_id(v)]
    return ids, [v for v in values if v in codes or not _is_id(v)]


def _is_id(value: str) -> bool:
    """ASCII digits that fit a database id (``str.isdigit`` is true for superscripts too)."""
    return value.isascii() and value.isdigit() and len(value) <= 18


class StockLevelFilter(UpdatedRangeFilterSet):
    """?sku=<id or code> ?sku_code= ?location= ?location_code= ?nonzero=true ?updated_after/before="""

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
    """?sku= ?sku_code= ?location= ?reason= ?reference= ?order= ?operation= ?created_after/before=
    ?updated_after/before= (a movement is never changed: its update is its creation)"""

    sku_code = filters.CharFilter(field_name="sku__code")
    location_code = filters.CharFilter(field_name="location__code")
    reason = filters.ChoiceFilter(choices=MovementReason.choices)
    reference = filters.CharFilter(field_name="operation__reference")
    order = filters.NumberFilter(field_name="order_line__order", label="Order id")
    created_after = IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")
    updated_after = AwareIsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    updated_before = AwareIsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = StockMovement
        fields = ["sku", "location", "operation", "order_line"]


class StockOperationFilter(filters.FilterSet):
    """?reason= ?reference= ?created_after= ?created_before="""

    reason = filters.ChoiceFilter(choices=MovementReason.choices)
    reference = filters.CharFilter(field_name="reference")
    created_after = IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = StockOperation
        fields = ["reason", "reference"]


class OrderFilter(UpdatedRangeFilterSet):
    """?status= ?channel=<code> ?needs_attention= ?external_ref= ?created_after= ?created_before=
    ?updated_after= ?updated_before="""

    status = filters.ChoiceFilter(choices=OrderStatus.choices)
    channel = filters.CharFilter(field_name="channel__code", label="Sales channel code")
    external_ref = filters.CharFilter(field_name="external_ref")
    created_after = IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = Order
        fields = ["status", "channel", "needs_attention", "external_ref"]
