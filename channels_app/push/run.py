"""Quantity push: claim dirty listings of one account, compute, guard, push in batches, record.

One call of :func:`account_push_dirty` works through the account's claimable dirty listings in
batches of the connector's maximum, each HTTP call taking a token from the account's shared
rate limiter first. A connector that sends only part of a batch (Amazon: a few patches per
call, the most urgent first) answers the rest "deferred": they are claimable again at once, so
the run's next batch sorts them anew with the changes made meanwhile - a sale arriving while a
backlog waits for the channel's quota is not queued behind it unless the backlog is more
urgent. A claim is a lease (``claimed_until``): a worker that dies mid-push leaves its listings
dirty, and once the lease runs out the next worker pushes them.

The resurrection guard. A channel that has just sold its last unit shows 0 before its order
reaches us; pushing an increase computed without that order would show stock that is gone.

* With compare-and-set the push carries the figure we believe the channel holds; a ``stale``
  answer with the figure we want anyway is success; a stale answer below what we want is held
  until the channel's orders are taken in (``catchup_required_after``); a decrease is retried
  at once against the channel's figure.
* With deltas the channel applies our change to its own figure, so its sales are never undone.
* With neither, an increase (over what we believe the channel shows) waits until an order poll
  that started after the listing became dirty has finished (``orders_synced_at``); the push
  requests that poll. Decreases always go out at once.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from channels_app.connectors.base import Connector, RanksByDemand
from channels_app.connectors.dto import ListingRef, QuantityUpdate
from channels_app.connectors.errors import ConnectorError, RetryableError
from channels_app.models import ChannelAccount, Listing, SyncCursor
from channels_app.push.marks import (
    Pushed,
    listing_mark_failed,
    listings_defer,
    listings_hold,
    listings_mark_current,
    listings_mark_pushed,
)
from channels_app.push.outbox import account_push_request
from channels_app.push.results import PushSummary, push_results_apply
from channels_app.selectors.quantities import listings_published_quantities, listings_push_risks
from channels_app.services.account_errors import account_error_record
from channels_app.services.accounts import account_connector
from channels_app.services.leases import (
    sync_cursor_lease_release,
    sync_cursor_lease_renew,
    sync_cursor_lease_take,
    sync_cursor_leases_release,
)
from channels_app.services.ratelimit import RateLimitTimeout, rate_limit_acquire
from config.freshdb import on_usable_connection
from inventory_app.selectors.demand import skus_units_ordered

logger = logging.getLogger(__name__)

DEMAND_WINDOW = timedelta(hours=1)  # the orders that make a listing's demand_per_hour
PUSH_STREAM = "push"  # the SyncCursor row whose lease makes pushes of an account single-flight
UNEXPECTED_ERROR_PAUSE_SECONDS = 1.0  # a batch that raised something else than a channel's error


def listing_ref(*, listing: Listing) -> ListingRef:
    """The connector-facing ids of a listing."""
    return ListingRef(
        external_id=listing.external_id,
        external_product_id=listing.external_product_id,
        external_variant_id=listing.external_variant_id,
        external_inventory_item_id=listing.external_inventory_item_id,
        external_offer_id=listing.external_offer_id,
        external_sku=listing.external_sku,
        extra=dict(listing.extra),
        push_submission=listing.push_submission,
    )


def listing_believed_quantity(*, listing: Listing, delta: bool = False) -> int | None:
    """What we believe the channel shows.

    For compare-and-set and plain sets: the later of our last push and our last reading (the
    channel's own answer wins when both are from the same push). For deltas: our own running
    figure (the last push, shifted by the channel's orders as they arrive), never a reading,
    so that a sale the channel already applied is not applied again.
    """
    if delta:
        return listing.last_pushed_qty if listing.last_pushed_qty is not None else listing.last_seen_qty
    if listing.last_seen_at and (
        listing.last_pushed_at is None or listing.last_seen_at >= listing.last_pushed_at
    ):
        return listing.last_seen_qty
    return listing.last_pushed_qty


def account_rate_limit(*, account: ChannelAccount, connector: Connector, timeout: float) -> None:
    """Take one token of the account's shared bucket before any call to its channel."""
    rate_limit_acquire(
        key=f"channel-account:{account.pk}",
        per_second=connector.rate_limit.per_second,
        burst=connector.rate_limit.burst,
        timeout=timeout,
    )


def _claim(*, account: ChannelAccount, limit: int, claimer: str = "") -> list[Listing]:
    now = timezone.now()
    lease = timedelta(seconds=float(settings.CHANNELS_PUSH_LEASE_SECONDS))
    with transaction.atomic():
        rows = list(
            _claimable(account=account)
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("sku")
            .order_by("dirty_since", "pk")[:limit]
        )
        if rows:
            Listing.objects.filter(pk__in=[r.pk for r in rows]).update(
                claimed_until=now + lease, claimed_by=claimer[:255]
            )
    return rows


def _guard(*, account: ChannelAccount, connector: Connector, listing: Listing, wanted: int) -> bool:
    """True if the push of ``wanted`` must wait for the channel's orders to be taken in."""
    synced = account.orders_synced_at
    if listing.catchup_required_after is not None and (
        synced is None or synced < listing.catchup_required_after
    ):
        return True
    if connector.quantity_mode != "set":
        return False
    if not settings.CHANNELS_HOLD_INCREASES:
        return False
    believed = listing_believed_quantity(listing=listing, delta=connector.quantity_mode == "delta")
    if believed is None or wanted <= believed:
        return False
    return synced is None or listing.dirty_since is None or synced < listing.dirty_since


def _already_shown(*, listing: Listing, wanted: int, connector: Connector) -> bool:
    """True if the channel already shows ``wanted`` as far as we know: our last push or reading
    (shifted by the channel's own orders) says so, and no push of it failed or waits for an
    answer, and no order of the channel's own moved that figure since (``belief_shifted``: a sale
    racing our last absolute set may already be in what the channel shows, so the figure is sent
    again). A component sale marks every kit containing it dirty: those whose figure did not
    change need no call. Drift is the reconciliation's business."""
    if listing.push_submission or listing.push_failures or listing.belief_shifted:
        return False
    believed = listing_believed_quantity(listing=listing, delta=connector.quantity_mode == "delta")
    return believed is not None and believed == wanted


def _push_batch(
    *, account: ChannelAccount, connector: Connector, listings: list[Listing], summary: PushSummary
) -> bool:
    """Push one claimed batch; return False when the run should stop (channel unavailable)."""
    wanted = listings_published_quantities(account=account, listings=listings)
    held = [
        item
        for item in listings
        if _guard(account=account, connector=connector, listing=item, wanted=wanted[item.pk])
    ]
    if held:
        listings_hold(listings=held, catchup=False)
        summary.held += len(held)
        summary.sync_orders = True
        summary.wait(1.0)
    held_ids = {item.pk for item in held}
    todo = [item for item in listings if item.pk not in held_ids]
    shown = [
        item for item in todo if _already_shown(listing=item, wanted=wanted[item.pk], connector=connector)
    ]
    if shown:
        listings_mark_current(listings=shown)
        summary.unchanged += len(shown)
        shown_ids = {item.pk for item in shown}
        todo = [item for item in todo if item.pk not in shown_ids]
    if not todo:
        return True
    if account.dry_run:
        for item in todo:
            logger.info(
                "dry run: account %s listing %s would get %s", account.pk, item.external_id, wanted[item.pk]
            )
        listings_mark_pushed(pushed=[Pushed(listing=i, quantity=wanted[i.pk]) for i in todo], dry_run=True)
        summary.dry_run += len(todo)
        return True
    by_external = {item.external_id: item for item in todo}
    ranked = isinstance(connector, RanksByDemand)
    demand = (
        skus_units_ordered(sku_ids={item.sku_id for item in todo}, since=timezone.now() - DEMAND_WINDOW)
        if ranked
        else {}
    )
    delta = connector.quantity_mode == "delta"
    risks = (
        listings_push_risks(
            account=account,
            listings=todo,
            shown={item.pk: listing_believed_quantity(listing=item, delta=delta) for item in todo},
        )
        if ranked
        else {}
    )
    updates = [
        QuantityUpdate(
            listing=listing_ref(listing=item),
            quantity=wanted[item.pk],
            expected=listing_believed_quantity(listing=item, delta=connector.quantity_mode == "delta"),
            idempotency_key=f"{account.pk}-{item.pk}-{item.dirty_version}-{wanted[item.pk]}",
            demand_per_hour=demand.get(item.sku_id, 0) * 3600.0 / DEMAND_WINDOW.total_seconds(),
            oversell_risk=risks.get(item.pk, 0.0),
        )
        for item in todo
    ]
    try:
        account_rate_limit(
            account=account, connector=connector, timeout=float(settings.CHANNELS_PUSH_LEASE_SECONDS) / 2
        )
        summary.batches += 1
        results = connector.quantities_push(updates=updates)
    except (RetryableError, RateLimitTimeout) as exc:
        retry_after = getattr(exc, "retry_after", None)
        throttled = isinstance(exc, RateLimitTimeout) or getattr(exc, "status", None) == 429
        for item in todo:
            summary.wait(
                listing_mark_failed(
                    listing=item,
                    error=str(exc),
                    retry_after=retry_after,
                    quantity=wanted[item.pk],
                    throttled=throttled,
                )
            )
        summary.failed += len(todo)
        return False
    except ConnectorError as exc:
        account_error_record(account_id=account.pk, error=exc)
        for item in todo:
            summary.wait(
                listing_mark_failed(listing=item, error=str(exc), retry_after=None, quantity=wanted[item.pk])
            )
        summary.failed += len(todo)
        return False
    with transaction.atomic():
        push_results_apply(results=results, by_external=by_external, wanted=wanted, summary=summary)
    return True


def account_push_dirty(
    *, account_id: int, time_budget: float = 30.0, follow_up: bool = True, claimer: str = ""
) -> PushSummary:
    """Push every claimable dirty listing of one account; return what happened.

    Clears the account's "push queued" flag first, so changes arriving during the run request a
    new run; with ``follow_up``, listings left claimable at the end (changed again while claimed
    here) request one too. Callers that loop themselves pass ``follow_up=False``. Stops at the
    time budget, when the channel is unavailable (the failed listings stay dirty with a
    backoff), or when nothing is left. Listings are never dropped: failures keep
    them dirty with ``last_error`` and ``push_failures`` for staff to see. ``claimer``: the
    Celery worker's node name, so that the worker, restarted after dying mid-push, releases its
    claims at once (:func:`worker_claims_release`) instead of waiting for the lease to run out.
    One run per account at a time (a lease on its ``push`` cursor): a channel's rate limit
    makes a second concurrent run wait, holding a worker that other channels need; a run that
    finds the lease taken returns at once with ``busy``.
    """
    summary = PushSummary()
    ChannelAccount.objects.filter(pk=account_id).update(push_enqueued_at=None)
    account = ChannelAccount.objects.filter(pk=account_id, enabled=True).first()
    if account is None:
        return summary
    cursor_row, _ = SyncCursor.objects.get_or_create(account=account, stream=PUSH_STREAM)
    lease = timedelta(seconds=float(settings.CHANNELS_PUSH_LEASE_SECONDS))
    if not sync_cursor_lease_take(cursor_row=cursor_row, claimer=claimer, lease=lease):
        # Another run pushes this account now: it re-checks for dirty listings after it lets go
        # (below), so whatever made this run is pushed by it or by the run it requests.
        summary.busy = True
        return summary
    try:
        connector = account_connector(account=account)
        started = time.monotonic()
        while time.monotonic() - started < time_budget:
            limit = max(int(connector.batch_max), 1)
            listings = _claim(account=account, limit=limit, claimer=claimer)
            if not listings:
                break
            deferred_before = summary.deferred
            try:
                carried_on = _push_batch(
                    account=account, connector=connector, listings=listings, summary=summary
                )
            except BaseException:
                # Not the channel's answer (a lost database connection, a bug, the worker
                # cancelling the task): the batch is claimable again after a short pause instead
                # of after the lease, and the failure goes on.
                _release_after_error(listings=listings)
                raise
            if not carried_on:
                break
            if summary.stalled:
                break
            if len(listings) < limit and not summary.held and summary.deferred == deferred_before:
                break  # a short batch took everything claimable; new changes request a new run
            sync_cursor_lease_renew(cursor_row=cursor_row, lease=lease)
    finally:
        on_usable_connection(
            lambda: sync_cursor_lease_release(cursor_row=cursor_row),
            what=f"push lease of account {account_id}",
        )
    if summary.pushed or summary.dry_run:
        ChannelAccount.objects.filter(pk=account_id).update(last_push_at=timezone.now())
    # A listing changed again while this run held its claim (or was locked by a committing
    # intake when we looked) stays dirty and claimable: make sure a run comes for it.
    if follow_up and _claimable(account=account).exists():
        account_push_request(account_ids=[account.pk])
    return summary


def _release_after_error(*, listings: list[Listing]) -> None:
    on_usable_connection(
        lambda: listings_defer(listings=listings, seconds=UNEXPECTED_ERROR_PAUSE_SECONDS),
        what=f"claims of {len(listings)} listings",
    )


def listings_claimable() -> QuerySet[Listing]:
    """Dirty, pushable, linked listings whose backoff has run out and that no run holds now."""
    now = timezone.now()
    return (
        Listing.objects.filter(needs_push=True, push_enabled=True, sku__isnull=False)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
    )


def _claimable(*, account: ChannelAccount) -> QuerySet[Listing]:
    return listings_claimable().filter(account=account)


def worker_claims_release(*, claimer: str) -> dict[str, int]:
    """Release the push claims and poll leases still held by ``claimer`` (a worker node name).

    Called when a worker starts: whatever its previous run claimed and did not finish (it died
    mid-push or mid-poll) is claimable again at once, and the accounts of the released listings
    get a push. Returns counts ``listings``, ``polls``.
    """

    if not claimer:
        return {"listings": 0, "polls": 0}
    now = timezone.now()
    held = Listing.objects.filter(claimed_by=claimer, claimed_until__gt=now)
    with transaction.atomic():
        account_ids = set(held.values_list("account_id", flat=True))
        # A push run it died in: that account's changes were left for the run to re-check.
        runs = SyncCursor.objects.filter(stream=PUSH_STREAM, leased_by=claimer, leased_until__gt=now)
        account_ids |= set(runs.values_list("account_id", flat=True))
        listings = held.update(claimed_until=None)
        account_push_request(account_ids=account_ids)  # they are still dirty: push them now
    polls = sync_cursor_leases_release(claimer=claimer)
    return {"listings": listings, "polls": polls}
