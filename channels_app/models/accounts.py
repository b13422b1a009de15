"""Channel accounts (one connection to one shop/marketplace) and their polling cursors."""

from __future__ import annotations

import secrets

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


def _webhook_token() -> str:
    return secrets.token_urlsafe(24)


class ChannelAccount(models.Model):
    """A connection to one channel account, attached one-to-one to a core SalesChannel.

    ``credentials_encrypted`` holds the connector's credentials as Fernet ciphertext (see
    ``channels_app.crypto``); it is never shown in the admin or the API. The publishing rules
    (buffer, percentage, maximum, minimum) apply to every listing unless the listing overrides
    them. ``webhook_token`` makes the per-account webhook URL unguessable.
    """

    sales_channel = models.OneToOneField(
        "inventory_app.SalesChannel", on_delete=models.PROTECT, related_name="channel_account"
    )
    kind = models.CharField(max_length=32, help_text="Connector registry key")
    name = models.CharField(max_length=255)
    base_url = models.URLField(max_length=500, help_text="The channel's API root (https)")
    credentials_encrypted = models.TextField(blank=True, editable=False)
    options = models.JSONField(default=dict, blank=True, help_text="Non-secret connector options")
    enabled = models.BooleanField(default=True)
    dry_run = models.BooleanField(default=False, help_text="Log the pushes it would make; send none")
    locations = models.ManyToManyField(
        "inventory_app.Location",
        blank=True,
        related_name="+",
        help_text="Locations feeding it (none: all sellable)",
    )
    buffer = models.PositiveIntegerField(default=0, help_text="Units held back")
    percentage = models.PositiveSmallIntegerField(
        default=100, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    max_published = models.PositiveIntegerField(null=True, blank=True)
    min_published = models.PositiveIntegerField(default=0, help_text="Below this, publish 0")
    poll_interval_seconds = models.PositiveIntegerField(default=120)
    webhook_token = models.CharField(max_length=64, unique=True, default=_webhook_token, editable=False)
    webhooks_url = models.CharField(
        max_length=500, blank=True, help_text="The URL the channel's webhooks were last registered to"
    )
    webhooks_registered_at = models.DateTimeField(null=True, blank=True)
    webhooks_error = models.TextField(blank=True, help_text="Why the last webhook registration failed")
    push_enqueued_at = models.DateTimeField(
        null=True, blank=True, help_text="When a push task was queued and not yet started (coalescing)"
    )
    orders_synced_at = models.DateTimeField(
        null=True, blank=True, help_text="Every channel order changed before this time has been taken in"
    )
    last_order_intake_at = models.DateTimeField(null=True, blank=True)
    last_push_at = models.DateTimeField(null=True, blank=True)
    last_reconcile_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.kind})"


class SyncCursor(models.Model):
    """Where polling of one stream (orders, listings...) of an account resumes."""

    account = models.ForeignKey(ChannelAccount, on_delete=models.CASCADE, related_name="cursors")
    stream = models.CharField(max_length=32)
    value = models.CharField(max_length=500, blank=True)
    # A poll of this stream is running until then (one poll per stream at a time; a worker that
    # dies mid-poll lets the lease run out).
    leased_until = models.DateTimeField(null=True, blank=True)
    leased_by = models.CharField(max_length=255, blank=True)  # the worker's node name
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["account_id", "stream"]
        constraints = [
            models.UniqueConstraint(fields=["account", "stream"], name="sync_cursor_account_stream_unique")
        ]

    def __str__(self) -> str:
        return f"{self.account_id}:{self.stream}={self.value}"
