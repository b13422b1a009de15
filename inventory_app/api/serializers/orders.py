"""Serializers of orders, their lines and allocations, and of the order actions."""

from __future__ import annotations

from decimal import Decimal

from rest_framework import serializers

from inventory_app.api.serializers.common import sku_ref
from inventory_app.api.serializers.stock import StockOperationOutputSerializer
from inventory_app.errors import OrderError
from inventory_app.models import Allocation, Order, OrderLine, OrderShipment, SalesChannel
from inventory_app.services.orders import tracking_clean

MONEY = {"max_digits": 14, "decimal_places": 2, "required": False, "default": Decimal("0")}


class AllocationOutputSerializer(serializers.ModelSerializer):
    """Units of a stock SKU reserved (and shipped) at a location for an order line."""

    sku_code = serializers.CharField(source="sku.code", read_only=True)
    location_code = serializers.CharField(source="location.code", read_only=True)

    class Meta:
        model = Allocation
        fields = ["id", "sku", "sku_code", "location", "location_code", "quantity", "quantity_shipped"]
        read_only_fields = fields


class OrderLineOutputSerializer(serializers.ModelSerializer):
    """An order line with its reservations."""

    sku_code = serializers.CharField(source="sku.code", read_only=True, allow_null=True, default=None)
    quantity_open = serializers.IntegerField(read_only=True)
    allocations = AllocationOutputSerializer(many=True, read_only=True)

    class Meta:
        model = OrderLine
        fields = [
            "id",
            "external_line_id",
            "external_sku",
            "sku",
            "sku_code",
            "title",
            "quantity",
            "quantity_shipped",
            "quantity_cancelled",
            "quantity_open",
            "unit_price",
            "backordered",
            "allocations",
        ]
        read_only_fields = fields


ORDER_FIELDS = [
    "id",
    "channel",
    "external_ref",
    "status",
    "is_paid",
    "customer_name",
    "customer_email",
    "shipping_address",
    "currency",
    "subtotal",
    "shipping_total",
    "tax_total",
    "discount_total",
    "total",
    "placed_at",
    "external_updated_at",
    "needs_attention",
    "attention_reason",
    "note",
    "cancelled_at",
    "shipped_at",
    "created_at",
    "updated_at",
]


class OrderListOutputSerializer(serializers.ModelSerializer):
    """An order, without its lines (list view)."""

    channel = serializers.SlugRelatedField(slug_field="code", read_only=True)
    customer_email = serializers.CharField(read_only=True, help_text="An e-mail address, or empty.")

    class Meta:
        model = Order
        fields = ORDER_FIELDS
        read_only_fields = fields


class OrderOutputSerializer(OrderListOutputSerializer):
    """An order with its lines and their allocations."""

    lines = OrderLineOutputSerializer(many=True, read_only=True)

    class Meta(OrderListOutputSerializer.Meta):
        fields = [*ORDER_FIELDS, "lines"]
        read_only_fields = fields


class OrderLineInputSerializer(serializers.Serializer):
    """A line of a new order: our SKU code (unknown codes are kept and flagged) and a quantity."""

    sku = serializers.CharField(max_length=128, help_text="SKU code")
    quantity = serializers.IntegerField(min_value=1, max_value=1_000_000)
    unit_price = serializers.DecimalField(**MONEY)
    title = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    external_line_id = serializers.CharField(max_length=128, required=False, allow_blank=True, default="")


class OrderCreateInputSerializer(serializers.Serializer):
    """A new order. (channel, external_ref) identifies it: sending it again returns the first one.
    ``subtotal`` and ``total`` are computed from the lines when left out, checked when given."""

    channel = serializers.SlugRelatedField(
        slug_field="code",
        queryset=SalesChannel.objects.filter(is_active=True),
        required=False,
        help_text='Sales channel code; default "manual".',
    )
    external_ref = serializers.CharField(max_length=128)
    lines = OrderLineInputSerializer(many=True, allow_empty=False, max_length=1000)
    customer_name = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    customer_email = serializers.EmailField(required=False, allow_blank=True, default="")
    shipping_address = serializers.DictField(required=False, default=dict)
    currency = serializers.CharField(min_length=3, max_length=3, required=False, default="USD")
    # No default: left out, they are computed (a generated client sends declared defaults).
    subtotal = serializers.DecimalField(max_digits=14, decimal_places=2, required=False)
    shipping_total = serializers.DecimalField(**MONEY)
    tax_total = serializers.DecimalField(**MONEY)
    discount_total = serializers.DecimalField(**MONEY)
    total = serializers.DecimalField(max_digits=14, decimal_places=2, required=False)
    is_paid = serializers.BooleanField(required=False, default=True)
    placed_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")

    def validate(self, attrs: dict) -> dict:
        """Fill in ``subtotal`` (the lines' quantity x unit price) and ``total`` (subtotal +
        shipping + tax - discount) when left out; refuse given ones that do not add up (a total
        without the tax is accepted too, for prices that include it)."""
        lines = sum((line["quantity"] * line["unit_price"] for line in attrs["lines"]), Decimal("0"))
        if "subtotal" not in attrs:
            attrs["subtotal"] = lines
        elif attrs["subtotal"] != lines:
            raise serializers.ValidationError(
                {"subtotal": [f"The lines add up to {lines}, not {attrs['subtotal']}."]}
            )
        expected = attrs["subtotal"] + attrs["shipping_total"] + attrs["tax_total"] - attrs["discount_total"]
        if "total" not in attrs:
            attrs["total"] = expected
        elif attrs["total"] not in (expected, expected - attrs["tax_total"]):
            raise serializers.ValidationError(
                {
                    "total": [
                        f"subtotal + shipping_total + tax_total - discount_total is {expected}"
                        f" (or {expected - attrs['tax_total']} for prices that include tax),"
                        f" not {attrs['total']}."
                    ]
                }
            )
        return attrs


class OrderCancelInputSerializer(serializers.Serializer):
    """Why the order is cancelled (optional)."""

    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class OrderShipLineInputSerializer(serializers.Serializer):
    """Units of one line to ship."""

    line = serializers.IntegerField(max_value=2**63 - 1, min_value=1)
    quantity = serializers.IntegerField(min_value=1, max_value=1_000_000)


class OrderShipInputSerializer(serializers.Serializer):
    """Lines to ship (leave ``lines`` out to ship everything still open), with the carrier and
    tracking the order's channel is told."""

    lines = OrderShipLineInputSerializer(many=True, required=False, allow_empty=False, max_length=1000)
    reference = serializers.CharField(max_length=128, required=False, allow_blank=True, default="")
    carrier = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    tracking_number = serializers.CharField(
        max_length=160, required=False, allow_blank=True, default="", help_text="Needs a carrier."
    )
    tracking_url = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")

    def validate(self, attrs: dict) -> dict:
        try:
            attrs["tracking"] = tracking_clean(
                carrier=attrs.pop("carrier"),
                number=attrs.pop("tracking_number"),
                url=attrs.pop("tracking_url"),
            )
        except OrderError as exc:
            raise serializers.ValidationError({"tracking_number": [str(exc)]}) from None
        return attrs

    def validate_lines(self, value: list[dict]) -> list[dict]:
        ids = [item["line"] for item in value]
        if len(ids) != len(set(ids)):
            raise serializers.ValidationError("Each line may appear once.")
        return value


class OrderShipmentOutputSerializer(serializers.ModelSerializer):
    """A shipment recorded in the core: units per line id, carrier, tracking."""

    class Meta:
        model = OrderShipment
        fields = ["id", "quantities", "carrier", "tracking_number", "tracking_url", "created_at"]
        read_only_fields = fields


class OrderShipOutputSerializer(serializers.Serializer):
    """The shipment operation, the shipment, and the order after it."""

    replayed = serializers.BooleanField(help_text="True when this answers a repeated Idempotency-Key.")
    operation = StockOperationOutputSerializer()
    shipment = OrderShipmentOutputSerializer(allow_null=True)
    order = OrderOutputSerializer()


class OrderCancelOutputSerializer(OrderOutputSerializer):
    """The order after the cancellation, and what its channel was told or the seller must do there."""

    channel_notices = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta(OrderOutputSerializer.Meta):
        fields = [*OrderOutputSerializer.Meta.fields, "channel_notices"]
        read_only_fields = fields


class OrderLineLinkInputSerializer(serializers.Serializer):
    """Our SKU (id or code) for a line that arrived with an unknown SKU code."""

    sku = sku_ref()
