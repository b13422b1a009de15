"""Quantity pushes: one inventory write per Etsy listing, the most urgent listings first, within
the app key's daily budget (:mod:`.budget`).

Per push call (at most ``batch_max`` of our listings, i.e. SKUs):

1. Updates are grouped by Etsy listing and each listing gets the most urgent class of its
   updates (``zero`` > ``last`` > ``decrease`` > ``increase``); listings are taken in that order,
   larger drops first. A listing whose class may not spend the calls Etsy said are left
   (the memory's figure, when fresh) is answered "deferred" without a call.
2. The listings that may go are read in one call per 100 (``GET /listings/batch/inventory``;
   when an id is unknown Etsy answers 404 for the whole request, so they are then read one by
   one and the unknown one's updates fail).
3. For each listing, in order, with the figure of the latest answer: the new inventory is the
   read one with only our SKUs' quantity groups changed (:mod:`.inventory`); it is written with
   one ``PUT /listings/{id}/inventory`` if it differs. Etsy refuses an inventory whose every
   offering is 0, so a listing that must show 0 everywhere is deactivated instead
   (``PATCH /shops/{shop_id}/listings/{id}`` ``state=inactive``, after a PUT that leaves one
   unit on the first product, which nobody can buy), and activated again when stock returns
   to a listing we had set to 0. A sold-out or inactive listing that must show 0 needs no call.
   A listing whose calls its class may no longer spend is deferred, and so is every listing
   after a 429.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

from channels_app.connectors.dto import PushResult, QuantityUpdate
from channels_app.connectors.errors import ConnectorError, RetryableError
from channels_app.connectors.etsy import budget as budgets
from channels_app.connectors.etsy.client import EtsyClient
from channels_app.connectors.etsy.inventory import (
    all_zero,
    keep_one_unit,
    put_body,
    sku_quantity,
    targets_apply,
)
from channels_app.connectors.etsy.mapping import external_id_split

READ_MAX = 100
DEFER_SECONDS = 60.0


def listings_read(*, client: EtsyClient, listing_ids: Sequence[str]) -> dict[str, Mapping[str, Any] | None]:
    """ShopListings with their inventory by id (None: Etsy does not know the id)."""
    found: dict[str, Mapping[str, Any] | None] = {}
    for start in range(0, len(listing_ids), READ_MAX):
        chunk = list(listing_ids[start : start + READ_MAX])
        try:
            answer = client.call("GET", "listings/batch/inventory", params={"listing_ids": ",".join(chunk)})
        except RetryableError:
            raise
        except ConnectorError as exc:
            if exc.status != 404 or len(chunk) == 1:
                if exc.status == 404:
                    found[chunk[0]] = None
                    continue
                raise
            for listing_id in chunk:
                found.update(listings_read(client=client, listing_ids=[listing_id]))
            continue
        for listing in answer.get("results") or []:
            found[str(listing["listing_id"])] = listing
    return found


class InventoryPusher:
    """Pushes quantities of one account (see the module)."""

    def __init__(
        self,
        *,
        client: EtsyClient,
        shop_id: str,
        reserve: int,
        last_units: int,
        deactivate_at_zero: bool,
    ) -> None:
        self.client = client
        self.memory = client.budget
        self.shop_id = shop_id
        self.reserve = reserve
        self.last_units = last_units
        self.deactivate_at_zero = deactivate_at_zero

    def _class(self, updates: Sequence[QuantityUpdate]) -> tuple[float, int, float, int]:
        """Sort key of a listing: the engine's oversell risk (``QuantityUpdate.oversell_risk``),
        then its most urgent class, then the SKUs' recent demand (orders per hour on every
        channel), then the largest drop."""
        ranks = []
        for update in updates:
            klass = budgets.change_class(
                quantity=update.quantity, expected=update.expected, last_units=self.last_units
            )
            drop = (update.expected or 0) - update.quantity
            ranks.append(
                (-update.oversell_risk, budgets.CLASSES.index(klass), -update.demand_per_hour, -drop)
            )
        return tuple(min(rank[i] for rank in ranks) for i in range(4))  # type: ignore[return-value]

    def _may_spend(self, klass: str, cost: int) -> bool:
        figure = self.memory.figure()
        if figure is None:
            return True
        return budgets.allowed(
            klass=klass,
            cost=cost,
            remaining=figure.remaining,
            reserve=self.reserve,
            limit_per_day=figure.limit_per_day,
        )

    def push(self, updates: Sequence[QuantityUpdate]) -> list[PushResult]:
        """One result per update (see the module)."""
        by_listing: dict[str, list[QuantityUpdate]] = {}
        for update in updates:
            by_listing.setdefault(external_id_split(update.listing.external_id)[0], []).append(update)
        order = sorted(by_listing, key=lambda lid: self._class(by_listing[lid]))
        klass = {lid: budgets.CLASSES[self._class(by_listing[lid])[1]] for lid in order}
        results: list[PushResult] = []
        waiting = dict.fromkeys(budgets.CLASSES, 0)
        going = [lid for lid in order if self._may_spend(klass[lid], 2)]
        read = listings_read(client=self.client, listing_ids=going) if going else {}
        self._halted = False
        for listing_id in order:
            items = by_listing[listing_id]
            if listing_id not in read or self._halted:
                waiting[klass[listing_id]] += 1
                results.extend(self._deferred(items))
                continue
            listing = read[listing_id]
            if listing is None:
                results.extend(
                    PushResult(u.listing.external_id, "error", error=f"Etsy listing {listing_id} not found")
                    for u in items
                )
                continue
            results.extend(self._listing_push(listing_id, listing, items, klass[listing_id], waiting))
        self.memory.waiting_set(waiting)
        return results

    def _deferred(self, items: Sequence[QuantityUpdate]) -> list[PushResult]:
        return [PushResult(u.listing.external_id, "deferred", retry_after=DEFER_SECONDS) for u in items]

    def _listing_push(
        self,
        listing_id: str,
        listing: Mapping[str, Any],
        items: Sequence[QuantityUpdate],
        klass: str,
        waiting: dict[str, int],
    ) -> list[PushResult]:
        body = put_body(listing.get("inventory") or {})
        state = str(listing.get("state") or "active")
        results: list[PushResult] = []
        targets: dict[str, int] = {}
        for update in items:
            sku = external_id_split(update.listing.external_id)[1]
            if sku_quantity(body, sku) is None:
                missing = f"SKU {sku} is not on Etsy listing {listing_id}"
                results.append(PushResult(update.listing.external_id, "error", error=missing))
            else:
                targets[sku] = update.quantity
        live = [u for u in items if external_id_split(u.listing.external_id)[1] in targets]
        if not live:
            return results
        new, notes = targets_apply(body, targets)
        calls: list[tuple[str, Any]] = []
        if all_zero(new):
            if state == "active":
                if not self.deactivate_at_zero:
                    return results + [
                        PushResult(
                            u.listing.external_id,
                            "error",
                            error="Etsy refuses an inventory of zeros: turn deactivate_at_zero on",
                        )
                        for u in live
                    ]
                kept = keep_one_unit(new)
                if kept != body:
                    calls.append(("put", kept))
                calls.append(("state", "inactive"))
        else:
            if new != body:
                calls.append(("put", new))
            came_back = any(u.expected == 0 and u.quantity > 0 for u in live)
            if state == "inactive" and self.deactivate_at_zero and came_back:
                calls.append(("state", "active"))
        if calls and not self._may_spend(klass, len(calls)):
            waiting[klass] += 1
            return results + self._deferred(live)
        try:
            for what, payload in calls:
                if what == "put":
                    self.client.call("PUT", f"listings/{listing_id}/inventory", json=payload)
                else:
                    self.client.call(
                        "PATCH",
                        f"shops/{self.shop_id}/listings/{listing_id}",
                        data=urlencode({"state": payload}).encode(),
                        content_type="application/x-www-form-urlencoded",
                    )
        except RetryableError as exc:
            # Etsy's limit answered (429): the listings after this one wait for the next call.
            self._halted = exc.status == 429
            return results + [
                PushResult(
                    u.listing.external_id,
                    "retry",
                    error=str(exc),
                    retry_after=exc.retry_after,
                    throttled=exc.status == 429,
                )
                for u in live
            ]
        except ConnectorError as exc:
            return results + [PushResult(u.listing.external_id, "error", error=str(exc)) for u in live]
        shown_zero = all_zero(new)
        note = "; ".join(notes)
        for update in live:
            sku = external_id_split(update.listing.external_id)[1]
            observed = 0 if shown_zero else sku_quantity(new, sku)
            results.append(PushResult(update.listing.external_id, "ok", observed=observed, error=note))
        return results
