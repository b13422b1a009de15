"""Catalog: products, their variants (SKUs), kits, and stock locations."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from inventory_app.validators import printable_validate


class Product(models.Model):
    """A product as the seller thinks of it ("Linen tablecloth"); sold as one or more SKUs."""

    name = models.CharField(max_length=255)
    description = models.TextField(blank=True)
    brand = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "pk"]
        indexes = [
            models.Index(fields=["updated_at", "id"], name="product_updated_idx")
        ]  # incremental sync (updated_after, cursor)

    def __str__(self) -> str:
        return self.name


class BackorderPolicy(models.TextChoices):
    """What happens when an order asks for more than is available."""

    REJECT = "reject", "Reject the order line"
    BACKORDER = "backorder", "Accept and backorder"


class SKU(models.Model):
    """One sellable unit (a variant of a product, or a kit of other SKUs)."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="skus", null=True, blank=True)
    code = models.CharField("SKU", max_length=64, unique=True, validators=[printable_validate])
    barcode = models.CharField(max_length=64, blank=True, db_index=True, validators=[printable_validate])
    name = models.CharField(max_length=255)
    attributes = models.JSONField(default=dict, blank=True)
    weight_grams = models.DecimalField(
        max_digits=12, decimal_places=2, default=Decimal("0"), validators=[MinValueValidator(0)]
    )
    default_unit_cost = models.DecimalField(
        max_digits=14, decimal_places=4, default=Decimal("0"), validators=[MinValueValidator(0)]
    )
    is_active = models.BooleanField(default=True)
    is_kit = models.BooleanField(
        default=False,
        help_text="A kit has no stock of its own; its availability derives from its components.",
    )
    backorder_policy = models.CharField(
        max_length=16, choices=BackorderPolicy.choices, default=BackorderPolicy.REJECT
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Totals of the SKU's stock levels, for lists sorted and filtered by them. Written only by the
    # ledger (services.stock_totals, in the transaction of the level update) and never by save():
    # on hand and committed over every location, available (on hand - committed) over active
    # sellable ones. A kit holds no stock: 0.
    on_hand_total = models.IntegerField(default=0, editable=False)
    committed_total = models.IntegerField(default=0, editable=False)
    available_total = models.IntegerField(default=0, editable=False)

    class Meta:
        verbose_name = "SKU"
        verbose_name_plural = "SKUs"
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["barcode"], condition=~Q(barcode=""), name="sku_barcode_unique"),
        ]
        indexes = [
            models.Index(fields=["updated_at", "id"], name="sku_updated_idx"),  # incremental sync
            models.Index(fields=["on_hand_total", "id"], name="sku_on_hand_total_idx"),
            models.Index(fields=["committed_total", "id"], name="sku_committed_total_idx"),
            models.Index(fields=["available_total", "id"], name="sku_available_total_idx"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def allows_backorder(self) -> bool:
        """True when orders beyond availability are accepted and backordered."""
        return self.backorder_policy == BackorderPolicy.BACKORDER


class KitComponent(models.Model):
    """One component of a kit: `quantity` units of `component` per unit of `kit`."""

    kit = models.ForeignKey(SKU, on_delete=models.CASCADE, related_name="components")
    component = models.ForeignKey(SKU, on_delete=models.PROTECT, related_name="used_in")
    quantity = models.PositiveIntegerField(validators=[MinValueValidator(1)])

    class Meta:
        ordering = ["kit_id", "component_id"]
        constraints = [
            models.UniqueConstraint(fields=["kit", "component"], name="kit_component_unique"),
            models.CheckConstraint(condition=~Q(kit=models.F("component")), name="kit_component_not_self"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="kit_component_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.kit_id} <- {self.quantity} x {self.component_id}"


class Location(models.Model):
    """A place stock is kept (warehouse, shelf area, quarantine). Only sellable ones feed channels."""

    code = models.CharField(max_length=32, unique=True, validators=[printable_validate])
    name = models.CharField(max_length=255)
    is_sellable = models.BooleanField(default=True)
    is_active = models.BooleanField(default=True)
    priority = models.PositiveIntegerField(
        default=100, help_text="Order reservations draw from lower numbers first."
    )
    address = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["priority", "code"]

    def __str__(self) -> str:
        return self.code
