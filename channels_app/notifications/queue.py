"""Pull notifications: the consumer of a channel's event queue (Amazon: ORDER_CHANGE on SQS).

A channel that cannot call our webhooks delivers its events to a queue (the connector's
``notifications_pull`` / ``notifications_ack`` hooks). One consumer per account reads it,
single-flight by a lease on the account's ``notifications`` SyncCursor row (as the order poll's
lease on ``orders``): a consumer started while another holds the lease returns at once.

Each pull stores every event with :func:`inbound_event_record` (once per event id, so a
redelivered message stores nothing new), commits, then acknowledges (deletes) the messages and
drains the account's pending events right there (the batched drain webhooks use; what a drain
leaves, or a failed drain, goes to a drain task), so an order is applied within its pull.
Nothing is lost when the worker dies between the commit and the acknowledgement: the queue
delivers the message again after its visibility timeout and the event id finds it stored.
A message the connector cannot read is stored as an ignored event with the error (source
``"queue"``, topic ``malformed``) and acknowledged: it is kept for staff, never looped on.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from channels_app import task_names
from channels_app.connectors.base import PullsNotifications
from channels_app.connectors.dto import PulledEvent
from channels_app.intake.events import inbound_event_record
from channels_app.models import ChannelAccount, InboundEvent, InboundEventStatus, SyncCursor
from channels_app.services.accounts import account_connector
from channels_app.services.leases import (
    sync_cursor_lease_release,
    sync_cursor_lease_renew,
    sync_cursor_lease_take,
)
from config.integrations.tasks import task_enqueue

logger = logging.getLogger(__name__)

STREAM = "notifications"
DEFAULT_WAIT_SECONDS = 20.0
# The lease outlives one long poll and its commit; renewed before every pull.
LEASE_MARGIN = timedelta(seconds=40)


def account_notifications_configured(*, account: ChannelAccount) -> bool:
    """True when the account is enabled and its connector has a queue to pull from."""
    from channels_app.connectors.registry import connector_class_get

    if not account.enabled:
        return False
    try:
        cls = connector_class_get(kind=account.kind)
    except LookupError:
        return False
    return issubclass(cls, PullsNotifications) and cls.notifications_configured(options=account.options)


def accounts_without_consumer() -> list[int]:
    """Enabled accounts with a notification queue and no consumer holding its lease (its task
    was lost with a killed worker or a restarted broker, or has not started yet)."""
    from channels_app.connectors.registry import connector_class_get, connector_kinds

    kinds = [k for k in connector_kinds() if issubclass(connector_class_get(kind=k), PullsNotifications)]
    consuming = SyncCursor.objects.filter(stream=STREAM, leased_until__gt=timezone.now()).values("account_id")
    candidates = ChannelAccount.objects.filter(kind__in=kinds).exclude(pk__in=consuming).order_by("pk")
    return [account.pk for account in candidates if account_notifications_configured(account=account)]


def account_notifications_consumer_request(*, account_ids: Iterable[int]) -> None:
    """Start a consumer for each account after commit; one started while another holds the
    account's lease returns at once, so a spare request costs one lease check."""
    for account_id in sorted(set(account_ids)):
        task_enqueue(name=task_names.ACCOUNT_NOTIFICATIONS_PULL, args=(account_id,))


def account_notifications_pull(
    *,
    account_id: int,
    wait_seconds: float = DEFAULT_WAIT_SECONDS,
    claimer: str = "",
    max_seconds: float = 0.0,
) -> dict[str, int]:
    """Pull the account's queued notifications, store them once, acknowledge, apply them.

    One pull waits up to ``wait_seconds`` for messages (long polling); pulls repeat while less
    than ``max_seconds`` have passed (0: one pull), holding the lease throughout. Returns counts:
    ``received`` messages, ``stored`` new events (``orders`` of them with an order to apply),
    ``duplicates`` already stored, ``malformed`` recorded with an error, ``acked`` deleted,
    ``pulls`` made, ``busy`` 1 when another consumer holds the lease, ``configured`` 0 when the
    account has no queue (or is disabled): nothing is pulled then.
    """
    counts = dict.fromkeys(
        ("received", "stored", "orders", "duplicates", "malformed", "acked", "pulls", "busy"), 0
    )
    account = ChannelAccount.objects.select_related("sales_channel").get(pk=account_id)
    counts["configured"] = int(account_notifications_configured(account=account))
    if not counts["configured"]:
        return counts
    cursor_row, _ = SyncCursor.objects.get_or_create(account=account, stream=STREAM)
    lease = timedelta(seconds=wait_seconds) + LEASE_MARGIN
    if not sync_cursor_lease_take(cursor_row=cursor_row, claimer=claimer, lease=lease):
        counts["busy"] = 1
        return counts
    started = time.monotonic()
    try:
        connector = account_connector(account=account)
        while True:
            events = connector.notifications_pull(wait_seconds=wait_seconds)
            counts["pulls"] += 1
            _events_store(account=account, connector=connector, events=events, counts=counts)
            if time.monotonic() - started + wait_seconds > max_seconds:
                break
            sync_cursor_lease_renew(cursor_row=cursor_row, lease=lease)
    finally:
        sync_cursor_lease_release(cursor_row=cursor_row)
    return counts


def _drain(*, account_id: int) -> None:
    """Apply the stored orders now, in this worker (the consumer's slot is already taken, and a
    drain task could wait behind a queue of pushes); whatever is left goes to a drain task."""
    from channels_app.intake.batch import (
        account_inbound_events_drain,
        account_inbound_events_drain_request,
    )

    try:
        left = account_inbound_events_drain(account_id=account_id)["left"]
    except Exception:  # the events stay pending: a drain task (and the sweeper) take them
        logger.warning("account %s: inline drain failed", account_id, exc_info=True)
        left = 1
    if left:
        account_inbound_events_drain_request(account_id=account_id)


def _events_store(
    *, account: ChannelAccount, connector, events: list[PulledEvent], counts: dict[str, int]
) -> None:
    """Store one pull's events in one transaction; after its commit, ack them and drain."""
    if not events:
        return
    counts["received"] += len(events)
    pending = False
    with transaction.atomic():
        for event in events:
            stored, created = inbound_event_record(
                account=account,
                event_id=event.event_id,
                source="queue",
                topic=event.topic,
                payload=event.payload,
                order=event.order,
            )
            if event.error:
                counts["malformed"] += 1
                logger.warning("account %s: queued event %s: %s", account.pk, event.event_id, event.error)
            if not created:
                counts["duplicates"] += 1
                continue
            counts["stored"] += 1
            if event.error:
                InboundEvent.objects.filter(pk=stored.pk).update(
                    status=InboundEventStatus.IGNORED, error=event.error[:2000]
                )
            elif stored.status == InboundEventStatus.PENDING:
                counts["orders"] += 1
                pending = True
        acks = [event.ack for event in events if event.ack]

        def after_commit() -> None:
            try:
                connector.notifications_ack(acks=acks)
                counts["acked"] += len(acks)
            except Exception:  # stored: the redelivered messages are recognised and acked then
                logger.warning("account %s: %s not acknowledged", account.pk, len(acks), exc_info=True)
            if pending:
                _drain(account_id=account.pk)

        transaction.on_commit(after_commit)
