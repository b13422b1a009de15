"""Serializers of stock levels, the ledger (operations, movements), availability and stock operations."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from inventory_app.api.filters import aware_datetime_parse
from inventory_app.api.serializers.common import location_ref, sku_ref
from inventory_app.models import OrderLine, StockLevel, StockMovement, StockOperation
from inventory_app.services.stock import AdjustmentReason


class StockLevelOutputSerializer(serializers.ModelSerializer):
    """On hand, committed and available units of one SKU at one location."""

    sku_code = serializers.CharField(source="sku.code", read_only=True)
    location_code = serializers.CharField(source="location.code", read_only=True)
    available = serializers.IntegerField(read_only=True)

    class Meta:
        model = StockLevel
        fields = [
            "id",
            "sku",
            "sku_code",
            "location",
            "location_code",
            "on_hand",
            "committed",
            "available",
            "allow_backorder",
            "updated_at",
        ]
        read_only_fields = fields


class StockMovementOutputSerializer(serializers.ModelSerializer):
    """One immutable ledger row."""

    sku_code = serializers.CharField(source="sku.code", read_only=True)
    location_code = serializers.CharField(source="location.code", read_only=True)

    class Meta:
        model = StockMovement
        fields = [
            "id",
            "operation",
            "sku",
            "sku_code",
            "location",
            "location_code",
            "reason",
            "on_hand_delta",
            "committed_delta",
            "on_hand_after",
            "committed_after",
            "unit_cost",
            "order_line",
            "created_at",
        ]
        read_only_fields = fields


class StockOperationOutputSerializer(serializers.ModelSerializer):
    """One ledger operation with its movements."""

    user = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    idempotent = serializers.SerializerMethodField()
    movements = StockMovementOutputSerializer(many=True, read_only=True)

    class Meta:
        model = StockOperation
        fields = [
            "id",
            "uid",
            "reason",
            "reason_detail",
            "reference",
            "note",
            "user",
            "idempotent",
            "created_at",
            "movements",
        ]
        read_only_fields = fields

    def get_idempotent(self, obj: StockOperation) -> bool:
        """Whether the operation was made with an idempotency key (the key itself is not shown)."""
        return bool(obj.idempotency_key)


class StockOperationResultSerializer(serializers.Serializer):
    """What a stock operation did: the operation, its movements, and the levels as they are now."""

    replayed = serializers.BooleanField(help_text="True when this answers a repeated Idempotency-Key.")
    operation = StockOperationOutputSerializer()
    levels = StockLevelOutputSerializer(many=True)


class _StockInputBase(serializers.Serializer):
    reference = serializers.CharField(max_length=128, required=False, allow_blank=True, default="")
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class StockReceiveInputSerializer(_StockInputBase):
    """Units received at a location (unit cost defaults to the SKU's)."""

    sku = sku_ref()
    location = location_ref()
    quantity = serializers.IntegerField(min_value=1, max_value=1_000_000_000)
    unit_cost = serializers.DecimalField(
        max_digits=14, decimal_places=4, min_value=0, required=False, allow_null=True, default=None
    )


class StockAdjustInputSerializer(_StockInputBase):
    """A signed change of on hand, with its reason."""

    sku = sku_ref()
    location = location_ref()
    delta = serializers.IntegerField(min_value=-1_000_000_000, max_value=1_000_000_000)
    reason = serializers.ChoiceField(choices=AdjustmentReason.choices)

    def validate_delta(self, value: int) -> int:
        if value == 0:
            raise serializers.ValidationError("An adjustment must change the quantity.")
        return value


class StockCountInputSerializer(_StockInputBase):
    """The counted on-hand figure of a SKU at a location."""

    sku = sku_ref()
    location = location_ref()
    counted = serializers.IntegerField(min_value=0, max_value=1_000_000_000)


class StockTransferInputSerializer(_StockInputBase):
    """Units moved from one location to another."""

    sku = sku_ref()
    from_location = location_ref()
    to_location = location_ref()
    quantity = serializers.IntegerField(min_value=1, max_value=1_000_000_000)

    def validate(self, attrs: dict) -> dict:
        if attrs["from_location"].pk == attrs["to_location"].pk:
            raise serializers.ValidationError({"to_location": ["Must differ from from_location."]})
        return attrs


class StockReturnInputSerializer(_StockInputBase):
    """Units a customer returned, put back on hand at a location."""

    sku = sku_ref()
    location = location_ref()
    quantity = serializers.IntegerField(min_value=1, max_value=1_000_000_000)
    unit_cost = serializers.DecimalField(
        max_digits=14, decimal_places=4, min_value=0, required=False, allow_null=True, default=None
    )
    order_line = serializers.PrimaryKeyRelatedField(
        queryset=OrderLine.objects.all(), required=False, allow_null=True, default=None
    )

    def validate(self, attrs: dict) -> dict:
        line = attrs["order_line"]
        if line is not None and line.sku_id is not None and line.sku_id != attrs["sku"].pk:
            raise serializers.ValidationError({"order_line": ["This order line is for another SKU."]})
        return attrs


class AwareDateTimeField(serializers.DateTimeField):
    """An ISO 8601 date-time with its UTC offset; a naive one is refused."""

    def to_internal_value(self, value):
        try:
            return aware_datetime_parse(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None


class AvailabilityQuerySerializer(serializers.Serializer):
    """Which SKUs (ids and/or codes, up to 1,000 together) and optionally which locations; or,
    with ``updated_after``/``updated_before`` and no SKU named, every SKU whose figure changed in
    that window (cursor pages)."""

    sku = serializers.ListField(
        child=serializers.CharField(max_length=64), required=False, default=list, help_text="SKU ids or codes"
    )
    code = serializers.ListField(child=serializers.CharField(max_length=64), required=False, default=list)
    location = serializers.ListField(
        child=serializers.IntegerField(max_value=2**63 - 1, min_value=1), required=False, default=list
    )
    updated_after = AwareDateTimeField(required=False, default=None, help_text="Changed at or after")
    updated_before = AwareDateTimeField(required=False, default=None, help_text="Changed before")

    def validate(self, attrs: dict) -> dict:
        count = len(attrs["sku"]) + len(attrs["code"])
        windowed = attrs["updated_after"] is not None or attrs["updated_before"] is not None
        if not count and not windowed:
            raise serializers.ValidationError({"sku": ["Give at least one sku id or code."]})
        if count > 1000:
            raise serializers.ValidationError({"sku": ["At most 1,000 SKUs per request."]})
        return attrs


class AvailabilityRowSerializer(serializers.Serializer):
    """Units of one SKU available to sell."""

    sku = serializers.IntegerField()
    code = serializers.CharField()
    is_kit = serializers.BooleanField()
    available = serializers.IntegerField()
    updated_at = serializers.DateTimeField(
        allow_null=True, help_text="When the figure last changed (a kit: its components' levels)"
    )


class AvailabilityOutputSerializer(serializers.Serializer):
    """Availability of the requested SKUs, and the ids/codes that matched nothing."""

    locations = serializers.ListField(
        child=serializers.IntegerField(), allow_null=True, help_text="null: every active sellable location"
    )
    results = AvailabilityRowSerializer(many=True)
    next = serializers.URLField(allow_null=True, help_text="The next page of a window listing (no SKU named)")
    unknown_skus = serializers.ListField(child=serializers.IntegerField())
    unknown_codes = serializers.ListField(child=serializers.CharField())


class SKULocationAvailabilitySerializer(serializers.Serializer):
    """A SKU's figures at one location (a kit's available is derived from its components there)."""

    location = serializers.IntegerField()
    location_code = serializers.CharField()
    is_sellable = serializers.BooleanField()
    on_hand = serializers.IntegerField(allow_null=True, help_text="null for kits")
    committed = serializers.IntegerField(allow_null=True, help_text="null for kits")
    available = serializers.IntegerField()


class SKUAvailabilityOutputSerializer(serializers.Serializer):
    """Available-to-sell of one SKU over the sellable locations, and its figures per location."""

    sku = serializers.IntegerField()
    code = serializers.CharField()
    is_kit = serializers.BooleanField()
    available = serializers.IntegerField()
    locations = SKULocationAvailabilitySerializer(many=True)
