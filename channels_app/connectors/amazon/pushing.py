"""Quantity pushes: patchListingsItem at once for small pushes and urgent decreases, a
JSON_LISTINGS_FEED for the rest, and the outcomes of feeds submitted earlier.

Rules, per push call (at most ``batch_max`` updates, from the engine):

* Amazon-fulfilled (FBA) listings are refused (error), never sent: their stock is Amazon's.
* An update whose (SKU, quantity) is in a feed this process submitted waits for that feed: while
  it is IN_QUEUE / IN_PROGRESS the answer is "retry" after ``feed_poll_seconds``; once DONE its
  outcome comes from the processing report (accepted -> ok, ERROR issue -> error with the issue's
  text, which the engine keeps on the listing); a FATAL or CANCELLED feed is sent again.
* Up to ``patch_max`` updates are patched at once (patchListingsItem within its 5/s plan); in a
  larger push the urgent ones are patched first - quantities going to zero, then the largest
  decreases - and everything else goes into one feed (Feeds: createFeed is about one per two
  minutes, each carrying up to 10,000 messages here).
* SKUs containing "/" cannot be addressed in a path (Amazon answers 403), so they always go by feed.
* A SKU that an unfinished feed of this process sets to another figure is not put in a second feed
  (the two could be processed in either order); an urgent decrease of such a SKU is patched at once
  and answered "retry", so it is set again after the feed has been processed.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import quote

from channels_app.connectors.amazon.client import AmazonApiError, SpApiClient
from channels_app.connectors.amazon.feeds import (
    DEFAULT_PRODUCT_TYPE,
    MAX_MESSAGES,
    TRACKER,
    FeedTracker,
    TrackedFeed,
    feed_outcomes,
    feed_submit,
    fulfillment_patch,
    listings_feed_document,
)
from channels_app.connectors.amazon.mapping import SELLER_FULFILLED, patch_issues_text
from channels_app.connectors.base import ConnectorError, PushResult, QuantityUpdate, RetryableError

FBA_REFUSED = "Amazon-fulfilled (FBA) listing: its stock is Amazon's and is never pushed"


def is_decrease(update: QuantityUpdate) -> bool:
    """True for updates that lower what Amazon shows (or set zero)."""
    return update.quantity == 0 or (update.expected is not None and update.quantity < update.expected)


def urgency(update: QuantityUpdate) -> tuple[int, int]:
    """Sort key: zeros first, then the largest decreases."""
    drop = (update.expected - update.quantity) if update.expected is not None else 0
    return (0 if update.quantity == 0 else 1, -drop)


class QuantityPusher:
    """Pushes quantities of one account (see the module docstring for the rules)."""

    def __init__(
        self,
        *,
        client: SpApiClient,
        account_id: int,
        seller_id: str,
        marketplace_ids: Sequence[str],
        patch_max: int = 25,
        feed_poll_seconds: float = 60.0,
        tracker: FeedTracker = TRACKER,
    ) -> None:
        self.client = client
        self.account_id = account_id
        self.seller_id = seller_id
        self.marketplace_ids = list(marketplace_ids)
        self.patch_max = max(patch_max, 0)
        self.feed_poll_seconds = feed_poll_seconds
        self.tracker = tracker

    def push(self, *, updates: Sequence[QuantityUpdate]) -> list[PushResult]:
        """One result per update (ok, error, or retry with a delay)."""
        results: dict[str, PushResult] = {}
        fresh: list[QuantityUpdate] = []
        waiting: dict[str, tuple[TrackedFeed, list[QuantityUpdate]]] = {}
        for update in updates:
            external_id = update.listing.external_id
            if update.listing.extra.get("fulfillment_channel_code", SELLER_FULFILLED) != SELLER_FULFILLED:
                results[external_id] = PushResult(external_id, "error", error=FBA_REFUSED)
            elif update.quantity < 0:
                results[external_id] = PushResult(external_id, "error", error="negative quantity")
            else:
                feed = self.tracker.holding(
                    account_id=self.account_id, sku=external_id, quantity=update.quantity
                )
                if feed is None:
                    fresh.append(update)
                else:
                    waiting.setdefault(feed.feed_id, (feed, []))[1].append(update)
        for feed, items in waiting.values():
            fresh.extend(self._feed_collect(feed=feed, items=items, results=results))
        patch, by_feed = self._split(fresh, results)
        self._patch(patch, results)
        if by_feed:
            self._feed_send(by_feed, results)
        return list(results.values())

    def _retry(self, update: QuantityUpdate, seconds: float | None, why: str) -> PushResult:
        return PushResult(update.listing.external_id, "retry", error=why, retry_after=seconds)

    def _feed_collect(
        self, *, feed: TrackedFeed, items: list[QuantityUpdate], results: dict[str, PushResult]
    ) -> list[QuantityUpdate]:
        """Outcomes of items in ``feed``; returns the items to send again (feed FATAL/CANCELLED)."""
        try:
            status = feed_outcomes(client=self.client, feed=feed)
        except ConnectorError as exc:
            wait = exc.retry_after if isinstance(exc, RetryableError) else None
            for update in items:
                results[update.listing.external_id] = self._retry(
                    update, wait or self.feed_poll_seconds, f"feed {feed.feed_id}: {exc}"
                )
            return []
        if status in ("FATAL", "CANCELLED"):
            self.tracker.forget(feed)
            return items
        if status != "DONE" or feed.outcomes is None:
            for update in items:
                results[update.listing.external_id] = self._retry(
                    update, self.feed_poll_seconds, f"feed {feed.feed_id} is {status}"
                )
            return []
        for update in items:
            sku = update.listing.external_id
            accepted, error = feed.outcomes.get(sku, (False, "not in the processing report"))
            results[sku] = (
                PushResult(sku, "ok", observed=update.quantity)
                if accepted
                else PushResult(sku, "error", error=f"feed {feed.feed_id}: {error}")
            )
        self.tracker.reported(feed, [u.listing.external_id for u in items])
        return []

    def _split(
        self, fresh: list[QuantityUpdate], results: dict[str, PushResult]
    ) -> tuple[list[tuple[QuantityUpdate, TrackedFeed | None]], list[QuantityUpdate]]:
        """(updates to patch, each with the unfinished feed that also sets it; updates for a feed)."""
        pathless = [u for u in fresh if "/" in u.listing.external_id]
        addressable = [u for u in fresh if "/" not in u.listing.external_id]
        if len(addressable) <= self.patch_max:
            patch, rest = addressable, []
        else:
            urgent = sorted((u for u in addressable if is_decrease(u)), key=urgency)[: self.patch_max]
            chosen = {id(u) for u in urgent}
            patch, rest = urgent, [u for u in addressable if id(u) not in chosen]
        to_patch, to_feed = [], []
        polled: dict[str, bool] = {}
        for update in patch:
            to_patch.append((update, self._blocking_feed(update.listing.external_id, polled)))
        for update in rest + pathless:
            other = self._blocking_feed(update.listing.external_id, polled)
            if other is not None:
                results[update.listing.external_id] = self._retry(
                    update, self.feed_poll_seconds, f"feed {other.feed_id} still sets this SKU"
                )
            else:
                to_feed.append(update)
        return to_patch, to_feed

    def _blocking_feed(self, sku: str, polled: dict[str, bool]) -> TrackedFeed | None:
        """The feed of this process that may still set ``sku``, polled once per push call (so a
        feed nobody asks about any more cannot block its SKUs once Amazon has processed it)."""
        feed = self.tracker.unfinished_with(account_id=self.account_id, sku=sku)
        if feed is None:
            return None
        if feed.feed_id not in polled:
            try:
                status = feed_outcomes(client=self.client, feed=feed)
            except ConnectorError:
                status = "UNKNOWN"
            if status in ("FATAL", "CANCELLED"):
                self.tracker.forget(feed)
            polled[feed.feed_id] = status not in ("DONE", "FATAL", "CANCELLED")
        return feed if polled[feed.feed_id] else None

    def _patch(
        self, items: list[tuple[QuantityUpdate, TrackedFeed | None]], results: dict[str, PushResult]
    ) -> None:
        stopped: RetryableError | None = None
        for update, other in items:
            sku = update.listing.external_id
            if stopped is not None:
                results[sku] = self._retry(update, stopped.retry_after, str(stopped))
                continue
            body = {
                "productType": str(update.listing.extra.get("product_type") or DEFAULT_PRODUCT_TYPE),
                "patches": [fulfillment_patch(update.quantity)],
            }
            try:
                answer = self.client.call_json(
                    "patchListingsItem",
                    "PATCH",
                    f"listings/2021-08-01/items/{quote(self.seller_id, safe='')}/{quote(sku, safe='')}",
                    params=[("marketplaceIds", ",".join(self.marketplace_ids)), ("issueLocale", "en_US")],
                    json=body,
                )
            except RetryableError as exc:
                stopped = exc  # the plan is exhausted: leave the rest for the engine's retry
                results[sku] = self._retry(update, exc.retry_after, str(exc))
                continue
            except AmazonApiError as exc:
                results[sku] = PushResult(sku, "error", error=str(exc))
                continue
            if not isinstance(answer, dict) or answer.get("status") != "ACCEPTED":
                results[sku] = PushResult(sku, "error", error=patch_issues_text(answer or {}))
            elif other is not None:
                results[sku] = self._retry(
                    update, self.feed_poll_seconds, f"set again after feed {other.feed_id} is processed"
                )
            else:
                results[sku] = PushResult(sku, "ok", observed=update.quantity)

    def _feed_send(self, items: list[QuantityUpdate], results: dict[str, PushResult]) -> None:
        for start in range(0, len(items), MAX_MESSAGES):
            chunk = items[start : start + MAX_MESSAGES]
            document, message_skus = listings_feed_document(
                seller_id=self.seller_id,
                items=[
                    (u.listing.external_id, u.quantity, str(u.listing.extra.get("product_type") or ""))
                    for u in chunk
                ],
            )
            try:
                feed_id = feed_submit(
                    client=self.client, marketplace_ids=self.marketplace_ids, document=document
                )
            except RetryableError as exc:
                for update in chunk:
                    results[update.listing.external_id] = self._retry(update, exc.retry_after, str(exc))
                continue
            except ConnectorError as exc:
                for update in chunk:
                    results[update.listing.external_id] = PushResult(
                        update.listing.external_id, "error", error=f"feed not submitted: {exc}"
                    )
                continue
            self.tracker.add(
                TrackedFeed(
                    feed_id=feed_id,
                    account_id=self.account_id,
                    quantities={u.listing.external_id: u.quantity for u in chunk},
                    message_skus=message_skus,
                )
            )
            for update in chunk:
                results[update.listing.external_id] = self._retry(
                    update, self.feed_poll_seconds, f"in feed {feed_id}, waiting for its processing report"
                )
