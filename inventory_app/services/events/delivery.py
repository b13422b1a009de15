"""Delivering to one endpoint: signed POSTs, in ``seq`` order per key, retried with backoff.

One runner per endpoint at a time (a row lease). It walks the endpoint's pending deliveries in
``seq`` order; a delivery that is not due yet, or fails now, holds every later delivery of its
key (a SKU, an order) for this endpoint, so a receiver never sees an older state after a newer
one. A failure is retried after 5 s, 10 s, 20 s ... (at most an hour) until ``give_up_at``
(``WEBHOOKS_RETRY_HOURS`` after it was created), then given up (the log keeps it; redeliver or
re-enabling sends it again). An endpoint that has failed without a single success for
``WEBHOOKS_RETRY_HOURS`` is disabled, which the e-mail alerts report; its deliveries wait.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import requests
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from config.egress import HostRefused
from inventory_app.models import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from inventory_app.services.events.endpoints import webhook_endpoint_disable, webhook_endpoint_secrets
from inventory_app.services.events.http import WebhookHttp, webhook_http
from inventory_app.services.events.signing import webhook_signature_header
from inventory_app.services.leases import row_lease_release, row_lease_renew, row_lease_take

PAGE = 200
BACKOFF_BASE_SECONDS = 5
BACKOFF_MAX_SECONDS = 3600
USER_AGENT = "stockmaster-webhooks/1"


@dataclass
class DeliveryRun:
    """What one run did: deliveries that succeeded, tries that failed, whether it ran at all."""

    delivered: int = 0
    failed: int = 0
    ran: bool = False
    last_seq: int = 0


def webhook_backoff(*, attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed try: 5 s doubling, at most an hour."""
    return timedelta(seconds=min(BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0), BACKOFF_MAX_SECONDS))


def webhook_body(*, delivery: WebhookDelivery) -> bytes:
    """The JSON body of a delivery (the same bytes on every try)."""
    event = delivery.event
    document = {
        "id": event.public_id,
        "type": event.type,
        "sequence": event.seq,
        "occurred_at": event.occurred_at.isoformat(),
        "data": event.payload,
    }
    return json.dumps(document, separators=(",", ":"), sort_keys=True).encode()


def webhook_endpoint_deliver(*, endpoint_id: int, now: datetime | None = None) -> DeliveryRun:
    """Send what is due to one endpoint (``now``: the clock, for tests). Runs until nothing due
    is left; returns at once if another runner holds the endpoint."""
    run = DeliveryRun()
    holder = f"deliver:{uuid.uuid4().hex}"
    rows = WebhookEndpoint.objects.filter(pk=endpoint_id)
    lease = timedelta(seconds=settings.WEBHOOKS_TIMEOUT_SECONDS * 3 + 30)
    lease_args = {
        "rows": rows,
        "until_field": "lease_until",
        "holder_field": "lease_holder",
        "holder": holder,
    }
    active = rows.filter(is_active=True)
    while row_lease_take(**{**lease_args, "rows": active}, lease=lease):
        run.ran = True
        try:
            _deliver_due(
                endpoint_id=endpoint_id,
                now=now,
                run=run,
                renew=lambda: row_lease_renew(**lease_args, lease=lease),
            )
        finally:
            row_lease_release(**lease_args)
        # Deliveries that arrived while we held the lease found it taken: look again.
        if not _arrived_since(endpoint_id=endpoint_id, after=run.last_seq):
            break
    return run


def _arrived_since(*, endpoint_id: int, after: int) -> bool:
    """Whether deliveries newer than ``after`` are pending for an endpoint still active."""
    return WebhookDelivery.objects.filter(
        endpoint_id=endpoint_id, endpoint__is_active=True, status=DeliveryStatus.PENDING, seq__gt=after
    ).exists()


def _deliver_due(*, endpoint_id: int, now: datetime | None, run: DeliveryRun, renew) -> None:
    endpoint = WebhookEndpoint.objects.get(pk=endpoint_id)
    if not endpoint.is_active:
        return
    http: WebhookHttp | None = None
    blocked: set[str] = set()
    after = 0
    while True:
        page = list(
            WebhookDelivery.objects.filter(
                endpoint_id=endpoint_id, status=DeliveryStatus.PENDING, seq__gt=after
            )
            .select_related("event")
            .order_by("seq")[:PAGE]
        )
        for delivery in page:
            after = run.last_seq = max(run.last_seq, delivery.seq)
            if delivery.key in blocked:
                continue
            clock = now or timezone.now()
            if delivery.next_attempt_at > clock:
                blocked.add(delivery.key)
                continue
            if http is None or http.base_url.rstrip("/") != endpoint.url.rstrip("/"):
                try:
                    http = webhook_http(url=endpoint.url)
                except HostRefused as exc:
                    http = None
                    ok = _outcome(
                        endpoint=endpoint,
                        delivery=delivery,
                        now=clock,
                        status_code=None,
                        error=str(exc),
                        duration_ms=0,
                    )
                    run.failed += 1
                    blocked.add(delivery.key)
                    if not ok:
                        return
                    continue
            delivered, status_code, error, duration_ms = _send(
                http=http, endpoint=endpoint, delivery=delivery, now=clock
            )
            still_active = _outcome(
                endpoint=endpoint,
                delivery=delivery,
                now=clock,
                status_code=status_code,
                error="" if delivered else error,
                duration_ms=duration_ms,
                delivered=delivered,
            )
            if delivered:
                run.delivered += 1
            else:
                run.failed += 1
                blocked.add(delivery.key)
            if not still_active or not renew():
                return
        if len(page) < PAGE:
            return


def _send(*, http: WebhookHttp, endpoint: WebhookEndpoint, delivery: WebhookDelivery, now: datetime):
    """POST one delivery; (delivered, status code or None, error, duration in ms)."""
    body = webhook_body(delivery=delivery)
    msg_id = delivery.event.public_id
    timestamp = int(now.timestamp())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Webhook-Id": msg_id,
        "Webhook-Timestamp": str(timestamp),
        "Webhook-Signature": webhook_signature_header(
            secrets_=webhook_endpoint_secrets(endpoint=endpoint, now=now),
            msg_id=msg_id,
            timestamp=timestamp,
            body=body,
        ),
    }
    started = time.monotonic()
    try:
        response = http.send("POST", endpoint.url, data=body, headers=headers)
    except (HostRefused, requests.RequestException) as exc:
        return False, None, f"{type(exc).__name__}: {http.scrub(str(exc))}"[:1000], _ms(started)
    if 200 <= response.status_code < 300:
        return True, response.status_code, "", _ms(started)
    return False, response.status_code, f"HTTP {response.status_code}: {response.text[:200]}", _ms(started)


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def _outcome(
    *,
    endpoint: WebhookEndpoint,
    delivery: WebhookDelivery,
    now: datetime,
    status_code: int | None,
    error: str,
    duration_ms: int,
    delivered: bool = False,
) -> bool:
    """Record one try (log row, delivery state, the endpoint's failure run); False when the
    endpoint has just been disabled for failing too long."""
    with transaction.atomic():
        WebhookAttempt.objects.create(
            delivery=delivery, attempted_at=now, status_code=status_code, error=error, duration_ms=duration_ms
        )
        delivery.attempts += 1
        delivery.last_attempt_at, delivery.last_status_code, delivery.last_error = now, status_code, error
        if delivered:
            delivery.status, delivery.delivered_at = DeliveryStatus.DELIVERED, now
            if endpoint.failing_since is not None:
                endpoint.failing_since = None
                WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failing_since=None)
        else:
            delivery.next_attempt_at = now + webhook_backoff(attempts=delivery.attempts)
            if now >= delivery.give_up_at:
                delivery.status = DeliveryStatus.FAILED
            if endpoint.failing_since is None:
                endpoint.failing_since = now
                WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failing_since=now)
        delivery.save(
            update_fields=[
                "attempts",
                "last_attempt_at",
                "last_status_code",
                "last_error",
                "status",
                "delivered_at",
                "next_attempt_at",
            ]
        )
        persisted = timedelta(hours=settings.WEBHOOKS_RETRY_HOURS)
        if not delivered and now - endpoint.failing_since >= persisted:
            reason = f"Every delivery failed for {settings.WEBHOOKS_RETRY_HOURS:g} hours; last: {error}"
            webhook_endpoint_disable(endpoint=endpoint, reason=reason[:1000])
            endpoint.is_active = False
            return False
    return True
