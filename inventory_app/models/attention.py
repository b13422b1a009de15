"""The exceptions queue's history: who acknowledged or resolved an order that needed attention."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AttentionAction(models.TextChoices):
    """What staff did with an order that needs attention."""

    ACKNOWLEDGED = "acknowledged", "Acknowledged (being handled)"
    RESOLVED = "resolved", "Resolved"


class OrderAttentionEvent(models.Model):
    """One acknowledgement or resolution of an order's attention flag, with the reason it had then."""

    order = models.ForeignKey(
        "inventory_app.Order", on_delete=models.CASCADE, related_name="attention_events"
    )
    action = models.CharField(max_length=16, choices=AttentionAction.choices)
    reason = models.TextField(help_text="The order's attention reason at the time.")
    note = models.TextField(blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["order_id", "pk"]
        indexes = [models.Index(fields=["order", "-id"], name="attention_event_order_idx")]

    def __str__(self) -> str:
        return f"order {self.order_id}: {self.action}"
