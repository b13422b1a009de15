"""Pure functions from eBay's JSON to our DTOs (no I/O)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from channels_app.connectors.dto import ListingDTO, OrderDTO, OrderLineDTO
from channels_app.connectors.errors import ConnectorError

CANCELLED_PAYMENT = {"FAILED", "FULLY_REFUNDED"}


def ebay_time(value: datetime) -> str:
    """An eBay filter timestamp: ISO 8601 UTC with milliseconds and ``Z``."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def parse_time(value: str | None) -> datetime | None:
    """An eBay timestamp (``2026-12-06T23:01:12.000Z``) as an aware datetime."""
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _money(value: Any) -> Decimal:
    try:
        return Decimal(str((value or {}).get("value") or "0"))
    except (InvalidOperation, AttributeError):
        return Decimal("0")


def offer_chosen(offers: Sequence[Mapping[str, Any]], *, marketplace_id: str) -> Mapping[str, Any] | None:
    """The SKU's fixed-price offer on the account's marketplace (None: the SKU has none)."""
    for offer in offers:
        if (
            offer.get("marketplaceId") == marketplace_id
            and offer.get("format", "FIXED_PRICE") == "FIXED_PRICE"
        ):
            return offer
    return None


def listing_from_item(item: Mapping[str, Any], offer: Mapping[str, Any] | None) -> ListingDTO:
    """One inventory item (external id = SKU) with its offer (pushes address the offerId; the
    listingId counts the daily revisions). Without a published fixed-price offer it is imported
    with pushes off and says why."""
    sku = str(item["sku"])
    title = str((item.get("product") or {}).get("title") or sku)
    ship = ((item.get("availability") or {}).get("shipToLocationAvailability") or {}).get("quantity")
    if offer is None:
        return ListingDTO(
            external_id=sku,
            sku_code=sku,
            title=title,
            quantity=ship,
            push_enabled=False,
            extra={"why_not_synced": "no fixed-price offer on this marketplace"},
        )
    listing = offer.get("listing") or {}
    published = offer.get("status") == "PUBLISHED" and bool(listing.get("listingId"))
    extra: dict[str, object] = {"listing_id": str(listing.get("listingId") or "")}
    if not published:
        extra["why_not_synced"] = "the offer is not published (no live listing)"
    return ListingDTO(
        external_id=sku,
        sku_code=sku,
        title=title,
        quantity=offer.get("availableQuantity", ship),
        external_product_id=str(listing.get("listingId") or ""),
        external_offer_id=str(offer["offerId"]),
        push_enabled=published,
        extra=extra,
    )


def order_from_json(data: Mapping[str, Any]) -> OrderDTO:
    """A getOrders/getOrder ``Order`` as a whole snapshot. Cancelled: ``cancelState`` CANCELED or
    payment FAILED/FULLY_REFUNDED; fulfilled: orderFulfillmentStatus FULFILLED. No buyer personal
    data is kept (stock needs none; see the README on account deletion)."""
    try:
        payment = str(data.get("orderPaymentStatus") or "")
        cancelled = (data.get("cancelStatus") or {}).get(
            "cancelState"
        ) == "CANCELED" or payment in CANCELLED_PAYMENT
        lines = []
        for line in data.get("lineItems") or []:
            quantity = int(line["quantity"])
            fulfilled = quantity if line.get("lineItemFulfillmentStatus") == "FULFILLED" else 0
            cost = _money(line.get("lineItemCost"))
            lines.append(
                OrderLineDTO(
                    external_line_id=str(line["lineItemId"]),
                    quantity=quantity,
                    sku_code=str(line.get("sku") or ""),
                    listing_external_id=str(line.get("sku") or ""),
                    title=str(line.get("title") or ""),
                    unit_price=(cost / quantity) if quantity else cost,
                    quantity_fulfilled=fulfilled,
                    quantity_cancelled=quantity if cancelled else 0,
                )
            )
        if cancelled:
            status = "cancelled"
        elif data.get("orderFulfillmentStatus") == "FULFILLED":
            status = "fulfilled"
        else:
            status = "open"
        total = (data.get("pricingSummary") or {}).get("total")
        return OrderDTO(
            external_id=str(data["orderId"]),
            status=status,
            updated_at=parse_time(data.get("lastModifiedDate")) or datetime.now(UTC),
            created_at=parse_time(data.get("creationDate")),
            lines=lines,
            is_paid=payment in {"PAID", "PARTIALLY_REFUNDED"},
            currency=str((total or {}).get("currency") or "USD"),
            total=_money(total),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ConnectorError(f"Malformed eBay order: {exc!r}") from None
