"""What a push run writes on its listings: pushed (in one statement per batch), failed with a
backoff, pending on an asynchronous submission, or held for the channel's orders.

Every mark releases the run's claim (``claimed_until``). "Pushed" clears ``needs_push`` only if
the listing's ``dirty_version`` is still the one the run claimed: a change that landed during
the push keeps the listing dirty for the next run.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from channels_app.models import ChannelAccount, Listing, PushRecord
from channels_app.push.locks import listings_lock

CONFIRM_LAG_WEIGHT = 0.3


@dataclass(frozen=True)
class Pushed:
    """One listing the channel accepted: the figure pushed and the figure it reported back."""

    listing: Listing
    quantity: int
    observed: int | None = None


def backoff_seconds(*, failures: int, retry_after: float | None = None) -> float:
    """Exponential backoff (base * 2^(failures-1), capped), never shorter than Retry-After."""
    base = float(settings.CHANNELS_PUSH_BACKOFF_BASE)
    delay = min(base * (2 ** max(failures - 1, 0)), float(settings.CHANNELS_PUSH_BACKOFF_MAX))
    return max(delay, retry_after or 0.0)


# _settled() in SQL, for bulk updates joined to ``v`` (id, version) as listing ``l``.
_SETTLED_SQL = (
    "claimed_until = NULL, next_attempt_at = NULL, needs_push = (l.dirty_version <> v.version), "
    "updated_at = clock_timestamp(), "
    "dirty_since = CASE WHEN l.dirty_version = v.version THEN NULL ELSE l.dirty_since END"
)


def _settled(*, version: int) -> dict:
    """Fields of a settled listing: claim and backoff released, clean unless changed since."""
    current = Q(dirty_version=version)
    return {
        "updated_at": timezone.now(),
        "claimed_until": None,
        "next_attempt_at": None,
        "needs_push": Case(When(current, then=Value(False)), default=Value(True)),
        "dirty_since": Case(When(current, then=Value(None)), default=F("dirty_since")),
    }


def listings_mark_pushed(*, pushed: Sequence[Pushed], dry_run: bool) -> None:
    """Record accepted pushes: last pushed and seen figures, errors and backoff cleared, claim
    released, clean again unless changed meanwhile. One UPDATE for the whole batch on
    PostgreSQL; dry runs also leave a :class:`PushRecord` each (real successes live on the
    listing itself, the log keeps dry runs and failures)."""
    if not pushed:
        return
    if dry_run:  # nothing reached the channel: what we believe it shows stays as it was
        listings_mark_current(listings=[item.listing for item in pushed])
        _dry_run_records(pushed=pushed)
        return
    now = timezone.now()
    if connection.vendor == "postgresql":
        _mark_pushed_bulk(pushed=pushed, now=now)
    else:
        for item in pushed:
            Listing.objects.filter(pk=item.listing.pk).update(
                last_pushed_qty=item.quantity,
                last_pushed_at=now,
                last_seen_qty=item.observed if item.observed is not None else item.quantity,
                last_seen_at=now,
                last_error="",
                push_failures=0,
                push_submission="",
                push_submitted_at=None,
                catchup_required_after=None,
                belief_shifted=False,
                **_settled(version=item.listing.dirty_version),
            )
    # The account row after the listings, as every writer of both takes them (push.locks).
    accounts_confirm_lag_record(pushed=pushed, now=now)


def accounts_confirm_lag_record(*, pushed: Sequence[Pushed], now: datetime) -> None:
    """Move each account's measured confirm lag (``ChannelAccount.confirm_lag_seconds``, the
    adaptive buffer's staleness) toward this batch's mean change-to-confirmation time: an
    exponential moving average with weight :data:`CONFIRM_LAG_WEIGHT` per batch."""
    samples: dict[int, list[float]] = defaultdict(list)
    for item in pushed:
        if item.listing.dirty_since is not None:
            samples[item.listing.account_id].append(
                max((now - item.listing.dirty_since).total_seconds(), 0.0)
            )
    for account_id, values in samples.items():
        mean = sum(values) / len(values)
        ChannelAccount.objects.filter(pk=account_id).update(
            confirm_lag_seconds=F("confirm_lag_seconds") * (1 - CONFIRM_LAG_WEIGHT)
            + mean * CONFIRM_LAG_WEIGHT
        )


def _dry_run_records(*, pushed: Sequence[Pushed]) -> None:
    PushRecord.objects.bulk_create(
        [
            PushRecord(
                account_id=item.listing.account_id,
                listing=item.listing,
                quantity=item.quantity,
                previous_quantity=item.listing.last_pushed_qty,
                dry_run=True,
                outcome="dry_run",
            )
            for item in pushed
        ]
    )


def _mark_pushed_bulk(*, pushed: Sequence[Pushed], now) -> None:
    table = Listing._meta.db_table
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        listings_lock(ids=[item.listing.pk for item in pushed])
        cursor.execute(
            f"UPDATE {table} AS l SET last_pushed_qty = v.qty, last_pushed_at = %s, "  # noqa: S608
            "last_seen_qty = v.seen, last_seen_at = %s, last_error = '', push_failures = 0, "
            "belief_shifted = FALSE, "
            "push_submission = '', push_submitted_at = NULL, catchup_required_after = NULL, "
            f"{_SETTLED_SQL} "
            "FROM (SELECT UNNEST(%s::bigint[]) AS id, UNNEST(%s::bigint[]) AS version, "
            "UNNEST(%s::integer[]) AS qty, UNNEST(%s::integer[]) AS seen) AS v WHERE l.id = v.id",
            [
                now,
                now,
                [item.listing.pk for item in pushed],
                [item.listing.dirty_version for item in pushed],
                [item.quantity for item in pushed],
                [item.observed if item.observed is not None else item.quantity for item in pushed],
            ],
        )


def listing_mark_failed(
    *,
    listing: Listing,
    error: str,
    retry_after: float | None,
    quantity: int | None,
    settled: bool = False,
    throttled: bool = False,
) -> float:
    """Record a failed push with a backoff. ``settled``: the channel gave its final answer on a
    pending submission (a permanent error), so the listing no longer waits for it; a transient
    failure keeps the submission, to be checked again. ``throttled``: the channel (429) or our
    shared limiter said "not now": the listing did nothing wrong, so its failure count does not
    grow and it waits only what the channel asked (Retry-After) or one backoff base."""
    if throttled:
        failures = listing.push_failures
        delay = max(retry_after or 0.0, float(settings.CHANNELS_PUSH_BACKOFF_BASE))
    else:
        failures = listing.push_failures + 1
        delay = backoff_seconds(failures=failures, retry_after=retry_after)
    updates: dict = {}
    if settled:
        updates = {"push_submission": "", "push_submitted_at": None}
    Listing.objects.filter(pk=listing.pk).update(
        updated_at=timezone.now(),
        push_failures=failures,
        last_error=error[:2000],
        next_attempt_at=timezone.now() + timedelta(seconds=delay),
        claimed_until=None,
        **updates,
    )
    PushRecord.objects.create(
        account_id=listing.account_id,
        listing=listing,
        quantity=quantity if quantity is not None else -1,
        previous_quantity=listing.last_pushed_qty,
        outcome="throttled" if throttled else "failed",
        error=error[:2000],
    )
    return delay


def listing_mark_pending(*, listing: Listing, submission_id: str, check_after: float) -> float:
    """The channel is processing the push asynchronously: remember its submission on the listing
    (any worker checks it on the next run) and look again after ``check_after`` seconds. Not a
    failure (no failure count, no log entry, no error shown) and not a backoff; the listing
    stays dirty, and a new change makes it claimable at once."""
    now = timezone.now()
    changed = submission_id != listing.push_submission
    Listing.objects.filter(pk=listing.pk).update(
        updated_at=timezone.now(),
        push_submission=submission_id[:255],
        push_submitted_at=now if changed or listing.push_submitted_at is None else F("push_submitted_at"),
        last_error="",
        claimed_until=None,
        next_attempt_at=now + timedelta(seconds=check_after),
    )
    return check_after


def listings_hold(*, listings: Sequence[Listing], catchup: bool) -> None:
    """Put listings back for a second (``catchup``: until the channel's orders are taken in)."""
    now = timezone.now()
    updates: dict = {"claimed_until": None, "next_attempt_at": now + timedelta(seconds=1)}
    if catchup:
        updates["catchup_required_after"] = now
    with transaction.atomic(savepoint=False):
        listings_lock(ids=[item.pk for item in listings])
        Listing.objects.filter(pk__in=[item.pk for item in listings]).update(**updates)


def listings_defer(*, listings: Sequence[Listing], seconds: float) -> None:
    """Put listings back for ``seconds`` because the channel's quota went to more urgent ones:
    claim released, no failure counted, nothing logged (one UPDATE)."""
    if listings:
        with transaction.atomic(savepoint=False):
            listings_lock(ids=[item.pk for item in listings])
            Listing.objects.filter(pk__in=[item.pk for item in listings]).update(
                claimed_until=None, next_attempt_at=timezone.now() + timedelta(seconds=max(seconds, 0.0))
            )


def listings_mark_current(*, listings: Sequence[Listing]) -> None:
    """Settle listings whose wanted figure is the one the channel already shows: clean again
    unless changed since they were claimed, claim released; nothing sent, nothing logged, and
    the last push and reading stay as they were (one UPDATE on PostgreSQL)."""
    if not listings:
        return
    if connection.vendor != "postgresql":
        for item in listings:
            Listing.objects.filter(pk=item.pk).update(**_settled(version=item.dirty_version))
        return
    table = Listing._meta.db_table
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        listings_lock(ids=[item.pk for item in listings])
        cursor.execute(
            f"UPDATE {table} AS l SET {_SETTLED_SQL} "  # noqa: S608
            "FROM (SELECT UNNEST(%s::bigint[]) AS id, UNNEST(%s::bigint[]) AS version) AS v "
            "WHERE l.id = v.id",
            [[item.pk for item in listings], [item.dirty_version for item in listings]],
        )
