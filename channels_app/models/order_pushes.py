"""The outbox of what we tell a channel about its orders: shipments (fulfilments) and
cancellations made here."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class OrderPushKind(models.TextChoices):
    """What the push tells the channel."""

    FULFILMENT = "fulfilment", "Fulfilment (shipped, with tracking)"
    CANCEL = "cancel", "Cancellation"


class OrderPushStatus(models.TextChoices):
    """Delivery state of a push to the order's channel."""

    QUEUED = "queued", "Queued"
    DELIVERED = "delivered", "Delivered to the channel"
    FAILED = "failed", "Failed (will be retried)"


class ChannelOrderPush(models.Model):
    """A shipment or cancellation recorded here that the order's channel must be told, once.

    Written in the same transaction as the shipment (through the core's shipment hook) or the
    cancellation, so it cannot be lost; a task delivers it after commit through the channel's
    connector, the sweep retries what is still ``queued``/``failed`` when ``next_attempt_at``
    comes. ``leased_until`` is the claim of the worker delivering it: another worker leaves it
    alone until then, and a worker that died mid-delivery loses it when it runs out. Carrier
    and tracking are read from the shipment when delivering, so a correction made before that
    reaches the channel.
    """

    order = models.ForeignKey("inventory_app.Order", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=OrderPushKind.choices)
    shipment = models.OneToOneField(
        "inventory_app.OrderShipment",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="channel_push",
    )
    status = models.CharField(
        max_length=16, choices=OrderPushStatus.choices, default=OrderPushStatus.QUEUED, db_index=True
    )
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    leased_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-pk"]
        verbose_name = "order update to a channel"
        constraints = [
            models.UniqueConstraint(
                fields=["order"], condition=Q(kind="cancel"), name="channel_order_push_one_cancel"
            ),
            models.CheckConstraint(
                condition=Q(kind="cancel") | Q(shipment__isnull=False),
                name="channel_order_push_fulfilment_has_shipment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} of order {self.order_id} ({self.status})"
