"""Sales channels and orders: every order from every channel lives here, in the core."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import F, Q


class SalesChannel(models.Model):
    """Where orders come from. Integration apps attach their accounts to one of these."""

    code = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=255)
    kind = models.CharField(max_length=32, default="manual", help_text="manual, or the connector kind")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class OrderStatus(models.TextChoices):
    """Fulfilment status of an order."""

    OPEN = "open", "Open"
    PARTIALLY_SHIPPED = "partially_shipped", "Partially shipped"
    SHIPPED = "shipped", "Shipped"
    CANCELLED = "cancelled", "Cancelled"


class Order(models.Model):
    """A customer order from one channel, unique per (channel, external reference)."""

    channel = models.ForeignKey(SalesChannel, on_delete=models.PROTECT, related_name="orders")
    external_ref = models.CharField(max_length=128)
    status = models.CharField(
        max_length=20, choices=OrderStatus.choices, default=OrderStatus.OPEN, db_index=True
    )
    is_paid = models.BooleanField(default=True)
    customer_name = models.CharField(max_length=255, blank=True)
    customer_email = models.EmailField(blank=True)
    shipping_address = models.JSONField(default=dict, blank=True)
    currency = models.CharField(max_length=3, default="USD")
    subtotal = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    shipping_total = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    tax_total = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    discount_total = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    total = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    placed_at = models.DateTimeField(null=True, blank=True)
    external_updated_at = models.DateTimeField(
        null=True, blank=True, help_text="The channel's last-modified time of the version we applied."
    )
    needs_attention = models.BooleanField(default=False, db_index=True)
    attention_reason = models.TextField(blank=True)
    note = models.TextField(blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "external_ref"], name="order_channel_external_ref_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["updated_at", "id"], name="order_updated_idx"),  # incremental sync
            # The dashboard's orders of today and this week, the order list's date filter.
            models.Index(fields=["placed_at"], name="order_placed_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.channel_id}:{self.external_ref}"


class OrderLine(models.Model):
    """One line of an order. A line whose SKU we do not know keeps sku empty and is flagged."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    external_line_id = models.CharField(max_length=128, blank=True)
    external_sku = models.CharField(max_length=128, blank=True, help_text="The SKU code the channel sent.")
    sku = models.ForeignKey(
        "inventory_app.SKU", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    title = models.CharField(max_length=255, blank=True)
    quantity = models.PositiveIntegerField()
    quantity_shipped = models.PositiveIntegerField(default=0)
    quantity_cancelled = models.PositiveIntegerField(default=0)
    unit_price = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    backordered = models.BooleanField(default=False)

    class Meta:
        ordering = ["order_id", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="order_line_quantity_positive"),
            models.CheckConstraint(
                condition=Q(quantity_shipped__lte=F("quantity") - F("quantity_cancelled")),
                name="order_line_shipped_within_quantity",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}/{self.external_sku or self.sku_id} x{self.quantity}"

    @property
    def quantity_open(self) -> int:
        """Units still to ship (neither shipped nor cancelled)."""
        return self.quantity - self.quantity_shipped - self.quantity_cancelled


class Allocation(models.Model):
    """Units of a stock SKU reserved at a location for an order line (kit lines hold one per component)."""

    line = models.ForeignKey(OrderLine, on_delete=models.CASCADE, related_name="allocations")
    sku = models.ForeignKey("inventory_app.SKU", on_delete=models.PROTECT, related_name="allocations")
    location = models.ForeignKey(
        "inventory_app.Location", on_delete=models.PROTECT, related_name="allocations"
    )
    quantity = models.PositiveIntegerField(default=0, help_text="Units still reserved (not yet shipped).")
    quantity_shipped = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["line_id", "location__priority", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["line", "sku", "location"], name="allocation_line_sku_location_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"line {self.line_id}: {self.quantity} x {self.sku_id}@{self.location_id}"


class OrderShipment(models.Model):
    """One shipment of an order recorded in the core: the units shipped per line, carrier and
    tracking. Written with the stock operation that consumed the stock, by every path (admin, API,
    shipping providers, the channel's own fulfilment); the shipment hook tells other apps.

    ``quantities`` maps our order line id (as a string) to units. ``from_channel`` is True when
    the channel itself reported the shipment (nobody needs to tell it).
    """

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="shipments")
    operation = models.OneToOneField(
        "inventory_app.StockOperation", on_delete=models.PROTECT, related_name="order_shipment"
    )
    quantities = models.JSONField(default=dict)
    carrier = models.CharField(max_length=64, blank=True)
    tracking_number = models.CharField(max_length=128, blank=True)
    tracking_url = models.URLField(max_length=1000, blank=True)
    from_channel = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-pk"]

    def __str__(self) -> str:
        return f"shipment {self.pk} of order {self.order_id}"
