"""Pure functions from WooCommerce's JSON to our DTOs, and which sales WooCommerce deducted.

WooCommerce lowers its own ``stock_quantity`` when an order enters on-hold, processing or
completed (or is paid), writing ``_reduced_stock`` on each line it reduced, and puts the units
back when the order goes to cancelled or pending (and failed, on recent versions), deleting that
meta. We take an order in (reserve our stock) exactly when WooCommerce has deducted it: then our
absolute figure, pushed after the intake, already contains the sale and WooCommerce's own
deduction is overwritten, never added to it. A pending or failed order WooCommerce has not
deducted is not taken in yet (:func:`order_from_json` returns None); it is when it is paid.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from channels_app.connectors.dto import ListingDTO, OrderDTO, OrderLineDTO, OrderState
from channels_app.connectors.errors import WebhookPayloadError

# Statuses in which WooCommerce core has deducted the order's managed lines from its stock.
DEDUCTED = frozenset({"on-hold", "processing", "completed"})
# Our state of a taken-in order by WooCommerce status (pending/failed: see ``order_from_json``).
STATES: Mapping[str, OrderState] = {
    "on-hold": "open",
    "processing": "open",
    "completed": "fulfilled",
    "cancelled": "cancelled",
    "refunded": "cancelled",
    "pending": "open",
    "failed": "open",
}
PAID = frozenset({"processing", "completed"})


def wc_datetime(value: object) -> datetime:
    """A ``*_gmt`` field (``YYYY-MM-DDTHH:MM:SS``, UTC without offset) as an aware datetime."""
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        raise WebhookPayloadError(f"Bad WooCommerce date {value!r}") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def wc_gmt(value: datetime) -> str:
    """``value`` as WooCommerce's GMT parameter format (seconds, no offset)."""
    return value.astimezone(UTC).replace(tzinfo=None, microsecond=0).isoformat()


def _money(value: object) -> Decimal:
    try:
        return Decimal(str(value or "0"))
    except InvalidOperation:
        return Decimal("0")


def listing_status(item: Mapping[str, Any]) -> str:
    """``managed`` (we push its stock_quantity), ``unmanaged`` (manage_stock false) or
    ``parent_managed`` (a variation whose stock is its parent's)."""
    manage = item.get("manage_stock")
    if manage == "parent":
        return "parent_managed"
    return "managed" if manage is True else "unmanaged"


def listing_from_product(item: Mapping[str, Any], *, parent: Mapping[str, Any] | None = None) -> ListingDTO:
    """A simple product, or a variation of ``parent``, as a listing; only managed ones are pushed."""
    status = listing_status(item)
    quantity = item.get("stock_quantity")
    item_id = str(item["id"])
    title = str(item.get("name") or (parent or {}).get("name") or "")
    if parent is not None:
        options = [str(a.get("option", "")) for a in item.get("attributes") or [] if isinstance(a, dict)]
        title = " - ".join([str(parent.get("name") or ""), *options]).strip(" -")
    return ListingDTO(
        external_id=item_id,
        sku_code=str(item.get("sku") or ""),
        title=title[:255],
        quantity=int(quantity) if status == "managed" and quantity is not None else None,
        external_product_id=str(parent["id"]) if parent is not None else item_id,
        external_variant_id=item_id if parent is not None else "",
        push_enabled=status == "managed",
        extra={"stock": status, "type": str(item.get("type") or ("variation" if parent else ""))},
    )


def _reduced(line: Mapping[str, Any]) -> int | None:
    """The line's ``_reduced_stock`` meta (units WooCommerce deducted), None when absent."""
    for meta in line.get("meta_data") or []:
        if isinstance(meta, dict) and meta.get("key") == "_reduced_stock":
            try:
                return int(str(meta.get("value")))
            except ValueError:
                return None
    return None


def wc_deducted(order: Mapping[str, Any]) -> bool:
    """Has WooCommerce deducted this order from its own stock? The lines' ``_reduced_stock``
    decide when present; otherwise the status (on-hold, processing, completed)."""
    reduced = [_reduced(line) for line in order.get("line_items") or [] if isinstance(line, dict)]
    if any(value is not None for value in reduced):
        return any((value or 0) > 0 for value in reduced)
    return str(order.get("status")) in DEDUCTED


def order_from_json(data: Mapping[str, Any]) -> OrderDTO | None:
    """An order snapshot, or None for one not to take in (yet): pending or failed and not
    deducted by WooCommerce, a checkout draft, or trashed. Raises WebhookPayloadError."""
    try:
        status = str(data["status"])
        order_id = str(data["id"])
        updated = wc_datetime(data.get("date_modified_gmt") or data.get("date_created_gmt"))
        raw_lines = data.get("line_items") or []
    except KeyError as exc:
        raise WebhookPayloadError(f"WooCommerce order without {exc}") from None
    if status not in STATES:
        return None
    if status in ("pending", "failed") and not wc_deducted(data):
        return None
    state = STATES[status]
    lines = []
    for line in raw_lines:
        if not isinstance(line, dict) or "id" not in line:
            raise WebhookPayloadError("WooCommerce order line without id")
        quantity = int(line.get("quantity") or 0)
        cancelled = 0
        reduced = _reduced(line)
        if status == "refunded" and reduced is not None:
            cancelled = max(quantity - reduced, 0)  # restocked by the refund
        listing_id = line.get("variation_id") or line.get("product_id") or ""
        lines.append(
            OrderLineDTO(
                external_line_id=str(line["id"]),
                quantity=quantity,
                sku_code=str(line.get("sku") or ""),
                listing_external_id=str(listing_id) if listing_id else "",
                title=str(line.get("name") or "")[:255],
                unit_price=_money(line.get("price")),
                quantity_cancelled=cancelled,
            )
        )
    if status == "refunded" and any(_reduced(line) for line in raw_lines if isinstance(line, dict)):
        state = "open"  # units sold and not restocked stay sold
    billing = data.get("billing") or {}
    shipping = data.get("shipping") or {}
    name = " ".join(str(billing.get(k) or "") for k in ("first_name", "last_name")).strip()
    created = data.get("date_created_gmt")
    return OrderDTO(
        external_id=order_id,
        status=state,
        updated_at=updated,
        lines=lines,
        created_at=wc_datetime(created) if created else None,
        is_paid=bool(data.get("date_paid_gmt")) or status in PAID,
        currency=str(data.get("currency") or "USD"),
        total=_money(data.get("total")),
        customer_name=name,
        customer_email=str(billing.get("email") or ""),
        shipping_address=dict(shipping) if isinstance(shipping, dict) else {},
    )
