"""Serializers of products, SKUs, kit components, locations and sales channels."""

from __future__ import annotations

from decimal import Decimal

from rest_framework import serializers

from inventory_app.api.serializers.common import sku_ref
from inventory_app.models import SKU, BackorderPolicy, KitComponent, Location, Product, SalesChannel


class ProductOutputSerializer(serializers.ModelSerializer):
    """A product."""

    class Meta:
        model = Product
        fields = ["id", "name", "description", "brand", "created_at", "updated_at"]
        read_only_fields = fields


class ProductInputSerializer(serializers.Serializer):
    """Fields of a product to create or change."""

    name = serializers.CharField(max_length=255)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    brand = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")


class KitComponentOutputSerializer(serializers.ModelSerializer):
    """One component of a kit and how many units one kit holds."""

    component_code = serializers.CharField(source="component.code", read_only=True)
    component_name = serializers.CharField(source="component.name", read_only=True)
    component_is_kit = serializers.BooleanField(source="component.is_kit", read_only=True)

    class Meta:
        model = KitComponent
        fields = ["component", "component_code", "component_name", "component_is_kit", "quantity"]
        read_only_fields = fields


class KitComponentInputSerializer(serializers.Serializer):
    """Set a component of a kit: ``quantity`` 0 removes it."""

    component = sku_ref()
    quantity = serializers.IntegerField(min_value=0, max_value=1_000_000)


class SKUOutputSerializer(serializers.ModelSerializer):
    """A SKU; kits list their direct components."""

    components = KitComponentOutputSerializer(many=True, read_only=True)

    class Meta:
        model = SKU
        fields = [
            "id",
            "code",
            "barcode",
            "name",
            "product",
            "attributes",
            "weight_grams",
            "default_unit_cost",
            "is_active",
            "is_kit",
            "backorder_policy",
            "components",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class SKUInputSerializer(serializers.Serializer):
    """Fields of a SKU to create or change."""

    code = serializers.CharField(max_length=64)
    name = serializers.CharField(max_length=255)
    product = serializers.PrimaryKeyRelatedField(
        queryset=Product.objects.all(), required=False, allow_null=True, default=None
    )
    barcode = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    attributes = serializers.DictField(required=False, default=dict)
    weight_grams = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False, default=Decimal("0")
    )
    default_unit_cost = serializers.DecimalField(
        max_digits=14, decimal_places=4, min_value=0, required=False, default=Decimal("0")
    )
    is_active = serializers.BooleanField(required=False, default=True)
    is_kit = serializers.BooleanField(required=False, default=False)
    backorder_policy = serializers.ChoiceField(
        choices=BackorderPolicy.choices, required=False, default=BackorderPolicy.REJECT
    )


class LocationOutputSerializer(serializers.ModelSerializer):
    """A stock location."""

    class Meta:
        model = Location
        fields = ["id", "code", "name", "is_sellable", "is_active", "priority", "address", "created_at"]
        read_only_fields = fields


class LocationCreateInputSerializer(serializers.Serializer):
    """A new stock location."""

    code = serializers.CharField(max_length=32)
    name = serializers.CharField(max_length=255)
    is_sellable = serializers.BooleanField(required=False, default=True)
    priority = serializers.IntegerField(min_value=0, max_value=2_147_483_647, required=False, default=100)
    address = serializers.DictField(required=False, default=dict)


class LocationUpdateInputSerializer(LocationCreateInputSerializer):
    """Changes to a stock location."""

    is_active = serializers.BooleanField(required=False)


class SalesChannelOutputSerializer(serializers.ModelSerializer):
    """A sales channel."""

    class Meta:
        model = SalesChannel
        fields = ["id", "code", "name", "kind", "is_active", "created_at"]
        read_only_fields = fields


class SalesChannelInputSerializer(serializers.Serializer):
    """A new sales channel."""

    code = serializers.SlugField(max_length=64)
    name = serializers.CharField(max_length=255)
    kind = serializers.CharField(max_length=32, required=False, default="manual")
    is_active = serializers.BooleanField(required=False, default=True)
