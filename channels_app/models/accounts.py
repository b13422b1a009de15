"""Channel accounts (one connection to one shop/marketplace) and their polling cursors."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from config.integrations.models import VendorAccount, webhook_token_new

# The default of webhook_token in the app's first migration.
_webhook_token = webhook_token_new


class ChannelAccount(VendorAccount):
    """A connection to one channel account, attached one-to-one to a core SalesChannel.

    The shared fields (name, base_url, credentials, options, enabled, webhook token, last error)
    come from :class:`config.integrations.models.VendorAccount`. The publishing rules
    (buffer, percentage, maximum, minimum) apply to every listing unless the listing overrides
    them.
    """

    sales_channel = models.OneToOneField(
        "inventory_app.SalesChannel", on_delete=models.PROTECT, related_name="channel_account"
    )
    kind = models.CharField(max_length=32, help_text="Connector registry key")
    base_url = models.URLField(max_length=500, help_text="The channel's API root (https)")
    options = models.JSONField(default=dict, blank=True, help_text="Non-secret connector options")
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
    adaptive_buffer = models.BooleanField(
        default=True,
        help_text="Hold back, on a hot item, what may sell elsewhere before this channel shows the "
        "next figure (sized from the channel's lag and the item's sales; never above the rules)",
    )
    oversell_risk_percent = models.DecimalField(
        max_digits=4,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("50"))],
        help_text="The adaptive buffer keeps the chance that a listing oversells before its next "
        "update lands at or under this (percent)",
    )
    confirm_lag_seconds = models.FloatField(
        default=0.0,
        help_text="Measured: seconds from a change here to the channel confirming the new figure "
        "(moving average of recent pushes)",
    )
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

    class Meta(VendorAccount.Meta):
        pass


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
