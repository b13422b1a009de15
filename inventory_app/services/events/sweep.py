"""The periodic pass (beat): publish what is left, wake endpoints with due retries, prune.

Events older than ``EVENTS_RETENTION_DAYS`` go, with their deliveries and attempts.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from inventory_app.models import DeliveryStatus, Event, WebhookDelivery
from inventory_app.services.events.publish import events_publish


def events_prune(*, now: datetime | None = None) -> int:
    """Delete events past the retention window; return how many."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.EVENTS_RETENTION_DAYS)
    _, per_model = Event.objects.filter(occurred_at__lt=cutoff).delete()
    return per_model.get(Event._meta.label, 0)


def events_sweep(*, now: datetime | None = None) -> dict[str, int | list[int]]:
    """Publish, prune, and return the active endpoints with a delivery due (to wake)."""
    now = now or timezone.now()
    published = events_publish()
    pruned = events_prune(now=now)
    due = sorted(
        set(
            WebhookDelivery.objects.filter(
                status=DeliveryStatus.PENDING, next_attempt_at__lte=now, endpoint__is_active=True
            ).values_list("endpoint_id", flat=True)
        )
    )
    return {"published": published, "pruned": pruned, "endpoints": due}
