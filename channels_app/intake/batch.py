"""Batched order intake: a worker drains many pending inbound events of one account at once.

The webhook view only verifies, stores the raw event (``INSERT ... ON CONFLICT DO NOTHING``) and
enqueues a drain of the account after commit. :func:`account_inbound_events_drain` then takes up
to ``batch`` pending events of the account with ``FOR UPDATE SKIP LOCKED`` (so drains running
at once share the work), applies each one in its own savepoint through the same idempotent
intake as single events, marks the listings of every SKU touched once, marks the events
processed, and commits; one push request and one intake stamp follow the commit.

Nothing is lost: an event is marked processed in the transaction that applied it, so a worker
dying mid-batch leaves its events pending (the sweeper enqueues them again); an event whose
application fails is marked failed and handed to the single-event task, which retries it with
backoff.

Deadlocks: before applying anything the batch locks, in primary-key order, every stock level
and every listing its orders can touch; the ledger and the outbox then lock only rows already
held, so two batches (or a batch and a single intake) never wait on each other in a cycle.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Sequence

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from channels_app import task_names
from channels_app.connectors.dto import OrderDTO
from channels_app.intake.orders import (
    OLDER_SNAPSHOT,
    IntakeBatch,
    intake_after_commit,
    order_dto_load,
    order_intake_snapshot_apply,
    orders_intake_create_many,
)
from channels_app.models import ChannelAccount, InboundEvent, InboundEventStatus, Listing
from channels_app.push.outbox import listings_mark_dirty, outbox_marks_scope
from channels_app.selectors.quantities import account_location_ids
from config.integrations.tasks import task_enqueue
from inventory_app.models import SKU, Location, Order, StockLevel
from inventory_app.selectors.kits import kit_components_flatten, sku_kits_containing

logger = logging.getLogger(__name__)

DRAIN_BATCH = 100
DRAIN_SECONDS = 5.0
# A drain requested for an account is not requested again until it starts (or this many seconds).
DRAIN_FLAG_SECONDS = 30


@functools.cache
def _redis(url: str):
    import redis

    return redis.Redis.from_url(url, socket_timeout=1.0, socket_connect_timeout=1.0)


def _drain_flag_key(account_id: int) -> str:
    database = settings.DATABASES["default"].get("NAME", "")
    return f"channels:intake-drain:{database}:{account_id}"


def account_inbound_events_drain_request(*, account_id: int) -> None:
    """Enqueue a drain of the account's pending events, coalesced: with Redis configured, one
    queued drain serves every delivery stored before it starts (the drain clears the flag before
    it reads the pending events, so a later delivery enqueues a new one). Call after commit."""
    url = settings.CHANNELS_REDIS_URL
    if url:
        try:
            if not _redis(url).set(_drain_flag_key(account_id), 1, nx=True, ex=DRAIN_FLAG_SECONDS):
                return
        except Exception:  # Redis unreachable: enqueue anyway (the drain is idempotent)
            logger.warning("intake drain flag unavailable; enqueuing a drain for account %s", account_id)
    task_enqueue(name=task_names.INBOUND_EVENTS_DRAIN, args=(account_id,))


def drain_flag_clear(*, account_id: int) -> None:
    """Forget that a drain of the account is queued, so the next request queues one."""
    url = settings.CHANNELS_REDIS_URL
    if url:
        try:
            _redis(url).delete(_drain_flag_key(account_id))
        except Exception:
            logger.warning("intake drain flag not cleared for account %s", account_id)


def account_inbound_events_drain(
    *, account_id: int, batch: int = DRAIN_BATCH, max_seconds: float = DRAIN_SECONDS
) -> dict[str, int]:
    """Apply the account's pending inbound events, ``batch`` per transaction, for up to
    ``max_seconds``; return counts ``processed``, ``ignored``, ``failed`` and ``left`` (1 when
    pending events may remain for another drain)."""
    drain_flag_clear(account_id=account_id)
    account = ChannelAccount.objects.select_related("sales_channel").filter(pk=account_id).first()
    totals = {"processed": 0, "ignored": 0, "failed": 0, "left": 0}
    if account is None:
        return totals
    started = time.monotonic()
    while True:
        counts = _drain_once(account=account, batch=batch)
        for key in ("processed", "ignored", "failed"):
            totals[key] += counts[key]
        if counts["taken"] < batch:
            return totals
        if time.monotonic() - started >= max_seconds:
            totals["left"] = 1
            return totals


def _drain_once(*, account: ChannelAccount, batch: int) -> dict[str, int]:
    counts = {"taken": 0, "processed": 0, "ignored": 0, "failed": 0}
    with outbox_marks_scope(), transaction.atomic():
        events = list(
            InboundEvent.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(account_id=account.pk, status=InboundEventStatus.PENDING)
            .order_by("pk")
            .only("id", "order", "attempts")[:batch]
        )
        counts["taken"] = len(events)
        if not events:
            return counts
        snapshots = {e.pk: order_dto_load(data=e.order) for e in events if e.order is not None}
        batch_reads = intake_rows_lock(account=account, orders=list(snapshots.values()))
        done: dict[str, list[int]] = {InboundEventStatus.PROCESSED: [], InboundEventStatus.IGNORED: []}
        done[InboundEventStatus.PROCESSED] = _new_orders_create(
            account=account, events=events, snapshots=snapshots, batch=batch_reads
        )
        older: list[int] = []
        failed: list[tuple[InboundEvent, Exception]] = []
        for event in events:
            if event.pk in done[InboundEventStatus.PROCESSED]:
                continue
            snapshot = snapshots.get(event.pk)
            if snapshot is None:
                done[InboundEventStatus.IGNORED].append(event.pk)
                continue
            try:
                with transaction.atomic():
                    _order, applied = order_intake_snapshot_apply(
                        account=account, order=snapshot, batch=batch_reads
                    )
            except Exception as exc:
                logger.exception("inbound event %s failed in a batch", event.pk)
                failed.append((event, exc))
                continue
            (done[InboundEventStatus.PROCESSED] if applied else older).append(event.pk)
        now = timezone.now()
        for status, ids in done.items():
            if ids:
                InboundEvent.objects.filter(pk__in=ids).update(
                    status=status, processed_at=now, error="", attempts=F("attempts") + 1
                )
        if older:
            InboundEvent.objects.filter(pk__in=older).update(
                status=InboundEventStatus.IGNORED,
                processed_at=now,
                error=OLDER_SNAPSHOT,
                attempts=F("attempts") + 1,
            )
        for event, exc in failed:
            InboundEvent.objects.filter(pk=event.pk).update(
                status=InboundEventStatus.FAILED,
                attempts=event.attempts + 1,
                error=f"{type(exc).__name__}: {exc}"[:2000],
            )
            task_enqueue(name=task_names.INBOUND_EVENT_PROCESS, args=(event.pk,))
        applied_any = bool(done[InboundEventStatus.PROCESSED])
        push_account_ids = set()
        if applied_any and batch_reads.sku_ids:
            push_account_ids = listings_mark_dirty(sku_ids=batch_reads.sku_ids, include_kits=True)
        if applied_any:
            transaction.on_commit(
                lambda: intake_after_commit(account_id=account.pk, push_account_ids=push_account_ids)
            )
    counts["processed"] = len(done[InboundEventStatus.PROCESSED])
    counts["ignored"] = len(done[InboundEventStatus.IGNORED]) + len(older)
    counts["failed"] = len(failed)
    return counts


def _is_plain_new(*, snapshot: OrderDTO) -> bool:
    """A snapshot that only creates an order: still open, nothing cancelled or fulfilled yet."""
    return (
        snapshot.status not in ("cancelled", "fulfilled")
        and bool(snapshot.lines)
        and all(
            line.quantity > 0 and not line.quantity_cancelled and not line.quantity_fulfilled
            for line in snapshot.lines
        )
    )


def _new_orders_create(
    *,
    account: ChannelAccount,
    events: Sequence[InboundEvent],
    snapshots: dict[int, OrderDTO],
    batch: IntakeBatch,
) -> list[int]:
    """Create, all at once, the orders whose first event in the batch is a plain new order;
    return those events' ids (applied). Later events of the same orders, and every other event,
    go through the one-by-one intake after this. If the batch creation fails (an order created
    meanwhile by another path, say), nothing of it stays and every event goes one by one."""
    chosen: dict[str, int] = {}
    for event in events:
        snapshot = snapshots.get(event.pk)
        if snapshot is None or snapshot.external_id not in batch.absent_refs:
            continue
        if snapshot.external_id not in chosen and _is_plain_new(snapshot=snapshot):
            chosen[snapshot.external_id] = event.pk
        elif snapshot.external_id not in chosen:
            chosen[snapshot.external_id] = 0  # its first event is not plain: one by one
    event_ids = [pk for pk in chosen.values() if pk]
    if len(event_ids) < 2:
        return []
    try:
        with transaction.atomic():
            orders_intake_create_many(
                account=account, orders=[snapshots[pk] for pk in event_ids], batch=batch
            )
    except Exception:
        logger.warning(
            "batch creation of %s orders failed; taking them one by one", len(event_ids), exc_info=True
        )
        return []
    return event_ids


def intake_rows_lock(*, account: ChannelAccount, orders: Sequence[OrderDTO]) -> IntakeBatch:
    """Read what the batch needs once, and lock, in primary-key order, the stock levels and the
    listings its orders can touch. Every intake takes these locks before it creates an order
    (the single-event path too, :func:`channels_app.intake.orders.inbound_event_process`): an
    intake that inserted an order and then waited for a level could otherwise deadlock with one
    that holds the level and inserts the same order (a poll and a webhook of one sale)."""
    listing_ids = {line.listing_external_id for o in orders for line in o.lines if line.listing_external_id}
    codes = {line.sku_code for o in orders for line in o.lines if line.sku_code}
    refs = {o.external_id for o in orders}
    found = set(
        Order.objects.filter(channel=account.sales_channel, external_ref__in=refs).values_list(
            "external_ref", flat=True
        )
    )
    listing_codes: dict[str, str] = {}
    sku_ids: set[int] = set()
    for external_id, sku_id, code in Listing.objects.filter(
        account=account, external_id__in=listing_ids, sku__isnull=False
    ).values_list("external_id", "sku_id", "sku__code"):
        listing_codes[external_id] = code
        sku_ids.add(sku_id)
    sku_ids |= set(SKU.objects.filter(code__in=codes).values_list("pk", flat=True))
    batch = IntakeBatch(
        location_ids=account_location_ids(account=account),
        listing_codes=listing_codes,
        absent_refs=refs - found,
        sku_ids=sku_ids,
    )
    if not sku_ids and not listing_ids:
        return batch
    kits = list(SKU.objects.filter(pk__in=sku_ids, is_kit=True).values_list("pk", flat=True))
    stock_ids = set(sku_ids)
    for recipe in (kit_components_flatten(kit_ids=kits) if kits else {}).values():
        stock_ids |= set(recipe)
    locations = batch.location_ids
    if locations is None:
        locations = list(
            Location.objects.filter(is_active=True, is_sellable=True).values_list("pk", flat=True)
        )
    list(
        StockLevel.objects.select_for_update()
        .filter(sku_id__in=sorted(stock_ids), location_id__in=locations)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    marked = (stock_ids | set(sku_kits_containing(sku_ids=stock_ids)) if stock_ids else set()) | sku_ids
    list(
        Listing.objects.select_for_update(of=("self",))
        .filter(Q(sku_id__in=sorted(marked)) | Q(account=account, external_id__in=listing_ids))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return batch
