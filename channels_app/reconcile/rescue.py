"""Rescue of stalled work: queued tasks that a dead worker or a restarted broker took with it.

Every intake and push is durable in the database before its task is queued, so a lost task
never loses an order or a change; what it loses is time. The coalescing flags that keep a
burst to one queued task per account (a drain flag in Redis, ``push_enqueued_at`` on the
account) would also keep new tasks from being queued until they run out. Beat runs
:func:`stalled_work_rescue` every few seconds (``CHANNELS_RESCUE_SECONDS``) and a starting
worker runs it at once, so stalled accounts get a fresh task within seconds instead of minutes.
The same goes for the consumer of a notification queue (Amazon's SQS): its task re-queues
itself after each run, so one lost with a worker or the broker would leave the account's
orders to the poll until beat's minute-by-minute start.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from channels_app import task_names
from channels_app.intake.batch import account_inbound_events_drain_request, drain_flag_clear
from channels_app.models import ChannelAccount, InboundEvent, InboundEventStatus, SyncCursor
from channels_app.notifications.queue import (
    account_notifications_consumer_request,
    accounts_without_consumer,
)
from channels_app.push.outbox import account_push_request
from channels_app.push.run import PUSH_STREAM, listings_claimable
from config.integrations.tasks import task_enqueue

FETCH_RESCUE_WINDOW = timedelta(hours=1)
FETCH_RESCUE_MAX = 1000  # fetch tasks queued again per rescue


def _accounts_with_stalled_events(*, before) -> list[int]:
    pending = InboundEvent.objects.filter(status=InboundEventStatus.PENDING, received_at__lt=before)
    return sorted(pending.order_by().values_list("account_id", flat=True).distinct())


def _stalled_fetches(*, before) -> list[int]:
    """Thin deliveries still waiting for their order's fetch (its task lost), received in the
    last :data:`FETCH_RESCUE_WINDOW` (older ones are the poll's)."""
    waiting = InboundEvent.objects.filter(
        status=InboundEventStatus.FETCH,
        received_at__lt=before,
        received_at__gte=timezone.now() - FETCH_RESCUE_WINDOW,
    )
    return list(waiting.order_by("pk").values_list("pk", flat=True)[:FETCH_RESCUE_MAX])


def _accounts_with_stalled_pushes(*, before) -> list[int]:
    dirty = set(
        listings_claimable()
        .filter(dirty_since__lt=before, account__enabled=True)
        .order_by()
        .values_list("account_id", flat=True)
        .distinct()
    )
    # A push run holding the account's lease re-checks for dirty listings when it lets go.
    running = set(
        SyncCursor.objects.filter(
            account_id__in=dirty, stream=PUSH_STREAM, leased_until__gt=timezone.now()
        ).values_list("account_id", flat=True)
    )
    return sorted(dirty - running)


def stalled_work_rescue(*, events_older_than: float, pushes_older_than: float) -> dict[str, int]:
    """Queue a drain for accounts whose inbound events wait longer than ``events_older_than``
    seconds, and a push for accounts whose claimable dirty listings wait longer than
    ``pushes_older_than`` seconds with no push run going on, and a notification consumer for
    accounts with a queue and none holding its lease, and a fetch for each thin delivery whose
    order was not fetched within ``events_older_than`` seconds (its task lost); return counts
    ``drains``, ``pushes``, ``consumers``, ``fetches``.

    A push queued longer than ``pushes_older_than`` that never started (its ``push_enqueued_at``
    flag) is presumed lost: the flag is cleared so that the push can be queued again. Both kinds
    of task are idempotent and single-flight, so queuing one that was merely slow costs one
    no-op run.
    """
    now = timezone.now()
    drains = _accounts_with_stalled_events(before=now - timedelta(seconds=events_older_than))
    for account_id in drains:
        drain_flag_clear(account_id=account_id)
        account_inbound_events_drain_request(account_id=account_id)
    pushes = _accounts_with_stalled_pushes(before=now - timedelta(seconds=pushes_older_than))
    if pushes:
        with transaction.atomic():
            ChannelAccount.objects.filter(
                pk__in=pushes, push_enqueued_at__lt=now - timedelta(seconds=pushes_older_than)
            ).update(push_enqueued_at=None)
            account_push_request(account_ids=pushes)
    consumers = accounts_without_consumer()
    account_notifications_consumer_request(account_ids=consumers)
    fetches = _stalled_fetches(before=now - timedelta(seconds=events_older_than))
    for event_id in fetches:
        task_enqueue(name=task_names.INBOUND_EVENT_FETCH, args=(event_id,))
    return {
        "drains": len(drains),
        "pushes": len(pushes),
        "consumers": len(consumers),
        "fetches": len(fetches),
    }
