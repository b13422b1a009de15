"""Events for integrators, and the webhook endpoints they are delivered to.

An :class:`Event` is written in the transaction of the change it describes, without a sequence
number. The publisher (one at a time, holding the :class:`EventSequence` row) numbers committed
events in a fixed order, so ``seq`` grows in commit order and a reader paging by ``seq`` never
skips an event that committed late. Only numbered events are listed or delivered.

A :class:`WebhookDelivery` is one event for one endpoint; every try is a :class:`WebhookAttempt`
(the delivery log).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class EventType(models.TextChoices):
    AVAILABILITY_CHANGED = "availability.changed", "Availability changed (SKU or kit)"
    ORDER_CREATED = "order.created", "Order created"
    ORDER_UPDATED = "order.updated", "Order updated"
    ORDER_CANCELLED = "order.cancelled", "Order cancelled"
    SHIPMENT_CREATED = "shipment.created", "Shipment created"
    STOCK_LOW = "stock.low", "Low stock"
    CHANNEL_SYNC_FAILING = "channel.sync_failing", "Channel sync failing"
    CREDENTIALS_EXPIRING = "credentials.expiring", "Credentials expiring"
    WEBHOOK_ENDPOINT_DISABLED = "webhook_endpoint.disabled", "Webhook endpoint disabled"


class Event(models.Model):
    """One change an integrator may care about; ``key`` orders deliveries ("sku:12", "order:7")."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    type = models.CharField(max_length=40, choices=EventType.choices)
    key = models.CharField(max_length=100)
    payload = models.JSONField(default=dict)
    occurred_at = models.DateTimeField()
    seq = models.BigIntegerField(null=True, blank=True, unique=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["seq"]
        indexes = [
            models.Index(fields=["id"], condition=models.Q(seq__isnull=True), name="event_unpublished"),
            models.Index(fields=["occurred_at"], name="event_occurred"),
            models.Index(fields=["key", "seq"], name="event_key_seq"),
        ]

    def __str__(self) -> str:
        return f"evt_{self.uid.hex} {self.type} {self.key}"

    @property
    def public_id(self) -> str:
        """The id integrators see (also the Webhook-Id header)."""
        return f"evt_{self.uid.hex}"


class EventSequence(models.Model):
    """The one row the publisher locks: the last ``seq`` given out."""

    last_seq = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"event sequence at {self.last_seq}"


class WebhookEndpoint(models.Model):
    """A URL that receives the events of the types it subscribes to, signed with its secret.

    The secret is stored encrypted. While ``previous_secret_until`` is in the future deliveries
    carry a second signature made with the previous secret (rotation without downtime).
    ``failing_since``: the start of the current run of failed tries (cleared by a success).
    """

    url = models.URLField(max_length=500)
    description = models.CharField(max_length=200, blank=True)
    event_types = models.JSONField(default=list, help_text="Event types delivered here.")
    is_active = models.BooleanField(default=True)
    secret_encrypted = models.TextField(editable=False)
    previous_secret_until = models.DateTimeField(null=True, blank=True, editable=False)
    failing_since = models.DateTimeField(null=True, blank=True, editable=False)
    disabled_at = models.DateTimeField(null=True, blank=True, editable=False)
    disabled_reason = models.TextField(blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    lease_until = models.DateTimeField(null=True, blank=True, editable=False)
    lease_holder = models.CharField(max_length=255, blank=True, editable=False)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.url


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed (gave up)"


class WebhookDelivery(models.Model):
    """One event for one endpoint. Pending deliveries of one key go out in ``seq`` order: one
    that failed holds the later ones of its key until it succeeds or is given up."""

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    seq = models.BigIntegerField()
    key = models.CharField(max_length=100)
    status = models.CharField(max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    give_up_at = models.DateTimeField()
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-seq"]
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event"], name="webhook_delivery_once"),
        ]
        indexes = [
            models.Index(
                fields=["endpoint", "seq"],
                condition=models.Q(status="pending"),
                name="webhook_delivery_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} -> {self.endpoint_id} ({self.status})"


class WebhookAttempt(models.Model):
    """One try of a delivery: when, the HTTP status (none: no answer) and the error, if any."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="log")
    attempted_at = models.DateTimeField()
    status_code = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.delivery_id} @ {self.attempted_at:%Y-%m-%d %H:%M:%S}: {self.status_code or self.error}"
