"""Orders handed to a shipping app (ShipStation, ShippingEasy), one row per (account, order)."""

from __future__ import annotations

from django.db import models


class OrderExportState(models.TextChoices):
    """Where the order stands at the shipping app."""

    SENDING = "sending", "Sending (outcome unknown until confirmed)"
    EXPORTED = "exported", "Exported"
    CANCELLED = "cancelled", "Cancelled at the shipping app"
    FAILED = "failed", "Failed"


class OrderExport(models.Model):
    """The export state of one order at one shipping account.

    ``order_key`` is the key we give the vendor (ShipStation's ``orderKey``, ShippingEasy's
    ``external_order_identifier``): the same order always gets the same key, so the vendor updates
    instead of duplicating. ``payload_digest`` is the digest of the last payload sent; an export
    whose payload did not change sends nothing.
    """

    account = models.ForeignKey(
        "shipping_app.ShippingAccount", on_delete=models.CASCADE, related_name="exports"
    )
    order = models.ForeignKey("inventory_app.Order", on_delete=models.CASCADE, related_name="+")
    order_key = models.CharField(max_length=128)
    external_id = models.CharField(max_length=128, blank=True, help_text="The vendor's order id")
    state = models.CharField(
        max_length=16, choices=OrderExportState.choices, default=OrderExportState.SENDING
    )
    payload_digest = models.CharField(max_length=64, blank=True)
    exported_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-pk"]
        constraints = [
            models.UniqueConstraint(fields=["account", "order"], name="order_export_account_order_unique"),
            models.UniqueConstraint(fields=["account", "order_key"], name="order_export_account_key_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id}:{self.order_key} ({self.state})"
