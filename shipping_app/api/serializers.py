"""Input and output serializers of the shipping API (no credentials ever leave)."""

from __future__ import annotations

from django.urls import reverse
from rest_framework import serializers

from shipping_app.models import (
    OrderExport,
    Shipment,
    ShipmentEvent,
    ShipmentLine,
    ShipmentRate,
    ShippingAccount,
)


class ShippingAccountOutputSerializer(serializers.ModelSerializer):
    """A shipping account without its credentials."""

    class Meta:
        model = ShippingAccount
        fields = [
            "id",
            "provider",
            "name",
            "base_url",
            "options",
            "enabled",
            "export_orders",
            "shipments_synced_at",
            "last_poll_at",
            "last_error",
        ]


class ShippingShipmentLineOutputSerializer(serializers.ModelSerializer):
    """Units of one order line."""

    sku = serializers.CharField(source="order_line.external_sku", read_only=True)

    class Meta:
        model = ShipmentLine
        fields = ["order_line", "sku", "quantity"]


class ShippingShipmentRateOutputSerializer(serializers.ModelSerializer):
    """A quoted rate (use ``external_id`` to buy it)."""

    class Meta:
        model = ShipmentRate
        fields = [
            "external_id",
            "carrier",
            "service_name",
            "service_token",
            "amount",
            "currency",
            "estimated_days",
        ]


class ShippingShipmentEventOutputSerializer(serializers.ModelSerializer):
    """One event of a shipment."""

    status = serializers.CharField(read_only=True)

    class Meta:
        model = ShipmentEvent
        fields = ["status", "description", "occurred_at"]


class ShippingShipmentOutputSerializer(serializers.ModelSerializer):
    """A shipment with lines, rates, events and a link to its stored label."""

    lines = ShippingShipmentLineOutputSerializer(many=True, read_only=True)
    rates = ShippingShipmentRateOutputSerializer(many=True, read_only=True)
    events = ShippingShipmentEventOutputSerializer(many=True, read_only=True)
    label = serializers.SerializerMethodField()
    status = serializers.CharField(
        read_only=True, help_text="draft, label_purchased, shipped, in_transit, ..."
    )

    class Meta:
        model = Shipment
        fields = [
            "id",
            "account",
            "order",
            "external_id",
            "status",
            "carrier",
            "service",
            "rate_amount",
            "rate_currency",
            "tracking_number",
            "tracking_url",
            "tracking_status_detail",
            "label",
            "shipped_at",
            "stock_operation",
            "attention_reason",
            "lines",
            "rates",
            "events",
        ]

    def get_label(self, obj: Shipment) -> str:
        """The API URL of the stored label ("" if none)."""
        return reverse("shipping_api:shipment-label", args=[obj.pk]) if obj.label else ""


class ShippingExportOutputSerializer(serializers.ModelSerializer):
    """The export state of an order at one account."""

    state = serializers.CharField(read_only=True, help_text="sending, exported, cancelled, failed")

    class Meta:
        model = OrderExport
        fields = [
            "id",
            "account",
            "order",
            "order_key",
            "external_id",
            "state",
            "exported_at",
            "attempts",
            "last_error",
        ]


class ShippingAccountChoiceInputSerializer(serializers.Serializer):
    """Which account to use."""

    account = serializers.PrimaryKeyRelatedField(queryset=ShippingAccount.objects.filter(enabled=True))


class ShippingRatesInputSerializer(ShippingAccountChoiceInputSerializer):
    """Draft a label shipment: lines (omit for everything open) and optional parcel dimensions."""

    quantities = serializers.DictField(
        child=serializers.IntegerField(max_value=1_000_000, min_value=1), required=False
    )
    parcel = serializers.DictField(child=serializers.CharField(), required=False)


class ShippingRuleInputSerializer(serializers.Serializer):
    """Buy the cheapest rate that matches every given condition."""

    carriers = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    service_contains = serializers.CharField(required=False, default="")
    max_days = serializers.IntegerField(max_value=3_650, required=False, allow_null=True, default=None)
    max_amount = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, allow_null=True)


class ShippingBuyInputSerializer(serializers.Serializer):
    """``rate_id`` of a quoted rate, or a ``rule`` (empty rule: the cheapest rate)."""

    rate_id = serializers.CharField(required=False, allow_blank=True, default="")
    rule = ShippingRuleInputSerializer(required=False)
