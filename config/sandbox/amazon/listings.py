"""Listings Items API 2021-08-01: the listing representation and fulfillment_availability updates.

Shapes follow listingsItems_2021-08-01.json (Item, ItemSummaryByMarketplace, FulfillmentAvailability,
PatchOperation, ListingsItemSubmissionResponse, Issue). The same update rules serve the PATCH
operation and the PATCH / PARTIAL_UPDATE messages of a JSON_LISTINGS_FEED.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

from .clock import iso

if TYPE_CHECKING:
    from .state import AmazonState, Listing

INCLUDED_DATA = (
    "summaries",
    "attributes",
    "issues",
    "offers",
    "fulfillmentAvailability",
    "procurement",
    "relationships",
    "productTypes",
)
FULFILLMENT_PATH = "/attributes/fulfillment_availability"
PATCH_OPS = ("add", "replace", "merge", "delete")


def listing_item_json(listing: Listing, *, included: set[str], marketplace_ids: list[str]) -> dict:
    """The Item object of getListingsItem for the requested `includedData` sets."""
    item: dict[str, Any] = {"sku": listing.sku}
    buyable = listing.is_fba or (listing.quantity or 0) > 0
    if "summaries" in included:
        item["summaries"] = [
            {
                "marketplaceId": m,
                "asin": listing.asin,
                "productType": listing.product_type,
                "conditionType": "new_new",
                "status": ["BUYABLE", "DISCOVERABLE"] if buyable else ["DISCOVERABLE"],
                "itemName": listing.item_name,
                "createdDate": iso(listing.created),
                "lastUpdatedDate": iso(listing.last_updated),
            }
            for m in marketplace_ids
        ]
    channel: dict[str, Any] = {"fulfillment_channel_code": listing.fulfillment_channel_code}
    if not listing.is_fba and listing.quantity is not None:
        channel["quantity"] = listing.quantity
    if "attributes" in included:
        item["attributes"] = {
            "item_name": [{"value": listing.item_name, "marketplace_id": m} for m in marketplace_ids],
            "fulfillment_availability": [channel],
        }
    if "issues" in included:
        item["issues"] = []
    if "offers" in included:
        item["offers"] = [
            {
                "marketplaceId": m,
                "offerType": "B2C",
                "price": {"currencyCode": "USD", "amount": listing.price},
            }
            for m in marketplace_ids
        ]
    if "fulfillmentAvailability" in included:
        availability: dict[str, Any] = {"fulfillmentChannelCode": listing.fulfillment_channel_code}
        if "quantity" in channel:
            availability["quantity"] = channel["quantity"]
        item["fulfillmentAvailability"] = [availability]
    if "productTypes" in included:
        item["productTypes"] = [
            {"marketplaceId": m, "productType": listing.product_type} for m in marketplace_ids
        ]
    return item


def issue(
    code: str, message: str, *, attribute: str | None = None, category: str = "INVALID_ATTRIBUTE"
) -> dict:
    """An ERROR Issue (Listings Items API shape: code, message, severity, categories)."""
    found: dict[str, Any] = {"code": code, "message": message, "severity": "ERROR", "categories": [category]}
    if attribute:
        found["attributeNames"] = [attribute]
    return found


def _quantity_from(value: Any) -> tuple[int | None, str | None, dict | None]:
    """(quantity, channel code, problem issue) from a fulfillment_availability value list."""
    if not isinstance(value, list) or not value or not all(isinstance(v, dict) for v in value):
        return (
            None,
            None,
            issue(
                "FAKE_INVALID_VALUE",
                "fulfillment_availability needs a list of objects.",
                attribute="fulfillment_availability",
            ),
        )
    entry = value[0]
    code = entry.get("fulfillment_channel_code")
    quantity = entry.get("quantity")
    if not isinstance(code, str) or not code:
        return (
            None,
            None,
            issue(
                "FAKE_INVALID_VALUE",
                "fulfillment_channel_code is required.",
                attribute="fulfillment_availability",
            ),
        )
    if code == "DEFAULT" and (isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 0):
        return (
            None,
            None,
            issue(
                "FAKE_INVALID_QUANTITY",
                f"The value '{quantity}' for 'quantity' must be a whole number of 0 or more.",
                attribute="fulfillment_availability",
            ),
        )
    return quantity, code, None


def plan_update(
    listing: Listing | None, *, sku: str, attributes_patches: list[tuple[str, str, Any]]
) -> tuple[list[dict], tuple[str, int | None] | None]:
    """Validate updates of one SKU.

    `attributes_patches` are (op, path, value). Returns (issues, change) where change is
    (channel code, quantity) to apply, or None when nothing about availability changes. Any issue
    means the submission is INVALID and nothing is applied.
    """
    if listing is None:
        return [
            issue(
                "FAKE_SKU_NOT_FOUND",
                f"SKU '{sku}' has no listing for this seller; the fake cannot "
                "create listings from partial updates.",
                category="MISSING_ATTRIBUTE",
            )
        ], None
    if listing.reject_updates:
        return [issue("FAKE_REJECTED", listing.reject_updates)], None
    change = None
    for op, path, value in attributes_patches:
        if op not in PATCH_OPS:
            return [issue("FAKE_INVALID_OP", f"Unsupported JSON Patch operation '{op}'.")], None
        if path != FULFILLMENT_PATH:
            continue  # other attributes are accepted and not modelled
        if op == "delete":
            change = (listing.fulfillment_channel_code, None)
            continue
        quantity, code, problem = _quantity_from(value)
        if problem:
            return [problem], None
        change = (code, quantity)
    return [], change


def apply_change(
    state: AmazonState, listing: Listing, change: tuple[str, int | None], *, source: str
) -> None:
    """Apply an accepted availability change (a DEFAULT quantity on an FBA offer makes it seller-fulfilled,
    which is how a misbehaving connector shows up in tests)."""
    code, quantity = change
    listing.updates.append({"at": state.clock.now(), "source": source, "channel": code, "quantity": quantity})
    if code != listing.fulfillment_channel_code:
        listing.fulfillment_channel_code = code
    if code == "DEFAULT" and quantity is not None:
        state.set_listing_quantity(sku=listing.sku, quantity=quantity)
    else:
        listing.last_updated = state.clock.now()


def patch_listings_item(
    state: AmazonState, *, sku: str, body: Any, validation_only: bool
) -> tuple[int, dict]:
    """patchListingsItem: 400 for a malformed body, else 200 with ACCEPTED / INVALID / VALID."""
    if not isinstance(body, dict) or not isinstance(body.get("productType"), str):
        return 400, bad_request("Request body must be a ListingsItemPatchRequest with 'productType'.")
    patches = body.get("patches")
    if not isinstance(patches, list) or not patches:
        return 400, bad_request("'patches' must be a non-empty array of JSON Patch operations.")
    triples = []
    for patch in patches:
        if (
            not isinstance(patch, dict)
            or not isinstance(patch.get("op"), str)
            or not isinstance(patch.get("path"), str)
        ):
            return 400, bad_request("Every patch needs 'op' and 'path'.")
        triples.append((patch["op"], patch["path"], patch.get("value")))
    with state.lock:
        state.tick()
        listing = state.listings.get(sku)
        issues, change = plan_update(listing, sku=sku, attributes_patches=triples)
        status = "INVALID" if issues else ("VALID" if validation_only else "ACCEPTED")
        if status == "ACCEPTED" and change is not None and listing is not None:
            apply_change(state, listing, change, source="patchListingsItem")
    return 200, {"sku": sku, "status": status, "submissionId": secrets.token_hex(16), "issues": issues}


def bad_request(message: str) -> dict:
    """ErrorList body of a 400 from the Listings Items API (code as in the model's sandbox examples)."""
    return {"errors": [{"code": "BAD_REQUEST", "message": message, "details": ""}]}
