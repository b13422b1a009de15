"""Pure functions from Etsy's JSON (ShopListing with its inventory, ShopReceipt) to our DTOs.

A listing of ours is one SKU of one Etsy listing: external id ``<listing_id>:<sku>`` (product
and offering ids change on every inventory write, so they are never kept). Products without a
SKU cannot be linked and are left out.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from channels_app.connectors.dto import ListingDTO, OrderDTO, OrderLineDTO
from channels_app.connectors.etsy.inventory import price_decimal, put_body, sku_quantity, skus_of

CANCELLED = {"canceled", "cancelled", "fully refunded"}


def external_id(*, listing_id: int | str, sku: str) -> str:
    """Our listing id of ``sku`` in Etsy listing ``listing_id``."""
    return f"{listing_id}:{sku}"


def external_id_split(value: str) -> tuple[str, str]:
    """(listing id, sku) of an :func:`external_id`."""
    listing_id, _, sku = value.partition(":")
    return listing_id, sku


def buyable(listing: Mapping[str, Any], sku: str) -> int | None:
    """What a buyer can buy of ``sku`` now: 0 unless the listing is active."""
    inventory = listing.get("inventory") or {}
    shown = sku_quantity(put_body(inventory), sku)
    if shown is None:
        return None
    return shown if listing.get("state", "active") == "active" else 0


def listings_from_shop_listing(listing: Mapping[str, Any]) -> list[ListingDTO]:
    """One DTO per SKU of a ShopListing fetched with ``includes=Inventory``."""
    inventory = listing.get("inventory") or {}
    listing_id = str(listing["listing_id"])
    return [
        ListingDTO(
            external_id=external_id(listing_id=listing_id, sku=sku),
            sku_code=sku,
            title=str(listing.get("title") or "")[:500],
            quantity=buyable(listing, sku),
            external_product_id=listing_id,
            extra={"listing_id": listing_id, "state": str(listing.get("state") or "")},
        )
        for sku in skus_of(inventory)
    ]


def _moment(value: Any) -> datetime | None:
    if value in (None, ""):
        return None
    return datetime.fromtimestamp(int(value), tz=UTC)


def _money(value: Any) -> Decimal:
    if isinstance(value, Mapping) and "amount" in value:
        return price_decimal(value)
    return Decimal("0")


def order_from_receipt(receipt: Mapping[str, Any]) -> OrderDTO:
    """A ShopReceipt (current shape: ``status``, ``transactions[]`` with ``sku``) as an order."""
    status_text = str(receipt.get("status") or "").lower()
    shipped = bool(receipt.get("is_shipped"))
    if status_text in CANCELLED:
        status = "cancelled"
    elif shipped or status_text == "completed":
        status = "fulfilled"
    else:
        status = "open"
    lines = []
    for item in receipt.get("transactions") or []:
        sku = str(item.get("sku") or "")
        quantity = int(item.get("quantity") or 0)
        done = shipped or bool(item.get("shipped_timestamp"))
        lines.append(
            OrderLineDTO(
                external_line_id=str(item["transaction_id"]),
                quantity=quantity,
                sku_code=sku,
                listing_external_id=external_id(listing_id=item.get("listing_id", ""), sku=sku)
                if sku
                else "",
                title=str(item.get("title") or "")[:255],
                unit_price=_money(item.get("price")),
                quantity_fulfilled=quantity if done and status != "cancelled" else 0,
                quantity_cancelled=quantity if status == "cancelled" else 0,
            )
        )
    updated = receipt.get("updated_timestamp") or receipt.get("update_timestamp")
    created = receipt.get("created_timestamp") or receipt.get("create_timestamp")
    total = receipt.get("grandtotal") or {}
    return OrderDTO(
        external_id=str(receipt["receipt_id"]),
        status=status,
        updated_at=_moment(updated) or datetime.now(UTC),
        created_at=_moment(created),
        lines=lines,
        is_paid=bool(receipt.get("is_paid", True)),
        currency=str(total.get("currency_code") or "USD") if isinstance(total, Mapping) else "USD",
        total=_money(total),
        customer_name=str(receipt.get("name") or ""),
        customer_email=str(receipt.get("buyer_email") or ""),
        shipping_address={
            key: receipt[key]
            for key in ("first_line", "second_line", "city", "state", "zip", "country_iso")
            if receipt.get(key)
        },
    )
