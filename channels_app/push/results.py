"""What a push run makes of a connector's answers: :class:`PushSummary` and the marks each
outcome leaves on its listing (see :mod:`channels_app.push.marks`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import F
from django.utils import timezone

from channels_app.connectors.dto import PushResult
from channels_app.models import Listing
from channels_app.push.locks import listings_lock
from channels_app.push.marks import (
    Pushed,
    listing_mark_failed,
    listing_mark_pending,
    listings_defer,
    listings_mark_pushed,
)

PENDING_CHECK_SECONDS = 60.0


@dataclass
class PushSummary:
    """What one push run did; ``retry_in`` is set when some listings wait for a retry,
    ``stalled`` when a connector sent nothing of a batch (all deferred: it needs time)."""

    pushed: int = 0
    held: int = 0
    failed: int = 0
    pending: int = 0
    deferred: int = 0
    unchanged: int = 0
    dry_run: int = 0
    batches: int = 0
    retry_in: float | None = None
    sync_orders: bool = False
    busy: bool = False
    stalled: bool = False

    def wait(self, seconds: float) -> None:
        """Remember the shortest wait before the next attempt."""
        self.retry_in = seconds if self.retry_in is None else min(self.retry_in, seconds)


def push_results_apply(
    *,
    results: Sequence[PushResult],
    by_external: dict[str, Listing],
    wanted: dict[int, int],
    summary: PushSummary,
) -> None:
    """Record a connector's answers for one batch on its listings (in the caller's transaction):
    pushed, held on a stale compare-and-set, deferred (claimable again at once, or after the
    connector's wait when it sent nothing), pending on a submission, or failed with a backoff; a
    listing the connector did not answer for fails too."""
    # Every listing of the batch first, in primary-key order (channels_app.push.locks).
    listings_lock(ids=[item.pk for item in by_external.values()])
    seen: set[str] = set()
    pushed: list[Pushed] = []
    deferred: list[Listing] = []
    deferred_wait = 0.0
    for result in results:
        item = by_external.get(result.external_id)
        if item is None or result.external_id in seen:
            continue
        seen.add(result.external_id)
        quantity = wanted[item.pk]
        if result.outcome == "ok":
            pushed.append(Pushed(listing=item, quantity=quantity, observed=result.observed))
            summary.pushed += 1
        elif result.outcome == "stale" and result.observed == quantity:
            pushed.append(Pushed(listing=item, quantity=quantity, observed=quantity))
            summary.pushed += 1
        elif result.outcome == "stale":
            now = timezone.now()
            increase = result.observed is None or quantity > result.observed
            Listing.objects.filter(pk=item.pk).update(
                updated_at=now,
                last_seen_qty=result.observed,
                belief_shifted=False,
                last_seen_at=now,
                claimed_until=None,
                next_attempt_at=now + timedelta(seconds=1) if increase else None,
                catchup_required_after=now if increase else F("catchup_required_after"),
            )
            summary.held += 1
            summary.sync_orders = summary.sync_orders or increase
            summary.wait(1.0 if increase else 0.0)
        elif result.outcome == "deferred":
            deferred.append(item)
            deferred_wait = max(deferred_wait, result.retry_after or 0.0)
            summary.deferred += 1
        elif result.outcome == "pending" and result.submission_id:
            check_after = result.retry_after if result.retry_after is not None else PENDING_CHECK_SECONDS
            summary.wait(
                listing_mark_pending(
                    listing=item, submission_id=result.submission_id, check_after=check_after
                )
            )
            summary.pending += 1
        else:
            summary.wait(
                listing_mark_failed(
                    listing=item,
                    error=result.error or f"{result.outcome} (without a submission id)",
                    retry_after=result.retry_after,
                    quantity=quantity,
                    settled=result.outcome == "error",
                    throttled=result.outcome == "retry" and result.throttled,
                )
            )
            summary.failed += 1
    listings_mark_pushed(pushed=pushed, dry_run=False)
    if deferred and len(deferred) == len(by_external):
        # Nothing was sent: the connector needs time before its next call.
        summary.wait(max(deferred_wait, 0.05))
        summary.stalled = True
        listings_defer(listings=deferred, seconds=deferred_wait)
    else:
        # Claimable again at once: the run's next batch sorts them with the changes made
        # meanwhile, and the channel's quota (the client's throttle) paces the calls.
        listings_defer(listings=deferred, seconds=0.0)
    for external_id in by_external.keys() - seen:
        summary.wait(
            listing_mark_failed(
                listing=by_external[external_id],
                error="no result from the channel",
                retry_after=None,
                quantity=wanted[by_external[external_id].pk],
            )
        )
        summary.failed += 1
