"""Input and output serializers of the purchasing, returns, reorder and report endpoints."""

from __future__ import annotations

from decimal import Decimal

from rest_framework import serializers

from inventory_app.models import (
    SKU,
    AllocationBasis,
    LandedCost,
    LandedCostKind,
    Location,
    OrderLine,
    PurchaseOrder,
    PurchaseOrderLine,
    Receipt,
    ReceiptLine,
    ReorderRule,
    ReturnAuthorization,
    ReturnCondition,
    ReturnDisposition,
    ReturnLine,
    ReturnReason,
    Supplier,
    SupplierItem,
)

MONEY = dict(max_digits=14, decimal_places=2)
UNIT = dict(max_digits=14, decimal_places=4)


class SupplierSerializer(serializers.ModelSerializer):
    """A supplier (input and output)."""

    class Meta:
        model = Supplier
        fields = [
            "id",
            "code",
            "name",
            "contact_name",
            "email",
            "phone",
            "address",
            "currency",
            "lead_time_days",
            "is_active",
            "note",
        ]
        read_only_fields = ["id", "is_active"]


class SupplierItemInputSerializer(serializers.Serializer):
    """The supplier's code and price for one of our SKUs."""

    sku = serializers.PrimaryKeyRelatedField(queryset=SKU.objects.all())
    unit_price = serializers.DecimalField(min_value=0, **UNIT)
    supplier_sku = serializers.CharField(max_length=128, required=False, default="", allow_blank=True)
    min_order_quantity = serializers.IntegerField(max_value=1_000_000_000, min_value=1, default=1)
    lead_time_days = serializers.IntegerField(
        max_value=3_650, min_value=0, required=False, allow_null=True, default=None
    )
    is_preferred = serializers.BooleanField(default=False)


class SupplierItemOutputSerializer(serializers.ModelSerializer):
    """A supplier item."""

    sku_code = serializers.CharField(source="sku.code", read_only=True)

    class Meta:
        model = SupplierItem
        fields = [
            "id",
            "supplier",
            "sku",
            "sku_code",
            "supplier_sku",
            "unit_price",
            "min_order_quantity",
            "lead_time_days",
            "is_preferred",
        ]
        read_only_fields = fields


class PurchaseOrderLineOutputSerializer(serializers.ModelSerializer):
    """A PO line with its received and open quantities."""

    sku_code = serializers.CharField(source="sku.code", read_only=True)
    quantity_open = serializers.IntegerField(read_only=True)

    class Meta:
        model = PurchaseOrderLine
        fields = [
            "id",
            "sku",
            "sku_code",
            "supplier_sku",
            "quantity_ordered",
            "quantity_received",
            "quantity_open",
            "unit_cost",
        ]
        read_only_fields = fields


class LandedCostOutputSerializer(serializers.ModelSerializer):
    """A landed charge on a PO or a receipt."""

    class Meta:
        model = LandedCost
        fields = ["id", "purchase_order", "receipt", "kind", "basis", "amount", "description", "created_at"]
        read_only_fields = fields


class PurchaseOrderOutputSerializer(serializers.ModelSerializer):
    """A purchase order with its lines and charges."""

    lines = PurchaseOrderLineOutputSerializer(many=True, read_only=True)
    landed_costs = LandedCostOutputSerializer(many=True, read_only=True)

    class Meta:
        model = PurchaseOrder
        fields = [
            "id",
            "number",
            "supplier",
            "status",
            "location",
            "currency",
            "exchange_rate",
            "over_receipt_tolerance_percent",
            "expected_date",
            "note",
            "sent_at",
            "closed_at",
            "created_at",
            "lines",
            "landed_costs",
        ]
        read_only_fields = fields


class PurchaseLineInputSerializer(serializers.Serializer):
    """A line to order."""

    sku = serializers.PrimaryKeyRelatedField(queryset=SKU.objects.all())
    quantity = serializers.IntegerField(max_value=1_000_000_000, min_value=1)
    unit_cost = serializers.DecimalField(min_value=0, required=False, allow_null=True, default=None, **UNIT)


class PurchaseOrderInputSerializer(serializers.Serializer):
    """A new draft purchase order."""

    supplier = serializers.PrimaryKeyRelatedField(queryset=Supplier.objects.all())
    location = serializers.PrimaryKeyRelatedField(
        queryset=Location.objects.all(), required=False, allow_null=True, default=None
    )
    expected_date = serializers.DateField(required=False, allow_null=True, default=None)
    exchange_rate = serializers.DecimalField(max_digits=14, decimal_places=6, default=Decimal("1"))
    over_receipt_tolerance_percent = serializers.DecimalField(
        max_digits=5, decimal_places=2, default=Decimal("0")
    )
    note = serializers.CharField(required=False, default="", allow_blank=True)
    lines = PurchaseLineInputSerializer(many=True, allow_empty=False)


class ChargeInputSerializer(serializers.Serializer):
    """A landed charge."""

    kind = serializers.ChoiceField(choices=LandedCostKind.choices)
    amount = serializers.DecimalField(min_value=0, **MONEY)
    basis = serializers.ChoiceField(choices=AllocationBasis.choices, default=AllocationBasis.VALUE)
    description = serializers.CharField(max_length=255, required=False, default="", allow_blank=True)


class ReceiveLineInputSerializer(serializers.Serializer):
    """Units received on one PO line."""

    line = serializers.IntegerField()
    quantity = serializers.IntegerField(max_value=1_000_000_000, min_value=1)


class ReceiveInputSerializer(serializers.Serializer):
    """A receipt against a PO."""

    location = serializers.PrimaryKeyRelatedField(queryset=Location.objects.all())
    lines = ReceiveLineInputSerializer(many=True, allow_empty=False)
    charges = ChargeInputSerializer(many=True, required=False, default=list)
    document_date = serializers.DateField(required=False, allow_null=True, default=None)
    reference = serializers.CharField(max_length=128, required=False, default="", allow_blank=True)
    note = serializers.CharField(required=False, default="", allow_blank=True)


class ReceiptLineOutputSerializer(serializers.ModelSerializer):
    """One received line, its base and landed value and unit cost."""

    class Meta:
        model = ReceiptLine
        fields = [
            "id",
            "po_line",
            "movement",
            "quantity",
            "base_value",
            "po_landed_value",
            "receipt_landed_value",
            "value",
            "unit_cost",
        ]
        read_only_fields = fields


class ReceiptOutputSerializer(serializers.ModelSerializer):
    """A receipt and its lines."""

    lines = ReceiptLineOutputSerializer(many=True, read_only=True)
    is_reversed = serializers.BooleanField(read_only=True)

    class Meta:
        model = Receipt
        fields = [
            "id",
            "purchase_order",
            "location",
            "operation",
            "reversal_operation",
            "is_reversed",
            "document_date",
            "reference",
            "note",
            "created_at",
            "lines",
        ]
        read_only_fields = fields


class ReturnLineInputSerializer(serializers.Serializer):
    """Units of an order line to authorise for return."""

    order_line = serializers.PrimaryKeyRelatedField(queryset=OrderLine.objects.all())
    quantity = serializers.IntegerField(max_value=1_000_000_000, min_value=1)
    reason = serializers.ChoiceField(choices=ReturnReason.choices, default=ReturnReason.OTHER)
    condition = serializers.ChoiceField(choices=ReturnCondition.choices, default=ReturnCondition.NEW)
    note = serializers.CharField(max_length=255, required=False, default="", allow_blank=True)


class ReturnAuthorizationInputSerializer(serializers.Serializer):
    """A new return authorisation."""

    order = serializers.IntegerField()
    lines = ReturnLineInputSerializer(many=True, allow_empty=False)
    note = serializers.CharField(required=False, default="", allow_blank=True)


class ReturnReceiveItemSerializer(serializers.Serializer):
    """Returned units of one return line and what to do with them."""

    line = serializers.IntegerField()
    quantity = serializers.IntegerField(max_value=1_000_000_000, min_value=1)
    disposition = serializers.ChoiceField(choices=ReturnDisposition.choices)
    location = serializers.PrimaryKeyRelatedField(queryset=Location.objects.all())
    condition = serializers.ChoiceField(choices=ReturnCondition.choices, default=ReturnCondition.NEW)


class ReturnReceiveInputSerializer(serializers.Serializer):
    """Goods taken in on a return authorisation."""

    items = ReturnReceiveItemSerializer(many=True, allow_empty=False)


class ReturnLineOutputSerializer(serializers.ModelSerializer):
    """A return line."""

    class Meta:
        model = ReturnLine
        fields = ["id", "order_line", "quantity", "quantity_received", "reason", "condition", "note"]
        read_only_fields = fields


class ReturnAuthorizationOutputSerializer(serializers.ModelSerializer):
    """A return authorisation with its lines."""

    lines = ReturnLineOutputSerializer(many=True, read_only=True)

    class Meta:
        model = ReturnAuthorization
        fields = ["id", "number", "order", "status", "note", "created_at", "lines"]
        read_only_fields = fields


class ReorderRuleSerializer(serializers.ModelSerializer):
    """A reorder rule (input and output)."""

    class Meta:
        model = ReorderRule
        fields = ["id", "sku", "location", "reorder_point", "reorder_quantity", "supplier", "is_active"]
        read_only_fields = ["id"]
        validators = []  # (sku, location) is an upsert key, not a uniqueness error


class ReorderSuggestionSerializer(serializers.Serializer):
    """One reorder suggestion."""

    rule_id = serializers.IntegerField()
    sku_id = serializers.IntegerField()
    location_id = serializers.IntegerField()
    available = serializers.IntegerField()
    incoming = serializers.IntegerField()
    projected = serializers.IntegerField()
    velocity_per_day = serializers.DecimalField(max_digits=14, decimal_places=4)
    lead_time_days = serializers.IntegerField()
    lead_time_demand = serializers.IntegerField()
    reorder_point = serializers.IntegerField()
    needs_reorder = serializers.BooleanField()
    suggested_quantity = serializers.IntegerField()
    supplier_id = serializers.IntegerField(allow_null=True)
    unit_cost = serializers.DecimalField(allow_null=True, **UNIT)


class ReportQuerySerializer(serializers.Serializer):
    """Query of the report endpoints; ``export=csv`` answers text/csv."""

    as_of = serializers.DateTimeField(required=False, default=None)
    date_from = serializers.DateField(required=False, default=None)
    date_to = serializers.DateField(required=False, default=None)
    channel = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1), required=False, default=None
    )
    export = serializers.ChoiceField(choices=["json", "csv"], default="json")


class ValuationRowSerializer(serializers.Serializer):
    """One row of the valuation report."""

    sku_id = serializers.IntegerField()
    sku_code = serializers.CharField()
    location_id = serializers.IntegerField()
    location_code = serializers.CharField()
    quantity = serializers.IntegerField()
    value = serializers.DecimalField(max_digits=16, decimal_places=2)
    unit_cost = serializers.DecimalField(allow_null=True, **UNIT)
    currency = serializers.CharField()


class CogsRowSerializer(serializers.Serializer):
    """One row of the COGS report."""

    sku_id = serializers.IntegerField()
    sku_code = serializers.CharField()
    location_id = serializers.IntegerField()
    location_code = serializers.CharField()
    channel_id = serializers.IntegerField()
    channel_code = serializers.CharField()
    units_shipped = serializers.IntegerField()
    units_returned = serializers.IntegerField()
    cost_shipped = serializers.DecimalField(max_digits=16, decimal_places=2)
    cost_returned = serializers.DecimalField(max_digits=16, decimal_places=2)
    cogs = serializers.DecimalField(max_digits=16, decimal_places=2)
    currency = serializers.CharField()


class LineCogsSerializer(serializers.Serializer):
    """COGS of one order line."""

    order_line_id = serializers.IntegerField()
    units_shipped = serializers.IntegerField()
    units_returned = serializers.IntegerField()
    cost_shipped = serializers.DecimalField(max_digits=16, decimal_places=2)
    cost_returned = serializers.DecimalField(max_digits=16, decimal_places=2)
    cogs = serializers.DecimalField(max_digits=16, decimal_places=2)


class OrderCogsSerializer(serializers.Serializer):
    """COGS of an order, line by line."""

    order_id = serializers.IntegerField()
    cogs = serializers.DecimalField(max_digits=16, decimal_places=2)
    lines = LineCogsSerializer(many=True)


class IncomingQuerySerializer(serializers.Serializer):
    """Query of the incoming endpoint."""

    sku = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1), required=False, default=list
    )
    location = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1), required=False, default=list
    )


class IncomingRowSerializer(serializers.Serializer):
    """Units of one SKU still expected from suppliers."""

    sku = serializers.IntegerField()
    sku_code = serializers.CharField()
    incoming = serializers.IntegerField()
