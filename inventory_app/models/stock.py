"""Stock levels and the append-only stock ledger.

A :class:`StockLevel` row holds the current figures of one SKU at one location. It is changed
only by ``inventory_app.services.ledger.stock_apply``, which in the same transaction appends one
:class:`StockMovement` per changed level, grouped under one :class:`StockOperation`. The sum of
a level's movement deltas always equals the level (the ledger invariant).
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class StockLevel(models.Model):
    """On hand and committed units of one SKU at one location; available = on hand - committed."""

    sku = models.ForeignKey("inventory_app.SKU", on_delete=models.PROTECT, related_name="levels")
    location = models.ForeignKey("inventory_app.Location", on_delete=models.PROTECT, related_name="levels")
    on_hand = models.IntegerField(default=0)
    committed = models.IntegerField(default=0)
    # Copied from the SKU's backorder policy by the catalog service, so that the database itself
    # can refuse committed > on hand for SKUs that do not allow backorders.
    allow_backorder = models.BooleanField(default=False)
    # Money value of what is on hand here: the sum of the valued movements' ``value_delta``, added
    # by the ledger in the transaction that posts them (the valuation reads it, not the ledger).
    value = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0.00"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["sku_id", "location_id"]
        constraints = [
            models.UniqueConstraint(fields=["sku", "location"], name="stock_level_sku_location_unique"),
            models.CheckConstraint(condition=Q(on_hand__gte=0), name="stock_level_on_hand_not_negative"),
            models.CheckConstraint(condition=Q(committed__gte=0), name="stock_level_committed_not_negative"),
            models.CheckConstraint(
                condition=Q(allow_backorder=True) | Q(committed__lte=F("on_hand")),
                name="stock_level_committed_within_on_hand",
            ),
        ]
        indexes = [
            models.Index(fields=["updated_at", "id"], name="stock_level_updated_idx")
        ]  # incremental sync (updated_after, cursor)

    def __str__(self) -> str:
        return f"{self.sku_id}@{self.location_id}: {self.on_hand}/{self.committed}"

    @property
    def available(self) -> int:
        """Units free to sell here (negative when backordered)."""
        return self.on_hand - self.committed


class MovementReason(models.TextChoices):
    """Why stock moved. One code per operation; every movement row repeats it."""

    RECEIPT = "receipt", "Receipt"
    RESERVE = "reserve", "Sale reservation"
    RELEASE = "release", "Reservation released"
    SHIPMENT = "shipment", "Shipment"
    ADJUSTMENT = "adjustment", "Adjustment"
    COUNT = "count", "Stock count"
    TRANSFER = "transfer", "Transfer"
    RETURN = "return", "Customer return"
    WRITE_OFF = "write_off", "Write-off"
    IMPORT = "import", "Initial import"


class StockOperation(models.Model):
    """One call of the ledger service: who, why, reference, and its idempotency key."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reason = models.CharField(max_length=16, choices=MovementReason.choices)
    reason_detail = models.CharField(max_length=64, blank=True, help_text="e.g. damaged, lost, found")
    reference = models.CharField(max_length=128, blank=True, db_index=True)
    note = models.TextField(blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    idempotency_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-pk"]

    def __str__(self) -> str:
        return f"{self.reason} #{self.pk}"


class StockMovement(models.Model):
    """One immutable ledger row: the deltas applied to one level and the levels that resulted."""

    operation = models.ForeignKey(StockOperation, on_delete=models.PROTECT, related_name="movements")
    sku = models.ForeignKey("inventory_app.SKU", on_delete=models.PROTECT, related_name="movements")
    location = models.ForeignKey("inventory_app.Location", on_delete=models.PROTECT, related_name="movements")
    reason = models.CharField(max_length=16, choices=MovementReason.choices)
    on_hand_delta = models.IntegerField()
    committed_delta = models.IntegerField()
    on_hand_after = models.IntegerField()
    committed_after = models.IntegerField()
    unit_cost = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    order_line = models.ForeignKey(
        "inventory_app.OrderLine", on_delete=models.PROTECT, null=True, blank=True, related_name="movements"
    )
    # Costing (see inventory_app.services.costing): the signed money value this movement added to
    # (+) or took from (-) the stock's value; empty for movements that do not change on hand.
    value_delta = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    reverses = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversals",
        help_text="The inbound movement this one takes back at its own cost (a receipt reversal).",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-pk"]
        indexes = [
            models.Index(fields=["sku", "location", "id"], name="movement_sku_location_idx"),
            # Windows of shipments and returns: COGS report, sales/COGS charts, reorder velocity.
            # On PostgreSQL it also INCLUDEs order_line_id, on_hand_delta and value_delta
            # (migration 0024): the COGS totals of a window are read from the index alone.
            models.Index(fields=["reason", "created_at"], name="movement_reason_created_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(on_hand_delta=0) | ~Q(committed_delta=0), name="movement_changes_something"
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.reason} {self.sku_id}@{self.location_id} {self.on_hand_delta:+}/{self.committed_delta:+}"
        )
