"""The fake's Sell Inventory API: inventory items, offers, bulkUpdatePriceQuantity (25 per call,
250 revisions per listing per calendar day) and bulkMigrateListing (5 per call)."""

from __future__ import annotations

from config.sandbox.ebay.state import BULK_MAX, MIGRATE_MAX, REVISION_CAP, Offer, Refused, State, error

BASE = "/sell/inventory/v1"


def item_json(state: State, offer: Offer) -> dict:
    return {
        "sku": offer.sku,
        "locale": "en_US",
        "condition": "NEW",
        "availability": {"shipToLocationAvailability": {"quantity": offer.quantity}},
        "product": {"title": offer.sku.title()},
        "groupIds": [],
        "inventoryItemGroupKeys": [],
    }


def offer_json(offer: Offer) -> dict:
    data = {
        "offerId": offer.offer_id,
        "sku": offer.sku,
        "marketplaceId": offer.marketplace,
        "format": "FIXED_PRICE",
        "availableQuantity": offer.quantity,
        "status": "PUBLISHED" if offer.published else "UNPUBLISHED",
        "pricingSummary": {"price": {"value": offer.price, "currency": "USD"}},
    }
    if offer.published:
        data["listing"] = {
            "listingId": offer.listing_id,
            "listingStatus": "ACTIVE",
            "soldQuantity": offer.sold,
        }
    return data


def _int(query: dict, name: str, default: int, low: int, high: int) -> int:
    raw = (query.get(name) or [str(default)])[0]
    try:
        value = int(raw)
    except ValueError:
        value = -1
    if not low <= value <= high:
        raise Refused(400, 25706, f"You have provided invalid pagination values. {name}={raw}.")
    return value


def items_get(state: State, *, url: str, query: dict) -> dict:
    """getInventoryItems: limit 1..200 (default 25); ``offset`` = records skipped; ``next``."""
    limit = _int(query, "limit", 25, 1, 200)
    offset = _int(query, "offset", 0, 0, 10**9)
    with state.lock:
        offers = sorted(state.offers.values(), key=lambda o: o.sku)
        page = offers[offset : offset + limit]
        data = {
            "href": f"{url}{BASE}/inventory_item?limit={limit}&offset={offset}",
            "limit": limit,
            "size": len(page),
            "total": len(offers),
            "inventoryItems": [item_json(state, o) for o in page],
        }
    if offset + limit < len(offers):
        data["next"] = f"{url}{BASE}/inventory_item?limit={limit}&offset={offset + limit}"
    return data


def offers_get(state: State, *, url: str, query: dict) -> dict:
    """getOffers by SKU; 404 errorId 25713 when the SKU has no offer."""
    sku = (query.get("sku") or [""])[0]
    with state.lock:
        offer = state.offers.get(state.by_sku.get(sku, ""))
        if offer is None:
            raise Refused(404, 25713, f"This Offer is not available : {sku}.")
        return {
            "href": f"{url}{BASE}/offer?sku={sku}&limit=100&offset=0",
            "limit": 100,
            "size": 1,
            "total": 1,
            "offers": [offer_json(offer)],
        }


def offer_get(state: State, offer_id: str) -> dict:
    with state.lock:
        offer = state.offers.get(offer_id)
        if offer is None:
            raise Refused(404, 25713, f"This Offer is not available : {offer_id}.")
        return offer_json(offer)


def bulk_update(state: State, body: object) -> tuple[int, dict]:
    """bulkUpdatePriceQuantity: 1..25 elements; per element ``statusCode``; HTTP 200 or 207."""
    requests = body.get("requests") if isinstance(body, dict) else None
    if not isinstance(requests, list) or not 1 <= len(requests) <= BULK_MAX:
        raise Refused(400, 25002, f"A user error has occurred. requests must hold 1 to {BULK_MAX} elements.")
    responses = []
    seen: set[str] = set()
    with state.lock:
        for element in requests:
            responses.append(_element(state, element, seen))
    status = 200 if all(r["statusCode"] == 200 for r in responses) else 207
    return status, {"responses": responses}


def _element(state: State, element: object, seen: set[str]) -> dict:
    offers = element.get("offers") if isinstance(element, dict) else None
    if not isinstance(offers, list) or len(offers) != 1 or not isinstance(offers[0], dict):
        return {
            "statusCode": 400,
            "errors": [error(25002, "A user error has occurred. One offer per element.")],
        }
    wanted = offers[0]
    offer = state.offers.get(str(wanted.get("offerId")))
    if offer is None:
        return {
            "offerId": wanted.get("offerId"),
            "statusCode": 400,
            "errors": [error(25713, "This Offer is not available.")],
        }
    answer = {"offerId": offer.offer_id, "sku": offer.sku}
    if offer.offer_id in seen:
        return {
            **answer,
            "statusCode": 400,
            "errors": [error(25002, "A user error has occurred. Duplicate offerId.")],
        }
    seen.add(offer.offer_id)
    if not offer.published:
        return {
            **answer,
            "statusCode": 400,
            "errors": [error(25002, "A user error has occurred. The offer is not published.")],
        }
    quantity = wanted.get("availableQuantity")
    if "availableQuantity" not in wanted and "price" not in wanted:
        return {**answer, "statusCode": 400, "errors": [error(25709, "Invalid value for availableQuantity.")]}
    if quantity is not None and (not isinstance(quantity, int) or quantity < 0):
        return {**answer, "statusCode": 400, "errors": [error(25709, "Invalid value for availableQuantity.")]}
    key = (offer.listing_id, state.day())
    if state.revisions[key] >= REVISION_CAP:
        message = (
            "A user error has occurred. This listing has exceeded the maximum number of revisions "
            f"({REVISION_CAP}) allowed in a calendar day."
        )
        return {**answer, "statusCode": 400, "errors": [error(25002, message)]}
    state.revisions[key] += 1
    if quantity is not None:
        offer.quantity = quantity
    if isinstance(wanted.get("price"), dict):
        offer.price = str(wanted["price"].get("value", offer.price))
    return {**answer, "statusCode": 200}


def migrate(state: State, body: object) -> tuple[int, dict]:
    """bulkMigrateListing: 1..5 listing ids; eligible legacy listings become items + offers."""
    requests = body.get("requests") if isinstance(body, dict) else None
    if not isinstance(requests, list) or not 1 <= len(requests) <= MIGRATE_MAX:
        raise Refused(
            400, 25002, f"A user error has occurred. requests must hold 1 to {MIGRATE_MAX} listings."
        )
    responses = []
    with state.lock:
        for element in requests:
            listing_id = str((element or {}).get("listingId") or "")
            legacy = state.legacy.get(listing_id)
            why = _ineligible(legacy)
            if why:
                responses.append({"listingId": listing_id, "statusCode": 400, "errors": [error(25718, why)]})
                continue
            legacy.migrated = True
            offer = state.item_add(legacy.sku, legacy.quantity, listing_id=listing_id)
            responses.append(
                {
                    "listingId": listing_id,
                    "marketplaceId": "EBAY_US",
                    "statusCode": 200,
                    "inventoryItems": [{"sku": offer.sku, "offerId": offer.offer_id}],
                }
            )
    status = 200 if all(r["statusCode"] == 200 for r in responses) else 207
    return status, {"responses": responses}


def _ineligible(legacy) -> str:
    if legacy is None:
        return "The listing does not exist or is not an active listing of this seller."
    if legacy.migrated:
        return "The listing has already been migrated."
    if not legacy.fixed_price:
        return "Only fixed-price listings can be migrated."
    if not legacy.sku:
        return "Every item of the listing needs a seller-defined SKU."
    if not legacy.business_policies:
        return "The listing must use business policies (payment with immediate pay, return, shipping)."
    if not legacy.location:
        return "The listing needs a postal code or city."
    return ""
