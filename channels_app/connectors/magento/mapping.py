"""Pure functions from Magento's REST JSON to the engine's DTOs, and the open-order units Magento
reserves (what its salable quantity already lacks).

Orders: Magento's ``state`` decides (a store may add statuses, never states); ``status`` is kept as
a label. A configurable product's line appears twice, a parent row and a child row carrying the same
SKU (the child has ``parent_item_id``): units are counted on leaf rows only (rows no other row names
as parent), so nothing is counted twice. Timestamps are UTC ``YYYY-MM-DD HH:MM:SS``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from channels_app.connectors.dto import ListingDTO, OrderDTO, OrderLineDTO, OrderState
from channels_app.connectors.errors import WebhookPayloadError

# Magento order states -> ours. "closed" (refunded by a credit memo) depends on shipping.
OPEN_STATES = ("new", "pending_payment", "processing", "holded", "payment_review")
STATE_MAP: dict[str, OrderState] = {
    **dict.fromkeys(OPEN_STATES, "open"),
    "complete": "fulfilled",
    "canceled": "cancelled",
}
STOCK_TYPES = ("simple", "virtual")  # product types that hold source items


def magento_time(value: Any) -> datetime:
    """A Magento timestamp (UTC, "YYYY-MM-DD HH:MM:SS") as an aware datetime."""
    try:
        parsed = datetime.fromisoformat(str(value).replace(" ", "T").replace("Z", "+00:00"))
    except ValueError as exc:
        raise WebhookPayloadError(f"Not a Magento date: {value!r}") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def magento_time_format(value: datetime) -> str:
    """An aware datetime as Magento writes and filters timestamps (UTC)."""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def _units(value: Any) -> int:
    try:
        number = Decimal(str(value if value is not None else "0"))
    except InvalidOperation as exc:
        raise WebhookPayloadError(f"Not a quantity: {value!r}") from exc
    if number != number.to_integral_value() or number < 0:
        raise WebhookPayloadError(f"Not a whole quantity: {value!r}")
    return int(number)


def leaf_items(items: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The rows that carry stock: those no other row names as its parent."""
    rows = list(items)
    parents = {row.get("parent_item_id") for row in rows if row.get("parent_item_id")}
    return [row for row in rows if row.get("item_id") not in parents]


def order_state(data: Mapping[str, Any]) -> OrderState:
    """Our state of a Magento order ("closed": fulfilled when anything shipped, else cancelled)."""
    state = str(data.get("state") or "")
    if state == "closed":
        shipped = any(_units(i.get("qty_shipped")) for i in data.get("items") or [])
        return "fulfilled" if shipped else "cancelled"
    if state not in STATE_MAP:
        raise WebhookPayloadError(f"Unknown Magento order state {state!r}")
    return STATE_MAP[state]


def order_from_json(data: Mapping[str, Any]) -> OrderDTO:
    """An order snapshot of GET /V1/orders; WebhookPayloadError when a field is missing or wrong."""
    try:
        lines = []
        for row in leaf_items(data.get("items") or []):
            ordered = _units(row["qty_ordered"])
            shipped = min(_units(row.get("qty_shipped")), ordered)
            gone = _units(row.get("qty_canceled")) + _units(row.get("qty_refunded"))
            lines.append(
                OrderLineDTO(
                    external_line_id=str(row["item_id"]),
                    listing_external_id=str(row.get("sku") or ""),
                    sku_code=str(row.get("sku") or ""),
                    title=str(row.get("name") or ""),
                    quantity=ordered,
                    unit_price=Decimal(str(row.get("price") or 0)),
                    quantity_fulfilled=shipped,
                    quantity_cancelled=min(gone, ordered - shipped),
                )
            )
        name = " ".join(str(data.get(k) or "") for k in ("customer_firstname", "customer_lastname")).strip()
        return OrderDTO(
            external_id=str(data["entity_id"]),
            status=order_state(data),
            updated_at=magento_time(data["updated_at"]),
            created_at=magento_time(data["created_at"]) if data.get("created_at") else None,
            lines=lines,
            is_paid=data.get("state") not in ("pending_payment", "payment_review"),
            currency=str(data.get("order_currency_code") or "USD")[:3],
            total=Decimal(str(data.get("grand_total") or 0)),
            customer_name=name,
            customer_email=str(data.get("customer_email") or ""),
        )
    except (KeyError, TypeError, ValueError, InvalidOperation) as exc:
        raise WebhookPayloadError(f"Malformed Magento order: {exc!r}") from exc


def reserved_units(orders: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """SKU -> units Magento reserves for these orders: per leaf row, ordered minus shipped,
    canceled and refunded (its order_placed reservation less the compensations), open orders only."""
    reserved: dict[str, int] = {}
    for order in orders:
        if order.get("state") not in OPEN_STATES:
            continue
        for row in leaf_items(order.get("items") or []):
            if row.get("is_virtual") and row.get("product_type") not in STOCK_TYPES:
                continue
            left = _units(row.get("qty_ordered")) - sum(
                _units(row.get(k)) for k in ("qty_shipped", "qty_canceled", "qty_refunded")
            )
            if left > 0:
                sku = str(row.get("sku") or "")
                reserved[sku] = reserved.get(sku, 0) + left
    return reserved


def listing_from_product(data: Mapping[str, Any]) -> ListingDTO:
    """A listing of a simple (or virtual) product, the SKU being its external id."""
    return ListingDTO(
        external_id=str(data["sku"]),
        sku_code=str(data["sku"]),
        title=str(data.get("name") or ""),
        external_product_id=str(data.get("id") or ""),
        extra={"type_id": str(data.get("type_id") or "simple")},
    )
