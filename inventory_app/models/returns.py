"""Returns (RMA): authorisations against a shipped order, their lines, and what became of the goods.

Goods come back through the ledger (reason ``return``) at the cost they shipped with; written-off
goods then leave again (reason ``write_off``) at exactly that cost.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class ReturnStatus(models.TextChoices):
    """Life of a return authorisation."""

    OPEN = "open", "Open (awaiting goods)"
    RECEIVED = "received", "Received"
    CANCELLED = "cancelled", "Cancelled"


class ReturnReason(models.TextChoices):
    """Why the customer sent it back."""

    DAMAGED = "damaged", "Arrived damaged"
    DEFECTIVE = "defective", "Defective"
    WRONG_ITEM = "wrong_item", "Wrong item sent"
    NOT_AS_DESCRIBED = "not_as_described", "Not as described"
    UNWANTED = "unwanted", "No longer wanted"
    OTHER = "other", "Other"


class ReturnCondition(models.TextChoices):
    """The state the goods came back in."""

    NEW = "new", "New, unopened"
    OPENED = "opened", "Opened, resellable"
    DAMAGED = "damaged", "Damaged"
    UNSELLABLE = "unsellable", "Unsellable"


class ReturnDisposition(models.TextChoices):
    """What is done with returned goods."""

    RESTOCK = "restock", "Restock to a sellable location"
    QUARANTINE = "quarantine", "Keep at a non-sellable location"
    WRITE_OFF = "write_off", "Write off (out of stock)"


class ReturnAuthorization(models.Model):
    """Permission for a customer to send back units of a shipped order."""

    number = models.CharField(max_length=32, unique=True)
    order = models.ForeignKey("inventory_app.Order", on_delete=models.PROTECT, related_name="returns")
    status = models.CharField(max_length=16, choices=ReturnStatus.choices, default=ReturnStatus.OPEN)
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-pk"]
        indexes = [
            models.Index(fields=["updated_at", "id"], name="rma_updated_idx")
        ]  # incremental sync (updated_after, cursor)

    def __str__(self) -> str:
        return self.number


class ReturnLine(models.Model):
    """Units of one order line authorised for return, with reason and condition."""

    authorization = models.ForeignKey(ReturnAuthorization, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(
        "inventory_app.OrderLine", on_delete=models.PROTECT, related_name="return_lines"
    )
    quantity = models.PositiveIntegerField()
    quantity_received = models.PositiveIntegerField(default=0)
    reason = models.CharField(max_length=20, choices=ReturnReason.choices, default=ReturnReason.OTHER)
    condition = models.CharField(max_length=16, choices=ReturnCondition.choices, default=ReturnCondition.NEW)
    note = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["authorization_id", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="return_line_quantity_positive"),
            models.CheckConstraint(
                condition=Q(quantity_received__lte=F("quantity")), name="return_line_received_within_quantity"
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.authorization_id}: {self.quantity_received}/{self.quantity} of line {self.order_line_id}"
        )


class ReturnReceipt(models.Model):
    """Returned units of one line taken in, where they went, and the ledger operations."""

    line = models.ForeignKey(ReturnLine, on_delete=models.PROTECT, related_name="receipts")
    quantity = models.PositiveIntegerField()
    disposition = models.CharField(max_length=16, choices=ReturnDisposition.choices)
    location = models.ForeignKey("inventory_app.Location", on_delete=models.PROTECT, related_name="+")
    condition = models.CharField(max_length=16, choices=ReturnCondition.choices, default=ReturnCondition.NEW)
    operation = models.ForeignKey(
        "inventory_app.StockOperation", on_delete=models.PROTECT, related_name="return_receipts"
    )
    write_off_operation = models.ForeignKey(
        "inventory_app.StockOperation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="return_write_offs",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["line_id", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="return_receipt_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} of {self.line_id}: {self.disposition}"
