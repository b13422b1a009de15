"""Pure functions from the generic protocol's JSON to the engine's DTOs."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from channels_app.connectors.dto import ListingDTO, OrderDTO, OrderLineDTO
from channels_app.connectors.errors import WebhookPayloadError
from channels_app.connectors.values import whole_number

ORDER_STATES = {"open", "cancelled", "fulfilled"}


def _decimal(value: Any) -> Decimal:
    try:
        return Decimal(str(value if value is not None else "0"))
    except InvalidOperation as exc:
        raise WebhookPayloadError(f"Not a number: {value!r}") from exc


def _datetime(value: Any) -> datetime:
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError as exc:
        raise WebhookPayloadError(f"Not a date: {value!r}") from exc
    if parsed.tzinfo is None:
        raise WebhookPayloadError(f"Date without a time zone: {value!r}")
    return parsed


def order_from_json(data: Mapping[str, Any]) -> OrderDTO:
    """An order snapshot; raises WebhookPayloadError when a required field is missing or wrong."""
    try:
        status = data["status"]
        if status not in ORDER_STATES:
            raise WebhookPayloadError(f"Unknown order status {status!r}")
        customer = data.get("customer") or {}
        lines = [
            OrderLineDTO(
                external_line_id=str(line["id"]),
                listing_external_id=str(line.get("listing_id") or ""),
                sku_code=str(line.get("sku") or ""),
                title=str(line.get("title") or ""),
                quantity=whole_number(line["quantity"]),
                unit_price=_decimal(line.get("price")),
                quantity_fulfilled=whole_number(line.get("fulfilled") or 0, what="fulfilled quantity"),
                quantity_cancelled=whole_number(line.get("cancelled") or 0, what="cancelled quantity"),
            )
            for line in data["lines"]
        ]
        return OrderDTO(
            external_id=str(data["id"]),
            status=status,
            updated_at=_datetime(data["updated_at"]),
            created_at=_datetime(data["created_at"]) if data.get("created_at") else None,
            lines=lines,
            is_paid=bool(data.get("paid", True)),
            currency=str(data.get("currency") or "USD")[:3],
            total=_decimal(data.get("total")),
            customer_name=str(customer.get("name") or ""),
            customer_email=str(customer.get("email") or ""),
            shipping_address=dict(data.get("shipping_address") or {}),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise WebhookPayloadError(f"Malformed order: {exc!r}") from exc


def listing_from_json(data: Mapping[str, Any]) -> ListingDTO:
    """A listing of the generic protocol."""
    return ListingDTO(
        external_id=str(data["id"]),
        sku_code=str(data.get("sku") or ""),
        title=str(data.get("title") or ""),
        quantity=int(data["quantity"]) if data.get("quantity") is not None else None,
        external_product_id=str(data.get("product_id") or ""),
    )
