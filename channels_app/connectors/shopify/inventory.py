"""Live "available" quantities: read them, and set them with compare-and-swap.

A push is one ``inventorySetQuantities`` on "available" per batch of at most 250 quantities (the
input array limit), each carrying the figure we believe Shopify holds: ``changeFromQuantity``
(from 2026-01) or ``compareQuantity`` (before). Where we believe nothing, the live figure is read
first, so every write is a compare-and-swap. The mutation is all-or-nothing: when some quantities
are stale (``CHANGE_FROM_QUANTITY_STALE`` / ``COMPARE_QUANTITY_STALE``, their index in the error's
``field``), nothing was written; those are re-read and reported ``stale`` with Shopify's figure (the
engine reconciles: a decrease is retried at once, an increase waits until the channel's orders are
taken in - so a sale Shopify made that we have not seen yet is never undone), and the others are
sent again in a second call.

Idempotency: each call carries ``@idempotent(key:)`` (where the version has it), a UUID derived
from the engine's per-update keys and every parameter of the call. A retry of the same call (the
engine retrying after a timeout) replays Shopify's stored answer instead of applying twice; a
re-send after a refused call changes the parameters or the attempt salt, so it gets a new key.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from channels_app.connectors.dto import ListingRef, PushResult, QuantityUpdate
from channels_app.connectors.errors import ConnectorError, RetryableError
from channels_app.connectors.shopify import queries
from channels_app.connectors.shopify.client import ShopifyClient
from channels_app.connectors.shopify.mapping import available_of

READ_CHUNK = 100
MAX_SENDS = 3
STALE_CODES = {"CHANGE_FROM_QUANTITY_STALE", "COMPARE_QUANTITY_STALE"}
ATTEMPT_CODES = {"IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED", "IDEMPOTENCY_KEY_PARAMETER_MISMATCH"}


def levels_read(*, client: ShopifyClient, pairs: Sequence[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """Live "available" of (inventory item, location) pairs; pairs not stocked are left out."""
    by_location: dict[str, list[str]] = defaultdict(list)
    for item, location in dict.fromkeys(pairs):
        by_location[location].append(item)
    found: dict[tuple[str, str], int] = {}
    for location, items in by_location.items():
        for start in range(0, len(items), READ_CHUNK):
            data = client.execute(
                queries.ITEMS_AVAILABLE,
                {"ids": items[start : start + READ_CHUNK], "locationId": location},
                operation="StockmasterAvailable",
            )
            for node in data.get("nodes") or []:
                if not node or not node.get("id"):
                    continue
                quantity = available_of(node.get("inventoryLevel"))
                if quantity is not None:
                    found[(node["id"], location)] = quantity
    return found


@dataclass
class _Entry:
    update: QuantityUpdate
    item: str
    location: str
    base: int | None

    @property
    def external_id(self) -> str:
        return self.update.listing.external_id


def _request_key(entries: Sequence[_Entry], salt: str) -> str:
    params = sorted(
        (e.update.idempotency_key, e.item, e.location, e.update.quantity, e.base) for e in entries
    )
    digest = hashlib.sha256(json.dumps([salt, params], default=str).encode()).digest()
    return str(uuid.UUID(bytes=digest[:16], version=4))


def _index(error: dict) -> int | None:
    field = error.get("field") or []
    if len(field) >= 3 and field[:2] == ["input", "quantities"] and str(field[2]).isdigit():
        return int(field[2])
    return None


class QuantityWriter:
    """One push: the engine's updates to ``PushResult``s (see the module docstring)."""

    def __init__(
        self, *, client: ShopifyClient, location_of: Callable[[ListingRef], str], reference: str
    ) -> None:
        self.client = client
        self.location_of = location_of
        self.reference = reference
        self.results: dict[str, PushResult] = {}

    def _error(self, entry_id: str, message: str) -> None:
        self.results[entry_id] = PushResult(external_id=entry_id, outcome="error", error=message[:500])

    def _stale(self, entries: Sequence[_Entry]) -> None:
        live = levels_read(client=self.client, pairs=[(e.item, e.location) for e in entries])
        for entry in entries:
            observed = live.get((entry.item, entry.location))
            if observed is None:
                self._error(entry.external_id, "not stocked at the Shopify location")
            else:
                self.results[entry.external_id] = PushResult(
                    external_id=entry.external_id, outcome="stale", observed=observed
                )

    def _entries(self, updates: Sequence[QuantityUpdate]) -> list[_Entry]:
        entries = []
        for update in updates:
            ref = update.listing
            if not ref.external_inventory_item_id:
                self._error(ref.external_id, "the listing has no Shopify inventory item id")
                continue
            location = self.location_of(ref)
            entries.append(_Entry(update, ref.external_inventory_item_id, location, update.expected))
        unknown = [e for e in entries if e.base is None]
        if unknown:  # we believe nothing: compare against the live figure
            live = levels_read(client=self.client, pairs=[(e.item, e.location) for e in unknown])
            for entry in unknown:
                entry.base = live.get((entry.item, entry.location))
                if entry.base is None:
                    self._error(entry.external_id, "not stocked at the Shopify location")
        return [e for e in entries if e.base is not None]

    def _variables(self, entries: Sequence[_Entry], key: str) -> dict:
        cas = "changeFromQuantity" if self.client.rules.change_from_quantity else "compareQuantity"
        variables: dict = {
            "input": {
                "name": "available",
                "reason": "correction",
                "referenceDocumentUri": f"{self.reference}/{key}",
                "quantities": [
                    {
                        "inventoryItemId": e.item,
                        "locationId": e.location,
                        "quantity": e.update.quantity,
                        cas: e.base,
                    }
                    for e in entries
                ],
            }
        }
        if self.client.rules.idempotent_directive:
            variables["key"] = key
        return variables

    def push(self, updates: Sequence[QuantityUpdate]) -> list[PushResult]:
        """Send ``updates`` (at most 250); one result per update."""
        todo = self._entries(updates)
        for send in range(MAX_SENDS):
            if not todo:
                break
            key = _request_key(todo, salt=str(send))
            data = self.client.execute(
                queries.set_quantities(self.client.rules),
                self._variables(todo, key),
                operation="StockmasterSetQuantities",
            )
            payload = data.get("inventorySetQuantities") or {}
            errors = payload.get("userErrors") or []
            if not errors:
                self._applied(todo, payload)
                todo = []
                break
            todo = self._refused(todo, errors)
        for entry in todo:
            self.results[entry.external_id] = PushResult(
                external_id=entry.external_id, outcome="retry", error="refused repeatedly", retry_after=1.0
            )
        return list(self.results.values())

    def _applied(self, entries: Sequence[_Entry], payload: dict) -> None:
        after: dict[tuple[str, str], int] = {}
        for change in (payload.get("inventoryAdjustmentGroup") or {}).get("changes") or []:
            if change.get("name") == "available" and change.get("quantityAfterChange") is not None:
                key = ((change.get("item") or {}).get("id"), (change.get("location") or {}).get("id"))
                after[key] = int(change["quantityAfterChange"])
        for entry in entries:
            self.results[entry.external_id] = PushResult(
                external_id=entry.external_id, outcome="ok", observed=after.get((entry.item, entry.location))
            )

    def _refused(self, entries: list[_Entry], errors: list[dict]) -> list[_Entry]:
        """Sort a refused call's entries: stale (re-read), failed, or to send again."""
        codes = {str(e.get("code") or "") for e in errors}
        general = [e for e in errors if _index(e) is None]
        if "IDEMPOTENCY_CONCURRENT_REQUEST" in codes:
            raise RetryableError("Shopify: the same push is still running", retry_after=1.0)
        if general and not (codes & ATTEMPT_CODES):
            raise ConnectorError(f"Shopify refused the quantities: {general[0].get('message')}")
        if codes & ATTEMPT_CODES:  # an earlier identical call failed: compare with the live figures
            live = levels_read(client=self.client, pairs=[(e.item, e.location) for e in entries])
            changed = [e for e in entries if live.get((e.item, e.location)) != e.base]
            self._stale(changed)
            return [e for e in entries if e not in changed]
        stale, keep = [], []
        by_index: dict[int | None, list[dict]] = defaultdict(list)
        for error in errors:
            by_index[_index(error)].append(error)
        for i, entry in enumerate(entries):
            found = by_index.get(i)
            permanent = [e for e in found or [] if e.get("code") not in STALE_CODES]
            if not found:
                keep.append(entry)
            elif permanent:  # a refusal other than staleness would repeat after a re-read
                self._error(entry.external_id, f"{permanent[0].get('code')}: {permanent[0].get('message')}")
            else:
                stale.append(entry)
        if stale:
            self._stale(stale)
        return keep
