"""bulkMigrateListing: turn a seller's Seller Hub / Trading listings into Inventory API objects.

``POST /sell/inventory/v1/bulk_migrate_listing`` with one to five ``{"listingId"}`` per call.
eBay migrates a listing only when it is fixed-price, every item (each variation) has a SKU, it
uses business policies (payment with immediate pay, return, shipping) and has a postal code or
city. Afterwards the listing can be revised only through the Inventory API: Seller Hub and the
Trading API can no longer edit it (the README tells the seller before they migrate).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from channels_app.connectors.ebay.client import EbayClient
from channels_app.connectors.errors import ConnectorError

MIGRATE_MAX = 5
MIGRATE_PATH = "sell/inventory/v1/bulk_migrate_listing"


@dataclass(frozen=True)
class Migrated:
    """One listing's outcome: ``skus`` created (empty on failure) and eBay's ``error``."""

    listing_id: str
    ok: bool
    skus: tuple[str, ...] = ()
    error: str = ""


def listings_migrate(*, client: EbayClient, listing_ids: Sequence[str]) -> list[Migrated]:
    """Migrate ``listing_ids`` five at a time; one :class:`Migrated` per listing."""
    cleaned = [str(i).strip() for i in listing_ids if str(i).strip()]
    if not cleaned or any(not i.isdigit() for i in cleaned):
        raise ConnectorError("Give eBay listing ids (digits), e.g. 110554021234")
    outcomes: list[Migrated] = []
    for start in range(0, len(cleaned), MIGRATE_MAX):
        chunk = cleaned[start : start + MIGRATE_MAX]
        data = client.json(
            "POST", MIGRATE_PATH, api="inventory", json_body={"requests": [{"listingId": i} for i in chunk]}
        )
        for row in data.get("responses") or []:
            listing_id = str(row.get("listingId") or "")
            if int(row.get("statusCode") or 0) == 200:
                skus = tuple(str(i.get("sku")) for i in row.get("inventoryItems") or [] if i.get("sku"))
                outcomes.append(Migrated(listing_id=listing_id, ok=True, skus=skus))
            else:
                errors = row.get("errors") or [{}]
                why = "; ".join(f"{e.get('errorId')}: {e.get('message', '')}" for e in errors)
                outcomes.append(Migrated(listing_id=listing_id, ok=False, error=why))
    return outcomes
