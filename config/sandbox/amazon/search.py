"""searchListingsItems (Listings Items API 2021-08-01): the seller's listings, a page at a time.

Shapes from listingsItems_2021-08-01.json: ``ItemSearchResults`` {numberOfResults, pagination
{nextToken, previousToken}, items [Item]}; query ``marketplaceIds`` (required, one marketplace),
``includedData`` (default ``summaries``), ``pageSize`` (default 10, maximum 20), ``pageToken``,
``sortBy`` (``sku``, ``createdDate``, ``lastUpdatedDate``; default ``lastUpdatedDate``),
``sortOrder`` (``ASC`` / ``DESC``; default ``DESC``). "The maximum number of items (SKUs) that can
be returned and paged through is 1000" (``numberOfResults`` description), so the fake pages through
at most 1000. Page tokens are the fake's own (opaque base64 of an offset and the order); the other
filters of the model (identifiers, dates, statuses, issue severity) are not emulated.
"""

from __future__ import annotations

import base64
import json
from typing import TYPE_CHECKING, Any

from .listings import INCLUDED_DATA, bad_request, listing_item_json

if TYPE_CHECKING:
    from .state import AmazonState

PAGE_SIZE_DEFAULT = 10
PAGE_SIZE_MAX = 20
SEARCH_LIMIT = 1000
SORT_KEYS = {"sku": "sku", "createdDate": "created", "lastUpdatedDate": "last_updated"}


def _token(offset: int, sort_by: str, sort_order: str) -> str:
    raw = json.dumps([offset, sort_by, sort_order]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _untoken(token: str) -> tuple[int, str, str] | None:
    try:
        offset, sort_by, sort_order = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        return int(offset), str(sort_by), str(sort_order)
    except (ValueError, TypeError):
        return None


def search_listings_items(
    state: AmazonState, marketplaces: list[str], query: dict[str, list[str]]
) -> tuple[int, Any]:
    """One page of the seller's listings (the caller has checked seller id and marketplaces)."""

    def one(name: str, default: str) -> str:
        return (query.get(name) or [default])[0]

    if len(marketplaces) != 1:
        return 400, bad_request("marketplaceIds takes exactly one marketplace.")
    included = {d for raw in query.get("includedData", ["summaries"]) for d in raw.split(",") if d}
    if not included <= set(INCLUDED_DATA):
        return 400, bad_request(f"includedData must be among {', '.join(INCLUDED_DATA)}.")
    try:
        page_size = int(one("pageSize", str(PAGE_SIZE_DEFAULT)))
    except ValueError:
        return 400, bad_request("pageSize must be an integer.")
    if not 1 <= page_size <= PAGE_SIZE_MAX:
        return 400, bad_request(f"pageSize must be between 1 and {PAGE_SIZE_MAX}.")
    sort_by, sort_order = one("sortBy", "lastUpdatedDate"), one("sortOrder", "DESC")
    if sort_by not in SORT_KEYS or sort_order not in ("ASC", "DESC"):
        return 400, bad_request("sortBy or sortOrder is not one of the allowed values.")
    offset = 0
    if query.get("pageToken"):
        found = _untoken(one("pageToken", ""))
        if found is None or found[1:] != (sort_by, sort_order) or not 0 <= found[0] < SEARCH_LIMIT:
            return 400, bad_request("pageToken is invalid or does not belong to this search.")
        offset = found[0]
    with state.lock:
        state.tick()
        attribute = SORT_KEYS[sort_by]
        ordered = sorted(
            state.listings.values(),
            key=lambda li: (getattr(li, attribute), li.sku),
            reverse=sort_order == "DESC",
        )[:SEARCH_LIMIT]
        page = ordered[offset : offset + page_size]
        items = [listing_item_json(li, included=included, marketplace_ids=marketplaces) for li in page]
    body: dict[str, Any] = {"numberOfResults": len(ordered), "items": items}
    pagination = {}
    if offset + page_size < len(ordered):
        pagination["nextToken"] = _token(offset + page_size, sort_by, sort_order)
    if offset > 0:
        pagination["previousToken"] = _token(max(offset - page_size, 0), sort_by, sort_order)
    if pagination:
        body["pagination"] = pagination
    return 200, body
