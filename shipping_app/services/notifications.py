"""Vendor notifications: webhooks verified and stored once, processed by a task; the missed-
notification poll.

A delivery is verified by its provider before anything is parsed or stored, then stored once per
(account, event key) and processed after commit. Processing turns every shipment it announces into
:func:`~shipping_app.services.shipments.shipment_record` calls (or applies a tracking update).
The poll (a beat job) reads the vendor's shipments created since the account's cursor, minus an
overlap, and records them the same way: a notification that never arrived is caught there, one
that did arrive is a no-op.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from config.integrations.tasks import task_enqueue
from shipping_app.errors import ShipmentUnmatched
from shipping_app.models import ShippingAccount, ShippingEventStatus, ShippingWebhookEvent
from shipping_app.providers.base import ProviderError, RetryableProviderError, ShipmentSource, WebhookReceiver
from shipping_app.services.accounts import shipping_account_provider
from shipping_app.services.shipments import shipment_record

WEBHOOK_EVENT_PROCESS_TASK = "shipping_app.tasks.webhook_event_process_task"

logger = logging.getLogger(__name__)

MAX_POLL_PAGES = 50


def webhook_receive(
    *,
    account: ShippingAccount,
    method: str,
    path: str,
    query: Mapping[str, str],
    headers: Mapping[str, str],
    body: bytes,
) -> tuple[ShippingWebhookEvent, bool]:
    """Verify, parse and store one delivery; return (event, created). Processing runs after commit.

    Raises WebhookSignatureError (nothing stored) or WebhookPayloadError (nothing stored). A
    delivery already stored returns the stored event with created=False and enqueues nothing.
    """
    provider = shipping_account_provider(account=account)
    if not isinstance(provider, WebhookReceiver):
        raise ProviderError(f"{account.provider} sends no webhooks")
    provider.webhook_verify(method=method, path=path, query=query, headers=headers, body=body)
    delivery = provider.webhook_parse(headers=headers, body=body)
    try:
        with transaction.atomic():
            event, created = ShippingWebhookEvent.objects.get_or_create(
                account=account,
                event_key=delivery.event_key,
                defaults={"topic": delivery.topic, "payload": dict(delivery.payload)},
            )
            if created:
                task_enqueue(name=WEBHOOK_EVENT_PROCESS_TASK, args=(event.pk,))
    except IntegrityError:
        event, created = (
            ShippingWebhookEvent.objects.get(account=account, event_key=delivery.event_key),
            False,
        )
    return event, created


def webhook_event_process(*, event_id: int) -> ShippingWebhookEvent:
    """Process a stored delivery: record the shipments it announces, or apply its tracking update.

    Transient vendor errors propagate (RetryableProviderError) so the task retries; permanent ones
    mark the event failed with the error shown in the admin. Processing twice changes nothing.
    """
    from shipping_app.services.labels import tracking_update_apply

    event = ShippingWebhookEvent.objects.select_related("account").get(pk=event_id)
    if event.status == ShippingEventStatus.PROCESSED:
        return event
    account = event.account
    provider = shipping_account_provider(account=account)
    ShippingWebhookEvent.objects.filter(pk=event.pk).update(attempts=event.attempts + 1)
    delivery = provider.webhook_parse(headers={}, body=json.dumps(event.payload).encode())
    errors: list[str] = []
    recorded = 0
    status = ShippingEventStatus.PROCESSED
    try:
        if delivery.kind == "shipments":
            for dto in provider.webhook_resolve(delivery=delivery):
                try:
                    shipment_record(account=account, dto=dto)
                    recorded += 1
                except ShipmentUnmatched as exc:
                    errors.append(str(exc))
        elif delivery.kind == "tracking" and delivery.tracking is not None:
            if tracking_update_apply(account=account, update=delivery.tracking):
                recorded += 1
            else:
                errors.append(f"No shipment with tracking number {delivery.tracking.tracking_number}")
        else:
            status = ShippingEventStatus.IGNORED
    except RetryableProviderError as exc:
        ShippingWebhookEvent.objects.filter(pk=event.pk).update(error=str(exc)[:2000])
        raise
    except ProviderError as exc:
        status, errors = ShippingEventStatus.FAILED, [str(exc)]
    if errors and status == ShippingEventStatus.PROCESSED and not recorded:
        status = ShippingEventStatus.IGNORED  # nothing of ours in it; the errors say why
    ShippingWebhookEvent.objects.filter(pk=event.pk).update(
        status=status, error="\n".join(errors)[:2000], processed_at=timezone.now()
    )
    event.refresh_from_db()
    return event


def shipments_poll(*, account: ShippingAccount) -> dict[str, int]:
    """Record every vendor shipment created since the account's cursor (minus an overlap).

    Returns counts: ``seen`` shipments, ``shipped`` newly shipped, ``unmatched``. The cursor moves
    to the start of a poll that read every page (or, when the page budget ran out first, to the
    newest shipment read), so a failed poll loses nothing. Raises Retryable/ProviderError (the
    cursor stays).
    """
    provider = shipping_account_provider(account=account)
    if not isinstance(provider, ShipmentSource):
        return {"seen": 0, "shipped": 0, "unmatched": 0}
    started = timezone.now()
    # First poll: from a day before the account was connected, not the vendor's whole history.
    base = account.shipments_synced_at or (account.created_at - timedelta(days=1))
    since = base - timedelta(seconds=provider.poll_overlap_seconds)
    counts = {"seen": 0, "shipped": 0, "unmatched": 0}
    cursor: str | None = None
    newest_seen = None
    try:
        for _ in range(MAX_POLL_PAGES):
            page = provider.shipments_fetch(since=since, cursor=cursor)
            for dto in page.shipments:
                counts["seen"] += 1
                if dto.created_at and (newest_seen is None or dto.created_at > newest_seen):
                    newest_seen = dto.created_at
                try:
                    _, shipped = shipment_record(account=account, dto=dto)
                except ShipmentUnmatched:
                    counts["unmatched"] += 1
                    continue
                counts["shipped"] += int(shipped)
            cursor = page.next_cursor
            if cursor is None:
                break
    except ProviderError as exc:
        ShippingAccount.objects.filter(pk=account.pk).update(last_error=str(exc)[:2000], last_poll_at=started)
        raise
    updates: dict[str, object] = {"last_poll_at": started, "last_error": ""}
    if cursor is None:
        updates["shipments_synced_at"] = started
    elif newest_seen is not None:  # a backlog longer than one poll: resume from where this one got
        updates["shipments_synced_at"] = newest_seen
    ShippingAccount.objects.filter(pk=account.pk).update(**updates)
    return counts
