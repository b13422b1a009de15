"""Publishing: number committed events in order, fill in availability, fan out to endpoints.

One publisher at a time holds the :class:`EventSequence` row (``SELECT ... FOR UPDATE``; SQLite
serialises writers anyway). Each pass takes the unnumbered events in id order - all of them
committed, since uncommitted rows are invisible - and gives them the next sequence numbers, so
``seq`` order is commit order per key (changes of one SKU or order are serialised by their row
locks) and a reader paging by ``seq`` never misses an event that committed late.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from inventory_app.models import (
    SKU,
    Event,
    EventSequence,
    EventType,
    WebhookDelivery,
    WebhookEndpoint,
)
from inventory_app.selectors.availability import sku_available_to_sell
from inventory_app.selectors.dashboard import skus_low_stock

BATCH = 1000


def events_publish_request() -> None:
    """After a commit that wrote events: queue a publish task (when some endpoint listens;
    readers of the events API publish as they read, and beat sweeps every few seconds)."""
    from inventory_app.tasks import events_publish_task

    if WebhookEndpoint.objects.filter(is_active=True).exists():
        events_publish_task.delay()


def events_publish(*, batch: int = BATCH) -> int:
    """Number every committed unnumbered event and create its deliveries; return how many."""
    total = 0
    while True:
        with transaction.atomic():
            EventSequence.objects.get_or_create(pk=1)
            sequence = EventSequence.objects.select_for_update().get(pk=1)
            events = list(Event.objects.filter(seq__isnull=True).order_by("pk")[:batch])
            if not events:
                return total
            events += _availability_fill(events=events)
            now = timezone.now()
            for event in events:
                sequence.last_seq += 1
                event.seq, event.published_at = sequence.last_seq, now
            Event.objects.bulk_update(events, ["seq", "published_at", "payload"])
            sequence.save(update_fields=["last_seq"])
            endpoint_ids = _deliveries_create(events=events, now=now)
            if endpoint_ids:
                transaction.on_commit(lambda ids=endpoint_ids: _deliver_request(endpoint_ids=ids))
        total += len(events)


def _availability_fill(*, events: list[Event]) -> list[Event]:
    """Fill the figure into availability events (at publication, reading committed stock) and
    return the new ``stock.low`` events of SKUs that became low since their last published event."""
    changed = [e for e in events if e.type == EventType.AVAILABILITY_CHANGED]
    if not changed:
        return []
    sku_ids = {e.payload["sku_id"] for e in changed}
    skus = {s.pk: s for s in SKU.objects.filter(pk__in=sku_ids).only("id", "code", "is_kit")}
    available = sku_available_to_sell(sku_ids=sku_ids)
    low = set(skus_low_stock(queryset=SKU.objects.filter(pk__in=sku_ids)).values_list("pk", flat=True))
    was_low = _last_published_low(keys={e.key for e in changed})
    raised: list[Event] = []
    now = timezone.now()
    for event in changed:
        pk = event.payload["sku_id"]
        sku = skus.get(pk)
        if sku is None:  # deleted since: nothing to tell
            event.payload = {"sku_id": pk, "sku": None, "is_kit": False, "available": 0, "low_stock": False}
            continue
        is_low = pk in low
        event.payload = {
            "sku_id": pk,
            "sku": sku.code,
            "is_kit": sku.is_kit,
            "available": available.get(pk, 0),
            "low_stock": is_low,
        }
        if is_low and not was_low.get(event.key, False):
            raised.append(
                Event(
                    type=EventType.STOCK_LOW,
                    key=event.key,
                    payload={"sku_id": pk, "sku": sku.code, "available": available.get(pk, 0)},
                    occurred_at=now,
                )
            )
        was_low[event.key] = is_low
    return Event.objects.bulk_create(raised) if raised else []


def _last_published_low(*, keys: set[str]) -> dict[str, bool]:
    """The ``low_stock`` flag of the last published availability event of each key."""
    published = Event.objects.filter(type=EventType.AVAILABILITY_CHANGED, key__in=keys, seq__isnull=False)
    last = published.values("key").annotate(last=Max("seq")).values_list("last", flat=True)
    return {
        key: bool(payload.get("low_stock"))
        for key, payload in Event.objects.filter(seq__in=list(last)).values_list("key", "payload")
    }


def _deliveries_create(*, events: Sequence[Event], now) -> list[int]:
    """One delivery per event per endpoint subscribed to its type (disabled ones too: they get
    what they missed once enabled again); the endpoint ids with new deliveries."""
    give_up = now + timedelta(hours=settings.WEBHOOKS_RETRY_HOURS)
    rows = []
    endpoints = list(WebhookEndpoint.objects.only("id", "event_types", "is_active"))
    for endpoint in endpoints:
        types = set(endpoint.event_types)
        rows += [
            WebhookDelivery(
                endpoint=endpoint,
                event=event,
                seq=event.seq,
                key=event.key,
                next_attempt_at=now,
                give_up_at=give_up,
            )
            for event in events
            if event.type in types
        ]
    WebhookDelivery.objects.bulk_create(rows, ignore_conflicts=True)
    active = {e.pk for e in endpoints if e.is_active}
    return sorted({row.endpoint_id for row in rows} & active)


def _deliver_request(*, endpoint_ids: Sequence[int]) -> None:
    from inventory_app.tasks import webhook_deliver_task

    for endpoint_id in endpoint_ids:
        webhook_deliver_task.delay(endpoint_id)
