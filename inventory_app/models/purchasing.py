"""Purchasing: suppliers and their prices, purchase orders, receipts, landed costs, reorder rules.

Stock enters only through receipts, and each receipt is one ledger operation whose movements
carry the unit cost (landed costs included). A receipt is never edited: it is reversed by a
counter-operation (``reversal_operation``), after which it no longer counts as received.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q


class Supplier(models.Model):
    """A company we buy from."""

    code = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=255)
    contact_name = models.CharField(max_length=255, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=64, blank=True)
    address = models.JSONField(default=dict, blank=True)
    currency = models.CharField(max_length=3, default="USD")
    lead_time_days = models.PositiveIntegerField(default=7)
    is_active = models.BooleanField(default=True)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class SupplierItem(models.Model):
    """What a supplier calls one of our SKUs and what it charges for it."""

    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="items")
    sku = models.ForeignKey("inventory_app.SKU", on_delete=models.PROTECT, related_name="supplier_items")
    supplier_sku = models.CharField(max_length=128, blank=True)
    unit_price = models.DecimalField(max_digits=14, decimal_places=4, validators=[MinValueValidator(0)])
    min_order_quantity = models.PositiveIntegerField(default=1)
    lead_time_days = models.PositiveIntegerField(
        null=True, blank=True, help_text="Overrides the supplier's lead time for this SKU."
    )
    is_preferred = models.BooleanField(default=False, help_text="Used by reorder suggestions.")

    class Meta:
        ordering = ["supplier_id", "sku_id"]
        constraints = [
            models.UniqueConstraint(fields=["supplier", "sku"], name="supplier_item_unique"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="supplier_item_price_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.supplier_id}:{self.supplier_sku or self.sku_id}"


class PurchaseOrderStatus(models.TextChoices):
    """Life of a purchase order."""

    DRAFT = "draft", "Draft"
    SENT = "sent", "Sent"
    PARTIALLY_RECEIVED = "partially_received", "Partially received"
    RECEIVED = "received", "Received"
    CLOSED = "closed", "Closed"
    CANCELLED = "cancelled", "Cancelled"


class PurchaseOrder(models.Model):
    """An order to a supplier. Unit costs are in the supplier's currency; ``exchange_rate``
    converts them to the company's costing currency (1 when they are the same)."""

    number = models.CharField(max_length=32, unique=True)
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="purchase_orders")
    status = models.CharField(
        max_length=20, choices=PurchaseOrderStatus.choices, default=PurchaseOrderStatus.DRAFT, db_index=True
    )
    location = models.ForeignKey(
        "inventory_app.Location",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="purchase_orders",
        help_text="Where the goods are expected (the default receiving location).",
    )
    currency = models.CharField(max_length=3, default="USD")
    exchange_rate = models.DecimalField(max_digits=14, decimal_places=6, default=Decimal("1"))
    over_receipt_tolerance_percent = models.DecimalField(
        max_digits=5, decimal_places=2, default=Decimal("0"), help_text="Receiving beyond this is refused."
    )
    expected_date = models.DateField(null=True, blank=True)
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(exchange_rate__gt=0), name="purchase_order_rate_positive"),
        ]
        indexes = [
            models.Index(fields=["updated_at", "id"], name="purchase_order_updated_idx")
        ]  # incremental sync (updated_after, cursor)

    def __str__(self) -> str:
        return self.number


class PurchaseOrderLine(models.Model):
    """Units of one SKU ordered at a unit cost, and how many have been received so far."""

    purchase_order = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="lines")
    sku = models.ForeignKey("inventory_app.SKU", on_delete=models.PROTECT, related_name="purchase_lines")
    supplier_sku = models.CharField(max_length=128, blank=True)
    quantity_ordered = models.PositiveIntegerField()
    quantity_received = models.PositiveIntegerField(default=0)
    unit_cost = models.DecimalField(max_digits=14, decimal_places=4)

    class Meta:
        ordering = ["purchase_order_id", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity_ordered__gte=1), name="po_line_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_cost__gte=0), name="po_line_cost_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.purchase_order_id}: {self.quantity_received}/{self.quantity_ordered} x {self.sku_id}"

    @property
    def quantity_open(self) -> int:
        """Units still expected (never negative, even after an over-receipt)."""
        return max(self.quantity_ordered - self.quantity_received, 0)


class Receipt(models.Model):
    """Goods received against a purchase order into one location: one ledger operation."""

    purchase_order = models.ForeignKey(PurchaseOrder, on_delete=models.PROTECT, related_name="receipts")
    location = models.ForeignKey("inventory_app.Location", on_delete=models.PROTECT, related_name="receipts")
    operation = models.OneToOneField(
        "inventory_app.StockOperation", on_delete=models.PROTECT, related_name="receipt"
    )
    reversal_operation = models.OneToOneField(
        "inventory_app.StockOperation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_receipt",
    )
    document_date = models.DateField(
        null=True, blank=True, help_text="Date on the supplier's delivery note (may precede posting)."
    )
    reference = models.CharField(max_length=128, blank=True)
    note = models.TextField(blank=True)
    idempotency_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-pk"]

    def __str__(self) -> str:
        return f"receipt {self.pk} of {self.purchase_order_id}"

    @property
    def is_reversed(self) -> bool:
        """True once a counter-operation has taken the receipt back."""
        return self.reversal_operation_id is not None


class ReceiptLine(models.Model):
    """Units of one PO line received, their base cost and landed cost, and the ledger movement."""

    receipt = models.ForeignKey(Receipt, on_delete=models.CASCADE, related_name="lines")
    po_line = models.ForeignKey(PurchaseOrderLine, on_delete=models.PROTECT, related_name="receipt_lines")
    movement = models.OneToOneField(
        "inventory_app.StockMovement", on_delete=models.PROTECT, related_name="receipt_line"
    )
    quantity = models.PositiveIntegerField()
    base_value = models.DecimalField(max_digits=16, decimal_places=2)
    po_landed_value = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0"))
    receipt_landed_value = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0"))
    value = models.DecimalField(max_digits=16, decimal_places=2, help_text="base + landed: the stock value.")
    unit_cost = models.DecimalField(max_digits=14, decimal_places=4, help_text="value / quantity, 4 dp.")

    class Meta:
        ordering = ["receipt_id", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="receipt_line_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.receipt_id}: {self.quantity} x line {self.po_line_id} = {self.value}"


class LandedCostKind(models.TextChoices):
    """What a landed charge pays for."""

    FREIGHT = "freight", "Freight"
    DUTY = "duty", "Duty"
    INSURANCE = "insurance", "Insurance"
    OTHER = "other", "Other"


class AllocationBasis(models.TextChoices):
    """How a landed charge is shared between lines."""

    QUANTITY = "quantity", "By quantity"
    VALUE = "value", "By value"
    WEIGHT = "weight", "By weight"


class LandedCost(models.Model):
    """A charge (in the costing currency) on a whole PO, or on one receipt of it."""

    purchase_order = models.ForeignKey(PurchaseOrder, on_delete=models.PROTECT, related_name="landed_costs")
    receipt = models.ForeignKey(
        Receipt, on_delete=models.PROTECT, null=True, blank=True, related_name="landed_costs"
    )
    kind = models.CharField(max_length=16, choices=LandedCostKind.choices)
    basis = models.CharField(max_length=16, choices=AllocationBasis.choices, default=AllocationBasis.VALUE)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    description = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["purchase_order_id", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="landed_cost_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} on {self.purchase_order_id}"


class ReorderRule(models.Model):
    """When the stock of a SKU at a location should be reordered, and how much."""

    sku = models.ForeignKey("inventory_app.SKU", on_delete=models.CASCADE, related_name="reorder_rules")
    location = models.ForeignKey(
        "inventory_app.Location", on_delete=models.CASCADE, related_name="reorder_rules"
    )
    reorder_point = models.PositiveIntegerField(help_text="Reorder when projected stock falls to this.")
    reorder_quantity = models.PositiveIntegerField(help_text="The least to order at once.")
    supplier = models.ForeignKey(
        Supplier,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reorder_rules",
        help_text="Empty: the SKU's preferred supplier item.",
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["sku_id", "location_id"]
        constraints = [
            models.UniqueConstraint(fields=["sku", "location"], name="reorder_rule_sku_location_unique"),
        ]

    def __str__(self) -> str:
        where = f"{self.sku.code} at {self.location.code}"
        return f"{where}: below {self.reorder_point} order {self.reorder_quantity}"
