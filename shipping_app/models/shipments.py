"""Shipments (from a shipping app or bought here), their lines, rates, label purchase and events."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q


class ShipmentStatus(models.TextChoices):
    """Life of a shipment: drafted and rated (Shippo), then shipped and tracked."""

    DRAFT = "draft", "Draft (rates fetched)"
    LABEL_PURCHASED = "label_purchased", "Label purchased"
    SHIPPED = "shipped", "Shipped"
    IN_TRANSIT = "in_transit", "In transit"
    DELIVERED = "delivered", "Delivered"
    RETURNED = "returned", "Returned"
    FAILURE = "failure", "Delivery failure"
    VOIDED = "voided", "Voided"


class Shipment(models.Model):
    """One parcel of an order: provider, external id, carrier/service, rate paid, label, tracking.

    Unique per (account, external id) when the vendor gave one, so a notification delivered twice
    or seen again by the poll is the same shipment. ``stock_operation`` is the core's SHIPMENT
    operation that consumed the stock (set once; its idempotency key derives from the shipment).
    ``rate_amount`` is what the seller paid for postage (for margin reporting).
    """

    account = models.ForeignKey(
        "shipping_app.ShippingAccount", on_delete=models.PROTECT, related_name="shipments"
    )
    order = models.ForeignKey("inventory_app.Order", on_delete=models.PROTECT, related_name="+")
    external_id = models.CharField(max_length=128, blank=True)
    status = models.CharField(
        max_length=20, choices=ShipmentStatus.choices, default=ShipmentStatus.DRAFT, db_index=True
    )
    carrier = models.CharField(max_length=64, blank=True)
    service = models.CharField(max_length=128, blank=True)
    rate_amount = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    rate_currency = models.CharField(max_length=3, default="USD")
    label = models.FileField(upload_to="shipping/labels/%Y/%m/", blank=True)
    label_url = models.URLField(max_length=1000, blank=True)
    tracking_number = models.CharField(max_length=128, blank=True, db_index=True)
    tracking_url = models.URLField(max_length=1000, blank=True)
    tracking_status_detail = models.CharField(max_length=500, blank=True)
    parcel = models.JSONField(default=dict, blank=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    stock_operation = models.ForeignKey(
        "inventory_app.StockOperation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    attention_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "external_id"],
                condition=~Q(external_id=""),
                name="shipment_account_external_id_unique",
            )
        ]
        indexes = [
            models.Index(fields=["updated_at", "id"], name="shipment_updated_idx")
        ]  # incremental sync (updated_after, cursor)

    def __str__(self) -> str:
        return f"{self.account_id}:{self.external_id or self.pk} ({self.status})"


class ShipmentLine(models.Model):
    """Units of one order line in one shipment."""

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey("inventory_app.OrderLine", on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField()

    class Meta:
        ordering = ["shipment_id", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["shipment", "order_line"], name="shipment_line_unique"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="shipment_line_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.shipment_id}/{self.order_line_id} x{self.quantity}"


class ShipmentRate(models.Model):
    """A rate offered for a draft shipment (Shippo), as the vendor quoted it."""

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="rates")
    external_id = models.CharField(max_length=128)
    carrier = models.CharField(max_length=64)
    service_name = models.CharField(max_length=128, blank=True)
    service_token = models.CharField(max_length=128, blank=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3, default="USD")
    estimated_days = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["amount", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["shipment", "external_id"], name="shipment_rate_unique")
        ]

    def __str__(self) -> str:
        return f"{self.carrier} {self.service_name} {self.amount} {self.currency}"


class LabelPurchaseState(models.TextChoices):
    """A label purchase: started (outcome unknown until confirmed), bought, or failed."""

    STARTED = "started", "Started"
    PURCHASED = "purchased", "Purchased"
    FAILED = "failed", "Failed"


class LabelPurchase(models.Model):
    """The one label purchase of a shipment (one-to-one: a second purchase cannot exist).

    Written as ``started`` and committed *before* the vendor is called; while ``claimed_until``
    is in the future no other worker calls the vendor; a later attempt that finds it ``started``
    asks the vendor whether a transaction for the rate exists before buying again.
    """

    shipment = models.OneToOneField(Shipment, on_delete=models.CASCADE, related_name="label_purchase")
    rate = models.ForeignKey(ShipmentRate, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(
        max_length=16, choices=LabelPurchaseState.choices, default=LabelPurchaseState.STARTED
    )
    transaction_id = models.CharField(max_length=128, blank=True)
    claimed_until = models.DateTimeField(
        null=True,
        blank=True,
        help_text="A worker is calling the vendor until then (no second call meanwhile)",
    )
    attempts = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-pk"]

    def __str__(self) -> str:
        return f"{self.shipment_id}: {self.state}"


class ShipmentEvent(models.Model):
    """Something that happened to a shipment (recorded, label bought, tracking update), de-duplicated."""

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="events")
    key = models.CharField(max_length=255)
    status = models.CharField(max_length=20, choices=ShipmentStatus.choices)
    description = models.CharField(max_length=500, blank=True)
    occurred_at = models.DateTimeField()
    payload = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["shipment_id", "occurred_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["shipment", "key"], name="shipment_event_key_unique")]

    def __str__(self) -> str:
        return f"{self.shipment_id}: {self.status} at {self.occurred_at:%Y-%m-%d %H:%M}"
