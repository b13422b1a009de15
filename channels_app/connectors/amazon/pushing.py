"""Quantity pushes: patchListingsItem at once for small pushes and urgent decreases, a
JSON_LISTINGS_FEED for the rest, and the outcomes of feeds submitted earlier.

Rules, per push call (at most ``batch_max`` updates, from the engine):

* Amazon-fulfilled (FBA) listings are refused (error), never sent: their stock is Amazon's.
* A feed is asynchronous: its items are answered "pending" with a submission token
  (``feed id:message id:quantity``, see :func:`submission_token`) that the engine stores on the
  listing and hands back (``ListingRef.push_submission``) on its next push, from any worker. Such
  an update checks its feed (getFeed, once per feed per call) instead of sending again:
  - while it is IN_QUEUE / IN_PROGRESS: "pending" again with the same token; an update to
    another figure is not put in a second feed (the two could be processed in either order), but
    an urgent decrease (below the feed's figure) is patched at once and still answered "pending",
    so it is set again after the feed has been processed;
  - once DONE, an update of the feed's figure gets its outcome from the processing report
    (accepted -> ok, ERROR issue -> error with the issue's text, which the engine keeps on the
    listing); an update to another figure is sent afresh;
  - a FATAL or CANCELLED feed: the update is sent afresh.
* Up to ``patch_max`` updates (default 5, the plan's burst) are patched per call
  (patchListingsItem within its 5/s plan), the urgent ones first: the highest chance of an
  oversell before the update lands (:func:`oversell_risk`, from the true figure and the item's
  recent orders on every channel), then the largest share of the shown figure gone, then the
  largest decreases, then the rest.
* A push of at most ``feed_min`` updates is all patched: what one call does not patch is answered
  "deferred", so it comes back in the engine's next call (about a second later, when the plan
  has the tokens again), merged with newer changes and sorted again: a sale arriving during a
  backlog is patched within a second or two unless the backlog is more urgent. A feed is slower than a
  few hundred patches (createFeed is about one per two minutes after a burst of 15, processing
  takes minutes and its report one getFeedDocument, about one per 45 s), so only a larger push -
  a full push, a big restock - sends everything but the patched urgent ones by feed (up to 10,000
  messages each here). Updates the engine rates at risk of an oversell before a feed would land
  (``oversell_risk`` at least :data:`FEED_RISK_MAX`) are never fed: they stay in the patch stream,
  ranked with the next call's; a feed goes out only when more than ``feed_min`` calm ones remain.
* SKUs containing "/" cannot be addressed in a path (Amazon answers 403), so they always go by feed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from urllib.parse import quote

from channels_app.connectors.amazon.client import AmazonApiError, SpApiClient
from channels_app.connectors.amazon.feeds import (
    DEFAULT_PRODUCT_TYPE,
    MAX_MESSAGES,
    feed_report,
    feed_status,
    feed_submit,
    fulfillment_patch,
    listings_feed_document,
)
from channels_app.connectors.amazon.mapping import SELLER_FULFILLED, feed_report_outcomes, patch_issues_text
from channels_app.connectors.dto import PushResult, QuantityUpdate
from channels_app.connectors.errors import ConnectorError, RetryableError

# What :func:`oversell_risk` assumes: buyers over the next minute (about what a backlog of a few
# hundred patches takes at 5/s), and a rate of one a day for items without recent orders.
RISK_HORIZON_SECONDS = 60.0
PRIOR_DEMAND_PER_HOUR = 1 / 24
# The engine's oversell risk (``QuantityUpdate.oversell_risk``) from which an update is patched,
# never put in a feed (a feed takes minutes to land).
FEED_RISK_MAX = 0.001

FBA_REFUSED = "Amazon-fulfilled (FBA) listing: its stock is Amazon's and is never pushed"


def is_decrease(update: QuantityUpdate) -> bool:
    """True for updates that lower what Amazon shows (or set zero)."""
    return update.quantity == 0 or (update.expected is not None and update.quantity < update.expected)


def oversell_risk(update: QuantityUpdate) -> float:
    """The chance that Amazon sells more than ``update.quantity`` units before the update lands,
    if buyers keep coming at the listing's recent rate (``demand_per_hour``, plus one a day for
    an item without recent orders) for ``RISK_HORIZON_SECONDS``: the Poisson tail P(N > quantity).
    0 for an update that does not lower what Amazon shows."""
    if update.expected is not None and update.expected <= update.quantity:
        return 0.0
    mu = (max(update.demand_per_hour, 0.0) + PRIOR_DEMAND_PER_HOUR) * RISK_HORIZON_SECONDS / 3600.0
    k = max(update.quantity, 0) + 1
    term = math.exp(-mu + k * math.log(mu) - math.lgamma(k + 1))  # P(N = k)
    total = 0.0
    for _ in range(200):  # the terms shrink fast: mu is far below k here
        total += term
        k += 1
        term *= mu / k
        if term <= total * 1e-9:
            break
    return total


def urgency(update: QuantityUpdate) -> tuple[float, float, float, int]:
    """Sort key: the engine's risk first (``QuantityUpdate.oversell_risk``: the chance that what
    Amazon shows is oversold before the update lands, the adaptive buffer's model), then
    :func:`oversell_risk` (a zero of a selling item before all, the last units of a hot item
    before a zero nobody buys), then the largest share of the shown figure gone (showing 2 of a
    true 1 risks more than 10 of a true 9), then the largest drop."""
    drop = (update.expected - update.quantity) if update.expected is not None else 0
    share = drop / update.expected if update.expected else 0.0
    return (-update.oversell_risk, -oversell_risk(update), -share, -drop)


def submission_token(*, feed_id: str, message_id: int, quantity: int) -> str:
    """The token of one update carried by a feed (stored by the engine on the listing)."""
    return f"{feed_id}:{message_id}:{quantity}"


def submission_parse(token: str) -> tuple[str, int, int] | None:
    """(feed id, message id, quantity) of a :func:`submission_token`; None if empty or foreign."""
    parts = token.rsplit(":", 2)
    if len(parts) != 3 or not parts[0]:
        return None
    try:
        return parts[0], int(parts[1]), int(parts[2])
    except ValueError:
        return None


class QuantityPusher:
    """Pushes quantities of one account (see the module docstring for the rules)."""

    def __init__(
        self,
        *,
        client: SpApiClient,
        account_id: int,
        seller_id: str,
        marketplace_ids: Sequence[str],
        patch_max: int = 5,
        feed_min: int = 500,
        patch_rate: float = 5.0,
        feed_poll_seconds: float = 60.0,
    ) -> None:
        self.client = client
        self.account_id = account_id
        self.seller_id = seller_id
        self.marketplace_ids = list(marketplace_ids)
        self.patch_max = max(patch_max, 0)
        self.feed_min = max(feed_min, 0)
        self.patch_rate = patch_rate if patch_rate > 0 else 5.0
        self.feed_poll_seconds = feed_poll_seconds

    def push(self, *, updates: Sequence[QuantityUpdate]) -> list[PushResult]:
        """One result per update (ok, error, pending with a submission token, or retry)."""
        results: dict[str, PushResult] = {}
        fresh: list[QuantityUpdate] = []
        by_feed: dict[str, list[tuple[QuantityUpdate, int, int]]] = {}
        for update in updates:
            external_id = update.listing.external_id
            if update.listing.extra.get("fulfillment_channel_code", SELLER_FULFILLED) != SELLER_FULFILLED:
                results[external_id] = PushResult(external_id, "error", error=FBA_REFUSED)
            elif update.quantity < 0:
                results[external_id] = PushResult(external_id, "error", error="negative quantity")
            else:
                parsed = submission_parse(update.listing.push_submission)
                if parsed is None:
                    fresh.append(update)
                else:
                    feed_id, message_id, quantity = parsed
                    by_feed.setdefault(feed_id, []).append((update, message_id, quantity))
        urgent: list[tuple[QuantityUpdate, str | None]] = []
        for feed_id, items in by_feed.items():
            again, patch_now = self._feed_collect(feed_id=feed_id, items=items, results=results)
            fresh.extend(again)
            urgent.extend(patch_now)
        patch, by_feed_send, later = self._split(fresh)
        self._patch(urgent + patch, results)
        if later:
            wait = max(len(urgent) + len(patch), 1) / self.patch_rate
            for update in later:
                results[update.listing.external_id] = PushResult(
                    update.listing.external_id, "deferred", retry_after=wait
                )
        if by_feed_send:
            self._feed_send(by_feed_send, results)
        return list(results.values())

    def _retry(
        self, update: QuantityUpdate, seconds: float | None, why: str, *, exc: Exception | None = None
    ) -> PushResult:
        throttled = getattr(exc, "status", None) == 429  # Amazon's 429 or no usage-plan token
        return PushResult(
            update.listing.external_id, "retry", error=why, retry_after=seconds, throttled=throttled
        )

    def _pending(self, update: QuantityUpdate, token: str) -> PushResult:
        return PushResult(
            update.listing.external_id, "pending", submission_id=token, retry_after=self.feed_poll_seconds
        )

    def _feed_collect(
        self, *, feed_id: str, items: list[tuple[QuantityUpdate, int, int]], results: dict[str, PushResult]
    ) -> tuple[list[QuantityUpdate], list[tuple[QuantityUpdate, str | None]]]:
        """Outcomes of updates whose listing waits for feed ``feed_id``; returns (updates to send
        afresh, urgent decreases to patch now while the feed is still processed)."""
        try:
            status, result_id = feed_status(client=self.client, feed_id=feed_id)
        except ConnectorError as exc:
            # The feed's state is unknown: decreases go out now anyway (patched, still pending).
            return [], self._waiting(feed_id=feed_id, items=items, results=results, exc=exc)
        if status in ("FATAL", "CANCELLED"):
            return [update for update, _m, _q in items], []
        if status != "DONE":  # IN_QUEUE / IN_PROGRESS
            return [], self._waiting(feed_id=feed_id, items=items, results=results)
        # DONE: an update to another figure is sent afresh without the report (the feed no
        # longer races it); only updates of the feed's own figure need the report's verdict.
        again = [update for update, _m, quantity in items if update.quantity != quantity]
        settled = [(update, m, quantity) for update, m, quantity in items if update.quantity == quantity]
        if not settled:
            return again, []
        try:
            if not result_id:
                raise ConnectorError(f"Feed {feed_id} is DONE without a result document")
            report = feed_report(client=self.client, document_id=result_id)
        except ConnectorError as exc:
            wait = exc.retry_after if isinstance(exc, RetryableError) else None
            for update, _message, _quantity in settled:
                results[update.listing.external_id] = self._retry(
                    update, wait or self.feed_poll_seconds, f"feed {feed_id}: {exc}", exc=exc
                )
            return again, []
        outcomes = feed_report_outcomes(
            report, message_skus={message_id: u.listing.external_id for u, message_id, _q in settled}
        )
        for update, _message, _quantity in settled:
            sku = update.listing.external_id
            accepted, error = outcomes.get(sku, (False, "not in the processing report"))
            results[sku] = (
                PushResult(sku, "ok", observed=update.quantity)
                if accepted
                else PushResult(sku, "error", error=f"feed {feed_id}: {error}")
            )
        return again, []

    def _waiting(
        self,
        *,
        feed_id: str,
        items: list[tuple[QuantityUpdate, int, int]],
        results: dict[str, PushResult],
        exc: ConnectorError | None = None,
    ) -> list[tuple[QuantityUpdate, str | None]]:
        """Updates whose feed is not settled (processing, or its state unreadable now): a decrease
        below the feed's figure is returned to be patched at once (and stays pending on the feed,
        to be set again once it is processed); the others stay pending (or wait, on ``exc``)."""
        patch_now: list[tuple[QuantityUpdate, str | None]] = []
        for update, message_id, quantity in items:
            token = submission_token(feed_id=feed_id, message_id=message_id, quantity=quantity)
            sku = update.listing.external_id
            if update.quantity < quantity and "/" not in sku:
                patch_now.append((update, token))
            elif exc is not None:
                wait = exc.retry_after if isinstance(exc, RetryableError) else None
                results[sku] = self._retry(
                    update, wait or self.feed_poll_seconds, f"feed {feed_id}: {exc}", exc=exc
                )
            else:
                results[sku] = self._pending(update, token)
        return patch_now

    def _split(
        self, fresh: list[QuantityUpdate]
    ) -> tuple[list[tuple[QuantityUpdate, str | None]], list[QuantityUpdate], list[QuantityUpdate]]:
        """(updates to patch now, updates for a feed, updates to patch in a later call)."""
        pathless = [u for u in fresh if "/" in u.listing.external_id]
        addressable = [u for u in fresh if "/" not in u.listing.external_id]
        if len(addressable) <= self.patch_max:
            return [(update, None) for update in addressable], pathless, []
        if self.patch_max and len(addressable) <= self.feed_min:
            ranked = sorted(addressable, key=lambda u: (not is_decrease(u), urgency(u)))
            now, later = ranked[: self.patch_max], ranked[self.patch_max :]
            return [(update, None) for update in now], pathless, later
        urgent = sorted((u for u in addressable if is_decrease(u)), key=urgency)[: self.patch_max]
        chosen = {id(u) for u in urgent}
        rest = [u for u in addressable if id(u) not in chosen]
        # A feed lands in minutes: a listing at risk of an oversell before then stays in the
        # patch stream (deferred, ranked again next call); the feed carries the calm rest.
        at_risk = [u for u in rest if u.oversell_risk >= FEED_RISK_MAX]
        calm = [u for u in rest if u.oversell_risk < FEED_RISK_MAX]
        if self.patch_max and len(calm) <= self.feed_min:
            return [(update, None) for update in urgent], pathless, rest
        return [(update, None) for update in urgent], calm + pathless, at_risk

    def _patch(self, items: list[tuple[QuantityUpdate, str | None]], results: dict[str, PushResult]) -> None:
        """Patch each update; one patched while its feed is processed (``token``) stays pending."""
        stopped: RetryableError | None = None
        for update, token in items:
            sku = update.listing.external_id
            if stopped is not None:
                results[sku] = self._retry(update, stopped.retry_after, str(stopped), exc=stopped)
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
                results[sku] = self._retry(update, exc.retry_after, str(exc), exc=exc)
                continue
            except AmazonApiError as exc:
                results[sku] = PushResult(sku, "error", error=str(exc))
                continue
            if not isinstance(answer, dict) or answer.get("status") != "ACCEPTED":
                results[sku] = PushResult(sku, "error", error=patch_issues_text(answer or {}))
            elif token is not None:
                results[sku] = self._pending(update, token)  # set again once the feed is processed
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
                    results[update.listing.external_id] = self._retry(
                        update, exc.retry_after, str(exc), exc=exc
                    )
                continue
            except ConnectorError as exc:
                for update in chunk:
                    results[update.listing.external_id] = PushResult(
                        update.listing.external_id, "error", error=f"feed not submitted: {exc}"
                    )
                continue
            message_of = {sku: number for number, sku in message_skus.items()}
            for update in chunk:
                token = submission_token(
                    feed_id=feed_id,
                    message_id=message_of[update.listing.external_id],
                    quantity=update.quantity,
                )
                results[update.listing.external_id] = self._pending(update, token)
