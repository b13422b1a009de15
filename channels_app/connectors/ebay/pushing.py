"""Quantity pushes through bulkUpdatePriceQuantity, spending each listing's daily revisions.

One element per SKU, ``{"offers": [{"offerId", "availableQuantity"}]}``: quantity only (no
``price``, no ``shipToLocationAvailability``), at most :data:`BULK_MAX` elements per call. A
revision is reserved in the :class:`RevisionBook` before its element is sent (``revisions``);
a move that would be a no-op (``expected == quantity``) is not sent and spends nothing. A move
the book holds comes back as ``retry`` (throttled: not the listing's fault) until the day turns,
with the reason as the listing's error.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from channels_app.connectors.dto import PushResult, QuantityUpdate
from channels_app.connectors.ebay.client import EbayClient
from channels_app.connectors.ebay.revisions import (
    CAP,
    RevisionBook,
    day_keys,
    seconds_to_next_day,
    spend_rule,
)
from channels_app.connectors.errors import ConnectorError

BULK_MAX = 25
BULK_PATH = "sell/inventory/v1/bulk_update_price_quantity"
CAP_NEAR = CAP - 5


def listing_of(update: QuantityUpdate) -> str:
    """The eBay listingId whose revisions a push spends (the offer's id when unknown)."""
    ref = update.listing
    return str(ref.external_product_id or ref.extra.get("listing_id") or ref.external_offer_id)


def _held(update: QuantityUpdate, *, why: str, now: float) -> PushResult:
    return PushResult(
        external_id=update.listing.external_id,
        outcome="retry",
        error=why,
        retry_after=seconds_to_next_day(now=now),
        throttled=True,
    )


def quantities_push(
    *,
    client: EbayClient,
    book: RevisionBook,
    updates: Sequence[QuantityUpdate],
    now: Callable[[], float],
    reserve: int,
    last_units: int,
) -> list[PushResult]:
    """Push ``updates`` (see the module); one result per update."""
    results: list[PushResult] = []
    sending: list[tuple[QuantityUpdate, str, tuple[str, str]]] = []
    moment = now()
    days = day_keys(now=moment)
    for update in updates:
        if not update.listing.external_offer_id:
            results.append(
                PushResult(
                    external_id=update.listing.external_id, outcome="error", error="no eBay offer to push to"
                )
            )
            continue
        if update.expected is not None and update.expected == update.quantity:
            results.append(
                PushResult(external_id=update.listing.external_id, outcome="ok", observed=update.quantity)
            )
            continue
        listing_id = listing_of(update)
        rule = spend_rule(
            quantity=update.quantity, expected=update.expected, last_units=last_units, reserve=reserve
        )
        answer = book.reserve(listing_id=listing_id, days=days, rule=rule)
        if answer == "granted":
            sending.append((update, listing_id, days))
        elif answer == "capped":
            why = (
                f"eBay revision cap reached: listing {listing_id} was revised {CAP} times today;"
                " waits for the next day"
            )
            results.append(_held(update, why=why, now=moment))
        else:
            why = (
                f"eBay revision budget low: listing {listing_id} has used {CAP - reserve} or more of its"
                f" {CAP} revisions today; the rest go only to drops to zero and the last units"
            )
            results.append(_held(update, why=why, now=moment))
    for start in range(0, len(sending), BULK_MAX):
        results.extend(_send(client=client, book=book, batch=sending[start : start + BULK_MAX], now=moment))
    return results


def _send(
    *,
    client: EbayClient,
    book: RevisionBook,
    batch: list[tuple[QuantityUpdate, str, tuple[str, str]]],
    now: float,
) -> list[PushResult]:
    body = {
        "requests": [
            {"offers": [{"offerId": u.listing.external_offer_id, "availableQuantity": max(u.quantity, 0)}]}
            for u, _, _ in batch
        ]
    }
    try:
        data = client.json("POST", BULK_PATH, api="inventory", json_body=body)
    except ConnectorError as exc:
        if exc.status is not None and 400 <= exc.status < 500 and exc.status != 429:
            for _, listing_id, days in batch:  # refused as a whole: nothing was revised
                book.release(listing_id=listing_id, days=days)
        raise
    by_offer: dict[str, dict[str, Any]] = {
        str(r.get("offerId")): r for r in data.get("responses") or [] if isinstance(r, dict)
    }
    results = []
    for update, listing_id, days in batch:
        answer = by_offer.get(update.listing.external_offer_id)
        external_id = update.listing.external_id
        if answer is None:
            results.append(
                PushResult(external_id=external_id, outcome="retry", error="eBay answered nothing for it")
            )
            continue
        if int(answer.get("statusCode") or 0) == 200:
            results.append(
                PushResult(external_id=external_id, outcome="ok", observed=max(update.quantity, 0))
            )
            continue
        errors = answer.get("errors") or [{}]
        message = "; ".join(f"{e.get('errorId')}: {e.get('message', '')}" for e in errors)
        if book.used(listing_id=listing_id, days=days) >= CAP_NEAR or "revision" in message.lower():
            book.close(listing_id=listing_id, days=days)
            results.append(
                _held(update, why=f"eBay revision cap reached for listing {listing_id}: {message}", now=now)
            )
            continue
        book.release(listing_id=listing_id, days=days)
        results.append(
            PushResult(external_id=external_id, outcome="error", error=f"eBay refused: {message}"[:500])
        )
    return results
