"""Inbound notifications (webhooks and polled records), stored raw and de-duplicated."""

from __future__ import annotations

from django.db import models


class ShippingEventStatus(models.TextChoices):
    """Processing state of an inbound notification."""

    PENDING = "pending", "Pending"
    PROCESSED = "processed", "Processed"
    IGNORED = "ignored", "Ignored"
    FAILED = "failed", "Failed"


class ShippingWebhookEvent(models.Model):
    """One verified delivery, unique per (account, event key); processed by a task after commit."""

    account = models.ForeignKey(
        "shipping_app.ShippingAccount", on_delete=models.CASCADE, related_name="events"
    )
    event_key = models.CharField(max_length=255, help_text="The vendor's event id or a digest of the body")
    topic = models.CharField(max_length=64, blank=True)
    payload = models.JSONField(default=dict)
    status = models.CharField(
        max_length=16, choices=ShippingEventStatus.choices, default=ShippingEventStatus.PENDING, db_index=True
    )
    attempts = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-pk"]
        constraints = [
            models.UniqueConstraint(fields=["account", "event_key"], name="shipping_event_account_key_unique")
        ]

    def __str__(self) -> str:
        return f"{self.account_id}:{self.topic}:{self.event_key[:16]}"
