"""Costing: the company's costing method, FIFO cost layers, moving-average pools, consumptions.

Every unit that enters stock carries a cost and every unit that leaves takes its cost with it.
The ledger service (``stock_apply``) prices each on-hand movement in the same transaction through
``inventory_app.services.costing`` and records the signed money value on the movement itself
(``StockMovement.value_delta``). The tables here hold the running state that pricing needs:

* :class:`CostingSettings` — one row per installation (one company): method and currency;
* :class:`CostLayer` — FIFO: one layer per inbound movement per (SKU, location), consumed oldest
  first; ``value_remaining`` is the money still on the shelf for that layer;
* :class:`LayerConsumption` — which layers an outbound movement consumed, units and value;
* :class:`AverageCost` — moving weighted average: one pool per (SKU, location).

Money is stored to 2 decimal places, unit costs to 4 (see the services module for rounding).
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q

from inventory_app.models.stock import StockMovement


class CostingMethod(models.TextChoices):
    """How outbound units are costed."""

    FIFO = "fifo", "FIFO (first in, first out)"
    AVERAGE = "average", "Moving weighted average"


class CostingSettings(models.Model):
    """The costing method and currency of the company (a single row, pk=1).

    The method can be changed only while no movement has been valued yet, because layers and
    averages built under one method cannot be reinterpreted under the other.
    """

    SINGLETON_PK = 1

    method = models.CharField(max_length=8, choices=CostingMethod.choices, default=CostingMethod.FIFO)
    currency = models.CharField(max_length=3, default="USD")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "costing settings"
        verbose_name_plural = "costing settings"
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="costing_settings_singleton")]

    def __str__(self) -> str:
        return f"{self.get_method_display()} in {self.currency}"


class CostLayer(models.Model):
    """Units of one SKU at one location that entered together, at one cost (FIFO).

    ``unit_cost`` is informative (value / quantity to 4 dp); the exact money is
    ``value_received`` and ``value_remaining``. A fully consumed layer has no value left.
    """

    sku = models.ForeignKey("inventory_app.SKU", on_delete=models.PROTECT, related_name="cost_layers")
    location = models.ForeignKey(
        "inventory_app.Location", on_delete=models.PROTECT, related_name="cost_layers"
    )
    source_movement = models.ForeignKey(
        "inventory_app.StockMovement",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cost_layers",
        help_text="The inbound movement that created the layer (empty for an opening balance).",
    )
    quantity_received = models.PositiveIntegerField()
    quantity_remaining = models.PositiveIntegerField()
    unit_cost = models.DecimalField(max_digits=14, decimal_places=4)
    value_received = models.DecimalField(max_digits=16, decimal_places=2)
    value_remaining = models.DecimalField(max_digits=16, decimal_places=2)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["sku_id", "location_id", "pk"]
        indexes = [
            models.Index(
                fields=["sku", "location", "id"],
                condition=Q(quantity_remaining__gt=0),
                name="cost_layer_open_idx",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity_remaining__lte=models.F("quantity_received")),
                name="cost_layer_remaining_within_received",
            ),
            models.CheckConstraint(condition=Q(value_remaining__gte=0), name="cost_layer_value_not_negative"),
            models.CheckConstraint(
                condition=Q(quantity_remaining__gt=0) | Q(value_remaining=0),
                name="cost_layer_empty_has_no_value",
            ),
        ]

    def __str__(self) -> str:
        left = f"{self.quantity_remaining}/{self.quantity_received}"
        return f"{self.sku_id}@{self.location_id} {left} @ {self.unit_cost}"


class LayerConsumption(models.Model):
    """Units and value an outbound movement took from one layer (no layer: unlayered stock)."""

    movement = models.ForeignKey(
        "inventory_app.StockMovement", on_delete=models.PROTECT, related_name="layer_consumptions"
    )
    layer = models.ForeignKey(
        CostLayer, on_delete=models.PROTECT, null=True, blank=True, related_name="consumptions"
    )
    quantity = models.PositiveIntegerField()
    value = models.DecimalField(max_digits=16, decimal_places=2)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["movement_id", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="layer_consumption_quantity_positive"),
            models.CheckConstraint(condition=Q(value__gte=0), name="layer_consumption_value_not_negative"),
        ]

    def __str__(self) -> str:
        return f"movement {self.movement_id} took {self.quantity} from layer {self.layer_id}: {self.value}"


class AverageCost(models.Model):
    """The moving weighted-average pool of one SKU at one location: units and their value."""

    sku = models.ForeignKey("inventory_app.SKU", on_delete=models.PROTECT, related_name="average_costs")
    location = models.ForeignKey(
        "inventory_app.Location", on_delete=models.PROTECT, related_name="average_costs"
    )
    quantity = models.IntegerField(default=0)
    value = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0"))
    last_unit_cost = models.DecimalField(
        max_digits=14, decimal_places=4, null=True, blank=True, help_text="Average after the last receipt."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["sku_id", "location_id"]
        constraints = [
            models.UniqueConstraint(fields=["sku", "location"], name="average_cost_sku_location_unique"),
            models.CheckConstraint(condition=Q(quantity__gte=0), name="average_cost_quantity_not_negative"),
            models.CheckConstraint(condition=Q(value__gte=0), name="average_cost_value_not_negative"),
            models.CheckConstraint(
                condition=Q(quantity__gt=0) | Q(value=0), name="average_cost_empty_has_no_value"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sku_id}@{self.location_id} {self.quantity} units = {self.value}"

    @property
    def unit_cost(self) -> Decimal | None:
        """Current average unit cost to 4 dp (None when the pool is empty)."""
        if self.quantity <= 0:
            return None
        return (self.value / self.quantity).quantize(Decimal("0.0001"))


class CostReport(StockMovement):
    """The ledger seen as cost reports (valuation, COGS) in the admin; no table of its own."""

    class Meta:
        proxy = True
        verbose_name = "cost report"
        verbose_name_plural = "cost reports (valuation, COGS)"
