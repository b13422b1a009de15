"""Bulk endpoints' bodies: many level changes, many orders, availability of many SKUs."""

from __future__ import annotations

from rest_framework import serializers

from inventory_app.services.stock import AdjustmentReason
from inventory_app.services.stock_bulk import MAX_LINES

MAX_ORDERS = 100
MAX_AVAILABILITY_SKUS = 1000
QUANTITY = {"min_value": -1_000_000_000, "max_value": 1_000_000_000}


class StockBulkLineInputSerializer(serializers.Serializer):
    """One line: ``set`` the on-hand figure (a count) or ``adjust`` it by a signed delta."""

    sku = serializers.CharField(max_length=64, help_text="SKU code")
    location = serializers.CharField(max_length=32, help_text="Location code")
    set = serializers.IntegerField(required=False, allow_null=True, default=None, **QUANTITY)
    adjust = serializers.IntegerField(required=False, allow_null=True, default=None, **QUANTITY)
    reason = serializers.CharField(
        max_length=32,
        required=False,
        default=AdjustmentReason.CORRECTION,
        help_text=f"For adjust: one of {', '.join(AdjustmentReason.values)}",
    )


class StockBulkInputSerializer(serializers.Serializer):
    """Up to 1,000 lines, applied in order; ``atomic`` (default true): all or nothing."""

    atomic = serializers.BooleanField(required=False, default=True)
    reference = serializers.CharField(max_length=128, required=False, allow_blank=True, default="")
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    lines = StockBulkLineInputSerializer(many=True, allow_empty=False, max_length=MAX_LINES)


class StockBulkLineResultSerializer(serializers.Serializer):
    """What became of one line (``applied``, ``failed``, or ``not_applied``: an atomic request
    with a bad line writes nothing)."""

    index = serializers.IntegerField()
    sku = serializers.CharField()
    location = serializers.CharField()
    status = serializers.ChoiceField(choices=["applied", "failed", "not_applied"])
    on_hand_before = serializers.IntegerField(allow_null=True)
    on_hand_after = serializers.IntegerField(allow_null=True)
    code = serializers.CharField(help_text="Why it failed (empty when it did not)")
    detail = serializers.CharField()


class StockBulkOutputSerializer(serializers.Serializer):
    """Per-line results, in the order of the lines, and the counts."""

    atomic = serializers.BooleanField()
    applied = serializers.IntegerField()
    failed = serializers.IntegerField()
    results = StockBulkLineResultSerializer(many=True)


class OrderBulkInputSerializer(serializers.Serializer):
    """Up to 100 orders, each as POST /orders/ takes it; each is created (or found) on its own."""

    orders = serializers.ListField(
        child=serializers.DictField(), allow_empty=False, max_length=MAX_ORDERS, help_text="OrderCreateInput"
    )


class OrderBulkResultSerializer(serializers.Serializer):
    """One order's outcome: ``created``, ``existing`` (the same order was already there), or
    ``failed`` with a code (``invalid``, ``order_conflict``, ``insufficient_stock``...)."""

    index = serializers.IntegerField()
    external_ref = serializers.CharField(allow_blank=True)
    status = serializers.ChoiceField(choices=["created", "existing", "failed"])
    order = serializers.IntegerField(allow_null=True)
    code = serializers.CharField()
    detail = serializers.CharField()
    errors = serializers.DictField(required=False, help_text="Field errors of an invalid order")
    differences = serializers.ListField(child=serializers.DictField(), required=False)
    shortfalls = serializers.ListField(child=serializers.DictField(), required=False)


class OrderBulkOutputSerializer(serializers.Serializer):
    """Per-order results in the order given, and the counts."""

    created = serializers.IntegerField()
    existing = serializers.IntegerField()
    failed = serializers.IntegerField()
    results = OrderBulkResultSerializer(many=True)


class AvailabilityBulkInputSerializer(serializers.Serializer):
    """Availability of up to 1,000 SKUs by code in a body (a URL of 1,000 codes is too long)."""

    skus = serializers.ListField(
        child=serializers.CharField(max_length=64), allow_empty=False, max_length=MAX_AVAILABILITY_SKUS
    )
    location = serializers.ListField(
        child=serializers.IntegerField(max_value=2**63 - 1, min_value=1), required=False, default=list
    )
