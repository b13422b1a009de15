"""The push outbox: marking listings dirty, requesting coalesced pushes, and the sweeper.

Durability choice. The core's availability hook fires *after* the ledger's transaction commits,
so a listener alone could lose a change if the process died between the commit and the mark. We
close that gap twice over:

1. Changes the engine itself makes (order intake, cancellations, channel fulfilments) mark the
   affected listings dirty with :func:`listings_mark_dirty` inside the same transaction as the
   stock change.
2. For every other change (receipts, counts, staff edits), the hook listener marks the listings
   dirty with one cheap UPDATE right after the commit, and :func:`outbox_sweep` (a beat job,
   every minute) recomputes each linked listing's published quantity and re-marks any whose
   last pushed figure differs - so a crash between commit and mark delays a push by at most one
   sweep and loses nothing.

Marking increments ``dirty_version``; a push clears ``needs_push`` only if the version it claimed
is still current, so a change that lands during a push is never lost. Marking also clears
``next_attempt_at``: a new change (a decrease especially) on a listing that was backing off or
waiting for an asynchronous submission goes out at once (the connector decides what to do
about a submission still in flight).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.db.models.functions import Now
from django.utils import timezone

from channels_app import task_names
from channels_app.models import ChannelAccount, InboundEvent, InboundEventStatus, Listing
from channels_app.push.locks import listings_lock, listings_lock_markable
from channels_app.selectors.quantities import listings_published_quantities
from config.integrations.tasks import task_enqueue
from inventory_app.selectors.kits import sku_kits_containing

logger = logging.getLogger(__name__)

REENQUEUE_AFTER = timedelta(seconds=120)


# SKUs whose listings the current intake transaction marked itself (see outbox_marks_scope).
_marked_here: ContextVar[set[int] | None] = ContextVar("channels_marked_here", default=None)


@contextmanager
def outbox_marks_scope() -> Iterator[None]:
    """Around a transaction that marks listings itself (order intake): the availability hook that
    fires when that transaction commits skips the SKUs already marked in it, instead of marking
    them and requesting their push a second time."""
    token = _marked_here.set(set())
    try:
        yield
    finally:
        _marked_here.reset(token)


def _ids_condition(ids: list[int]) -> tuple[str, list]:
    """SQL ``IN`` condition for a list of ids: one array parameter on PostgreSQL (any length),
    one placeholder per id elsewhere (the embedded SQLite; its lists stay small)."""
    if connection.vendor == "postgresql":
        return "= ANY(%s)", [ids]
    return f"IN ({', '.join(['%s'] * len(ids))})", list(ids)


def listings_mark_dirty(*, sku_ids: Iterable[int], include_kits: bool = False) -> set[int]:
    """Mark every pushable listing of ``sku_ids`` dirty; return the ids of the accounts concerned.

    Runs in the caller's transaction: one UPDATE ... RETURNING. With ``include_kits`` the kits
    containing the SKUs are marked too (the hook already includes them).
    """
    ids = set(sku_ids)
    if include_kits and ids:
        ids |= set(sku_kits_containing(sku_ids=ids))
    if not ids:
        return set()
    listing, account = Listing._meta.db_table, ChannelAccount._meta.db_table
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The rows first, in primary-key order (channels_app.push.locks), then the UPDATE.
            condition, params = "l.id = ANY(%s)", [listings_lock_markable(sku_ids=ids)]
        else:
            in_ids, params = _ids_condition(sorted(ids))
            condition = f"l.sku_id {in_ids}"
        cursor.execute(
            f"UPDATE {listing} AS l SET needs_push = TRUE, "  # noqa: S608
            "dirty_since = COALESCE(l.dirty_since, %s), "
            "dirty_version = l.dirty_version + 1, next_attempt_at = NULL, "
            f"updated_at = %s FROM {account} AS a "
            f"WHERE a.id = l.account_id AND a.enabled AND l.push_enabled AND {condition} "
            "RETURNING account_id",
            [now, now, *params],
        )
        account_ids = {row[0] for row in cursor.fetchall()}
    marked = _marked_here.get()
    if marked is not None:
        marked |= ids
    return account_ids


def account_push_request(*, account_ids: Iterable[int]) -> None:
    """Enqueue one push task per account, after commit, unless one is already queued (coalescing).

    One UPDATE ... RETURNING flips ``push_enqueued_at`` on the accounts that had no queued task
    (or whose task is overdue); only those get a task. The task clears the flag when it starts,
    so changes that arrive while a push runs get a fresh task. ``CHANNELS_PUSH_DEBOUNCE_SECONDS``
    delays the task a little so that a burst of changes goes out in one batch.
    """
    ids = sorted(set(account_ids))
    if not ids:
        return
    now = timezone.now()
    in_ids, id_params = _ids_condition(ids)
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {ChannelAccount._meta.db_table} SET push_enqueued_at = %s "  # noqa: S608
            f"WHERE id {in_ids} AND enabled AND (push_enqueued_at IS NULL OR push_enqueued_at < %s) "
            "RETURNING id",
            [adapt(now), *id_params, adapt(now - REENQUEUE_AFTER)],
        )
        flipped = sorted(row[0] for row in cursor.fetchall())
    debounce = float(settings.CHANNELS_PUSH_DEBOUNCE_SECONDS)
    for account_id in flipped:
        task_enqueue(name=task_names.ACCOUNT_PUSH, args=(account_id,), countdown=debounce or None)


def availability_changed_listener(sku_ids: frozenset[int]) -> None:
    """The core's availability hook: mark the listings dirty and request pushes (after commit)."""
    marked = _marked_here.get()
    if marked is not None:
        sku_ids = frozenset(sku_ids - marked)
        if not sku_ids:
            return
    with transaction.atomic():
        account_ids = listings_mark_dirty(sku_ids=sku_ids)
        account_push_request(account_ids=account_ids)


def outbox_sweep(*, account_ids: Iterable[int] | None = None) -> dict[str, int]:
    """Re-mark listings whose published quantity differs from the last push; re-request pushes.

    Returns counts: ``remarked`` listings, ``requested`` accounts. Safe to run at any time.
    """
    accounts = ChannelAccount.objects.filter(enabled=True)
    if account_ids is not None:
        accounts = accounts.filter(pk__in=list(account_ids))
    remarked = 0
    requested: set[int] = set()
    for account in accounts:
        clean = list(
            Listing.objects.filter(account=account, sku__isnull=False, push_enabled=True, needs_push=False)
        )
        for start in range(0, len(clean), 2000):
            chunk = clean[start : start + 2000]
            wanted = listings_published_quantities(account=account, listings=chunk)
            drifted = [item.pk for item in chunk if wanted.get(item.pk) != item.last_pushed_qty]
            if drifted:
                with transaction.atomic(savepoint=False):
                    listings_lock(ids=drifted)
                    remarked += Listing.objects.filter(pk__in=drifted, needs_push=False).update(
                        updated_at=timezone.now(),
                        needs_push=True,
                        dirty_since=Now(),
                        dirty_version=F("dirty_version") + 1,
                        next_attempt_at=None,
                    )
        if Listing.objects.filter(account=account, needs_push=True).exists():
            requested.add(account.pk)
    with transaction.atomic():
        account_push_request(account_ids=requested)
    return {"remarked": remarked, "requested": len(requested), "events": inbound_events_requeue()}


def inbound_events_requeue(*, older_than: timedelta = REENQUEUE_AFTER) -> int:
    """Enqueue processing again for events still pending well after they arrived.

    Covers a broker that lost the task or was unreachable when the webhook was stored: the
    event is durable, so it is processed late rather than never. Returns how many.
    """
    stale = list(
        InboundEvent.objects.filter(
            status=InboundEventStatus.PENDING, received_at__lt=timezone.now() - older_than
        ).values_list("pk", flat=True)[:5000]
    )
    for event_id in stale:
        task_enqueue(name=task_names.INBOUND_EVENT_PROCESS, args=(event_id,))
    return len(stale)
