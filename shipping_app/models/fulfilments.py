"""The fulfilment outbox: tracking to report to the order's origin channel."""

from __future__ import annotations

from django.db import models


class FulfilmentRequestStatus(models.TextChoices):
    """Delivery state of a fulfilment to the origin channel."""

    QUEUED = "queued", "Queued"
    DELIVERED = "delivered", "Delivered to the channel"
    FAILED = "failed", "Failed (will be retried)"
    NOT_NEEDED = "not_needed", "Not needed (manual channel)"


class ChannelFulfilmentRequest(models.Model):
    """Shipped lines with carrier and tracking, waiting to be reported to the order's channel.

    Created in the same transaction as the shipment it reports, so it cannot be lost. It stays
    ``queued`` (visible in the admin and the API) until the sync engine's
    ``order_fulfilment_push`` has delivered it through the channel's connector; a channel without
    an account or connector yet keeps it queued, and the shipping sweep tries again later.
    ``lines`` maps the channel's line ids (``OrderLine.external_line_id``, else our line id) to
    units, as ``FulfilmentDTO.lines`` wants.
    """

    shipment = models.OneToOneField(
        "shipping_app.Shipment", on_delete=models.CASCADE, related_name="fulfilment_request"
    )
    order = models.ForeignKey("inventory_app.Order", on_delete=models.CASCADE, related_name="+")
    sales_channel = models.ForeignKey(
        "inventory_app.SalesChannel", on_delete=models.PROTECT, related_name="+"
    )
    order_external_id = models.CharField(max_length=128)
    lines = models.JSONField(default=dict)
    carrier = models.CharField(max_length=64, blank=True)
    tracking_number = models.CharField(max_length=128, blank=True)
    tracking_url = models.URLField(max_length=1000, blank=True)
    status = models.CharField(
        max_length=16,
        choices=FulfilmentRequestStatus.choices,
        default=FulfilmentRequestStatus.QUEUED,
        db_index=True,
    )
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True, help_text="The sweep retries it from then")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-pk"]

    def __str__(self) -> str:
        return f"{self.order_external_id} -> {self.sales_channel_id} ({self.status})"
