"""Registering webhook endpoints (managers), rotating their secrets, enabling, redelivering."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from config.egress import HostRefused
from config.integrations.crypto import SecretsCipher
from inventory_app.models import DeliveryStatus, EventType, WebhookDelivery, WebhookEndpoint
from inventory_app.services.events.http import webhook_http
from inventory_app.services.events.record import events_record
from inventory_app.services.events.signing import webhook_secret_generate

CIPHER = SecretsCipher(context="inventory_app.webhooks")


class WebhookEndpointError(ValidationError):
    """A refused endpoint: bad URL (the egress guard's rules) or unknown event types."""


def webhook_endpoint_secrets(*, endpoint: WebhookEndpoint, now: datetime | None = None) -> list[str]:
    """The secrets deliveries are signed with now: the current one, and the previous one while
    its overlap lasts."""
    values = CIPHER.decrypt(token=endpoint.secret_encrypted)
    found = [values["secret"]]
    until = endpoint.previous_secret_until
    if values.get("previous") and until is not None and until > (now or timezone.now()):
        found.append(values["previous"])
    return found


def _clean(*, url: str, event_types: Sequence[str]) -> list[str]:
    try:
        webhook_http(url=url)
    except HostRefused as exc:
        raise WebhookEndpointError(str(exc)) from exc
    types = list(dict.fromkeys(event_types))
    if not types:
        raise WebhookEndpointError("Subscribe the endpoint to at least one event type")
    if unknown := sorted(set(types) - set(EventType.values)):
        raise WebhookEndpointError(f"Unknown event type(s): {', '.join(unknown)}")
    return types


def webhook_endpoint_create(
    *, url: str, event_types: Sequence[str], description: str = "", user: AbstractBaseUser | None = None
) -> tuple[WebhookEndpoint, str]:
    """Register an endpoint; return it and its secret (shown once, stored encrypted)."""
    types = _clean(url=url, event_types=event_types)
    secret = webhook_secret_generate()
    endpoint = WebhookEndpoint.objects.create(
        url=url,
        event_types=types,
        description=description,
        secret_encrypted=CIPHER.encrypt(values={"secret": secret}),
        created_by=user if user is not None and user.is_authenticated else None,
    )
    return endpoint, secret


def webhook_endpoint_update(
    *, endpoint: WebhookEndpoint, url: str, event_types: Sequence[str], description: str
) -> WebhookEndpoint:
    """Change an endpoint's URL, types or description (the secret stays)."""
    endpoint.event_types = _clean(url=url, event_types=event_types)
    endpoint.url, endpoint.description = url, description
    endpoint.save(update_fields=["url", "event_types", "description", "updated_at"])
    return endpoint


def webhook_endpoint_secret_rotate(*, endpoint: WebhookEndpoint) -> tuple[WebhookEndpoint, str]:
    """A new secret; the old one keeps signing too for ``WEBHOOKS_SECRET_OVERLAP_HOURS``."""
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        current = CIPHER.decrypt(token=endpoint.secret_encrypted)["secret"]
        secret = webhook_secret_generate()
        endpoint.secret_encrypted = CIPHER.encrypt(values={"secret": secret, "previous": current})
        endpoint.previous_secret_until = timezone.now() + timedelta(
            hours=settings.WEBHOOKS_SECRET_OVERLAP_HOURS
        )
        endpoint.save(update_fields=["secret_encrypted", "previous_secret_until", "updated_at"])
    return endpoint, secret


def webhook_endpoint_enable(*, endpoint: WebhookEndpoint) -> int:
    """Enable an endpoint again; deliveries given up are tried again, in order, with the missed
    ones. Returns how many deliveries are pending for it."""
    now = timezone.now()
    with transaction.atomic():
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
            is_active=True, disabled_at=None, disabled_reason="", failing_since=None, updated_at=now
        )
        endpoint.deliveries.filter(status=DeliveryStatus.FAILED).update(status=DeliveryStatus.PENDING)
        endpoint.deliveries.filter(status=DeliveryStatus.PENDING).update(
            next_attempt_at=now, give_up_at=now + timedelta(hours=settings.WEBHOOKS_RETRY_HOURS)
        )
        transaction.on_commit(lambda: _deliver_soon(endpoint.pk))
    endpoint.refresh_from_db()
    return endpoint.deliveries.filter(status=DeliveryStatus.PENDING).count()


def webhook_endpoint_disable(*, endpoint: WebhookEndpoint, reason: str) -> bool:
    """Stop delivering to an endpoint (its deliveries wait); False if it was disabled already."""
    now = timezone.now()
    with transaction.atomic():
        changed = WebhookEndpoint.objects.filter(pk=endpoint.pk, is_active=True).update(
            is_active=False, disabled_at=now, disabled_reason=reason, updated_at=now
        )
        if changed:
            payload = {"endpoint_id": endpoint.pk, "url": endpoint.url, "reason": reason}
            events_record(events=[(EventType.WEBHOOK_ENDPOINT_DISABLED, f"endpoint:{endpoint.pk}", payload)])
    return bool(changed)


def webhook_delivery_redeliver(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivery again (delivered or given up): it is pending again, due now, and holds
    the later deliveries of its key until it is through."""
    now = timezone.now()
    with transaction.atomic():
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.PENDING,
            next_attempt_at=now,
            give_up_at=now + timedelta(hours=settings.WEBHOOKS_RETRY_HOURS),
        )
        transaction.on_commit(lambda: _deliver_soon(delivery.endpoint_id))
    delivery.refresh_from_db()
    return delivery


def _deliver_soon(endpoint_id: int) -> None:
    from inventory_app.tasks import webhook_deliver_task

    webhook_deliver_task.delay(endpoint_id)
