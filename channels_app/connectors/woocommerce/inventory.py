"""Listings and quantity pushes: products, their variations, and the batch routes.

Pushes go to ``products/batch`` (simple products) and ``products/{parent}/variations/batch``
(variations), at most :data:`BATCH_LIMIT` objects a request (WooCommerce refuses more, whole, with
413). Only ``stock_quantity`` is sent: we never change the seller's ``manage_stock``. WooCommerce
echoes each object; a per-item ``error``, or an echo without our quantity (the object does not
manage stock: WooCommerce ignores the figure silently), is an error for that listing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from channels_app.connectors.dto import ListingDTO, ListingRef, PushResult, QuantityUpdate
from channels_app.connectors.errors import ConnectorError
from channels_app.connectors.woocommerce.client import WooClient
from channels_app.connectors.woocommerce.mapping import listing_from_product

BATCH_LIMIT = 100
PRODUCT_FIELDS = "id,name,type,sku,manage_stock,stock_quantity,stock_status,variations"
VARIATION_FIELDS = "id,sku,manage_stock,stock_quantity,stock_status,attributes"


def listings_page(*, client: WooClient, page: int) -> tuple[list[ListingDTO], int]:
    """Listings of one page of products: simple products, and every variation of each variable
    product on the page (variable parents themselves are not listings). Returns (listings,
    total pages of products)."""
    params = {"orderby": "id", "order": "asc", "_fields": PRODUCT_FIELDS}
    products, pages = client.page("products", params=params, page=page)
    listings: list[ListingDTO] = []
    for product in products:
        if product.get("type") == "variable":
            variations = client.every(
                f"products/{product['id']}/variations",
                params={"orderby": "id", "order": "asc", "_fields": VARIATION_FIELDS},
            )
            listings.extend(listing_from_product(v, parent=product) for v in variations)
        elif product.get("type") in ("simple", None, ""):
            listings.append(listing_from_product(product))
    return listings, pages


def _route(ref: ListingRef) -> str:
    if ref.external_variant_id:
        return f"products/{ref.external_product_id}/variations"
    return "products"


def quantities_read(*, client: WooClient, listings: Sequence[ListingRef]) -> dict[str, int]:
    """Live ``stock_quantity`` of managed listings, one list call per route and 100 ids."""
    by_route: dict[str, list[str]] = defaultdict(list)
    for ref in listings:
        by_route[_route(ref)].append(ref.external_id)
    found: dict[str, int] = {}
    for route, ids in by_route.items():
        for start in range(0, len(ids), BATCH_LIMIT):
            chunk = ids[start : start + BATCH_LIMIT]
            params = {"include": ",".join(chunk), "_fields": "id,manage_stock,stock_quantity"}
            for item in client.every(route, params=params):
                if item.get("manage_stock") is True and item.get("stock_quantity") is not None:
                    found[str(item["id"])] = int(item["stock_quantity"])
    return found


def push_batches(updates: Sequence[QuantityUpdate], *, limit: int) -> list[tuple[str, list[QuantityUpdate]]]:
    """The batch requests a push needs: (route, updates) with at most ``limit`` updates each."""
    by_route: dict[str, list[QuantityUpdate]] = defaultdict(list)
    for update in updates:
        by_route[_route(update.listing)].append(update)
    return [
        (route, items[start : start + limit])
        for route, items in by_route.items()
        for start in range(0, len(items), limit)
    ]


def _result(update: QuantityUpdate, echo: dict[str, Any] | None) -> PushResult:
    external_id = update.listing.external_id
    if echo is None:
        return PushResult(external_id=external_id, outcome="error", error="WooCommerce did not answer for it")
    if isinstance(echo.get("error"), dict):
        error = echo["error"]
        return PushResult(
            external_id=external_id, outcome="error", error=f"{error.get('code')}: {error.get('message')}"
        )
    if echo.get("stock_quantity") != update.quantity:
        return PushResult(
            external_id=external_id,
            outcome="error",
            error="WooCommerce does not manage this item's stock (manage_stock is off): not pushed",
        )
    return PushResult(external_id=external_id, outcome="ok", observed=update.quantity)


def quantities_send(*, client: WooClient, updates: Sequence[QuantityUpdate], limit: int) -> list[PushResult]:
    """Set every update's ``stock_quantity`` through the batch routes; one result per update."""
    results: list[PushResult] = []
    for route, items in push_batches(updates, limit=min(limit, BATCH_LIMIT)):
        body = {"update": [{"id": int(u.listing.external_id), "stock_quantity": u.quantity} for u in items]}
        answer = client.call("POST", f"{route}/batch", json=body)
        if not isinstance(answer, dict):
            raise ConnectorError(f"POST {route}/batch: unexpected answer")
        echoes = {str(e.get("id")): e for e in answer.get("update") or [] if isinstance(e, dict)}
        results.extend(_result(u, echoes.get(u.listing.external_id)) for u in items)
    return results
