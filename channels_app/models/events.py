"""Raw inbound events (webhooks and polled records), push records and drift records."""

from __future__ import annotations

from django.db import models


class InboundEventStatus(models.TextChoices):
    """Processing state of an inbound event."""

    PENDING = "pending", "Pending"
    PROCESSED = "processed", "Processed"
    IGNORED = "ignored", "Ignored (stale or irrelevant)"
    FAILED = "failed", "Failed"
    FETCH = "fetch", "Waiting for its order to be fetched"


class InboundEvent(models.Model):
    """One webhook delivery or polled record, stored raw, unique per (account, event id)."""

    account = models.ForeignKey(
        "channels_app.ChannelAccount", on_delete=models.CASCADE, related_name="events"
    )
    event_id = models.CharField(max_length=255)
    source = models.CharField(
        max_length=16, choices=[("webhook", "Webhook"), ("poll", "Poll"), ("queue", "Queue")]
    )
    topic = models.CharField(max_length=64, blank=True)
    payload = models.JSONField(default=dict, help_text="The delivery or record as received")
    order = models.JSONField(
        null=True, blank=True, help_text="The order snapshot, normalised by the connector"
    )
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=16, choices=InboundEventStatus.choices, default=InboundEventStatus.PENDING, db_index=True
    )
    attempts = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-pk"]
        constraints = [
            models.UniqueConstraint(fields=["account", "event_id"], name="inbound_event_account_event_unique")
        ]

    def __str__(self) -> str:
        return f"{self.account_id}:{self.event_id}"


class PushRecord(models.Model):
    """One quantity push (or, for a dry-run account, one push it would have made)."""

    account = models.ForeignKey(
        "channels_app.ChannelAccount", on_delete=models.CASCADE, related_name="pushes"
    )
    listing = models.ForeignKey("channels_app.Listing", on_delete=models.CASCADE, related_name="pushes")
    quantity = models.IntegerField()
    previous_quantity = models.IntegerField(null=True, blank=True)
    dry_run = models.BooleanField(default=False)
    outcome = models.CharField(max_length=16)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-pk"]

    def __str__(self) -> str:
        return f"{self.listing_id}={self.quantity} ({self.outcome})"


class DriftRecord(models.Model):
    """A difference found by reconciliation between the channel's live figure and ours."""

    account = models.ForeignKey(
        "channels_app.ChannelAccount", on_delete=models.CASCADE, related_name="drifts"
    )
    listing = models.ForeignKey("channels_app.Listing", on_delete=models.CASCADE, related_name="drifts")
    expected_qty = models.IntegerField(help_text="What we last pushed")
    seen_qty = models.IntegerField()
    corrected = models.BooleanField(default=False)
    found_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-pk"]

    def __str__(self) -> str:
        return f"{self.listing_id}: expected {self.expected_qty}, seen {self.seen_qty}"
