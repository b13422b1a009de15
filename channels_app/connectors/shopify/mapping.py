"""Pure functions from Shopify JSON (REST-style webhook bodies, GraphQL nodes) to the engine's DTOs.

Ids: listings are keyed by the variant's Global ID (``gid://shopify/ProductVariant/<n>``), which
both webhook line items (``variant_id``) and GraphQL line items (``variant { id }``) name; orders
and order lines by their numeric ids, which both representations share (``id`` in REST, the tail
of the Global ID in GraphQL).

Line quantities. ``quantity`` is what was ordered; units removed before shipping (refunds of
unfulfilled units, order edits) are ``quantity_cancelled``; shipped units ``quantity_fulfilled``.
Shopify reports ``currentQuantity`` (ordered minus removed, shipped returns included) and
``unfulfilledQuantity``/``nonFulfillableQuantity``: shipped = quantity - unfulfilled -
non-fulfillable; removed before shipping = min(quantity - current - returned, quantity - shipped),
where ``returned`` comes from the refunds' ``restock_type == "return"`` lines when the webhook
body carries them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from channels_app.connectors.dto import ListingDTO, OrderDTO, OrderLineDTO, OrderState
from channels_app.connectors.errors import ConnectorError, WebhookPayloadError
from channels_app.connectors.values import whole_number

PAID = {"paid", "partially_refunded", "refunded"}
ADDRESS_FIELDS = (
    "name", "first_name", "last_name", "company", "address1", "address2", "city", "province",
    "province_code", "zip", "country", "country_code", "phone",
)  # fmt: skip


def gid(type_name: str, number: object) -> str:
    """``gid://shopify/<type>/<number>`` (a Global ID passes through unchanged)."""
    text = str(number)
    return text if text.startswith("gid://") else f"gid://shopify/{type_name}/{text}"


def gid_tail(value: object) -> str:
    """The numeric part of a Global ID (``gid://shopify/Order/12?x=1`` -> ``12``); numbers as text."""
    text = str(value or "")
    return text.rsplit("/", 1)[-1].split("?", 1)[0] if text.startswith("gid://") else text


def _datetime(value: Any) -> datetime:
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError as exc:
        raise WebhookPayloadError(f"Not a date: {value!r}") from exc
    if parsed.tzinfo is None:
        raise WebhookPayloadError(f"Date without a time zone: {value!r}")
    return parsed


def _decimal(value: Any) -> Decimal:
    try:
        return Decimal(str(value if value not in (None, "") else "0"))
    except InvalidOperation as exc:
        raise WebhookPayloadError(f"Not a number: {value!r}") from exc


def _state(*, cancelled: bool, fulfillment: str | None) -> OrderState:
    if cancelled:
        return "cancelled"
    return "fulfilled" if (fulfillment or "").lower() == "fulfilled" else "open"


def _line(
    *,
    line_id: str,
    variant_id: object,
    sku: str,
    title: str,
    quantity: int,
    current: int,
    shipped: int,
    returned: int = 0,
    price: Decimal = Decimal("0"),
) -> OrderLineDTO:
    shipped = max(min(shipped, quantity), 0)
    removed = max(min(quantity - current - returned, quantity - shipped), 0)
    return OrderLineDTO(
        external_line_id=line_id,
        listing_external_id=gid("ProductVariant", variant_id) if variant_id else "",
        sku_code=sku,
        title=title,
        quantity=quantity,
        unit_price=price,
        quantity_fulfilled=shipped,
        quantity_cancelled=removed,
    )


def _rest_shipped(data: Mapping[str, Any]) -> dict[str, int]:
    shipped: dict[str, int] = defaultdict(int)
    for fulfillment in data.get("fulfillments") or []:
        if str(fulfillment.get("status") or "success").lower() not in ("success", "open", "pending"):
            continue
        for line in fulfillment.get("line_items") or []:
            shipped[str(line["id"])] += whole_number(line.get("quantity") or 0)
    return shipped


def _rest_returned(data: Mapping[str, Any]) -> dict[str, int]:
    returned: dict[str, int] = defaultdict(int)
    for refund in data.get("refunds") or []:
        for line in refund.get("refund_line_items") or []:
            if line.get("restock_type") == "return":
                returned[str(line["line_item_id"])] += whole_number(line.get("quantity") or 0)
    return returned


def _address(data: Any) -> dict[str, object]:
    if not isinstance(data, Mapping):
        return {}
    return {key: data[key] for key in ADDRESS_FIELDS if data.get(key) not in (None, "")}


def order_from_rest(data: Mapping[str, Any], *, fallback_updated_at: str = "") -> OrderDTO:
    """An order webhook body (REST representation) as a snapshot; WebhookPayloadError if malformed.

    ``fallback_updated_at`` (the delivery's X-Shopify-Triggered-At) is used only when the body has
    no ``updated_at`` (a subscription with ``includeFields``).
    """
    try:
        shipped, returned = _rest_shipped(data), _rest_returned(data)
        lines = []
        for item in data["line_items"]:
            line_id = str(item["id"])
            quantity = whole_number(item["quantity"])
            current = (
                whole_number(item["current_quantity"], what="current quantity")
                if item.get("current_quantity") is not None
                else quantity
            )
            done = shipped.get(line_id, 0)
            if not done and item.get("fulfillment_status") == "fulfilled":
                done = current
            lines.append(
                _line(
                    line_id=line_id,
                    variant_id=item.get("variant_id"),
                    sku=str(item.get("sku") or ""),
                    title=str(item.get("name") or item.get("title") or ""),
                    quantity=quantity,
                    current=current,
                    shipped=done,
                    returned=returned.get(line_id, 0),
                    price=_decimal(item.get("price")),
                )
            )
        customer = data.get("customer") if isinstance(data.get("customer"), Mapping) else {}
        shipping = _address(data.get("shipping_address"))
        name = " ".join(str(customer.get(k) or "") for k in ("first_name", "last_name")).strip()
        updated = data.get("updated_at") or fallback_updated_at
        return OrderDTO(
            external_id=str(data["id"]),
            status=_state(
                cancelled=bool(data.get("cancelled_at")), fulfillment=data.get("fulfillment_status")
            ),
            updated_at=_datetime(updated),
            created_at=_datetime(data["created_at"]) if data.get("created_at") else None,
            lines=lines,
            is_paid=str(data.get("financial_status") or "").lower() in PAID,
            currency=str(data.get("currency") or "USD")[:3],
            total=_decimal(data.get("total_price")),
            customer_name=name or str(shipping.get("name") or ""),
            customer_email=str(data.get("email") or data.get("contact_email") or ""),
            shipping_address=shipping,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise WebhookPayloadError(f"Malformed Shopify order: {exc!r}") from exc


def graphql_line(node: Mapping[str, Any]) -> OrderLineDTO:
    """A GraphQL ``LineItem`` node as an order line."""
    quantity = int(node["quantity"])
    unfulfilled = int(node.get("unfulfilledQuantity") or 0)
    non_fulfillable = int(node.get("nonFulfillableQuantity") or 0)
    variant = node.get("variant") or {}
    return _line(
        line_id=gid_tail(node["id"]),
        variant_id=variant.get("id"),
        sku=str(node.get("sku") or ""),
        title=str(node.get("title") or ""),
        quantity=quantity,
        current=int(node.get("currentQuantity", quantity)),
        shipped=quantity - unfulfilled - non_fulfillable,
    )


def order_from_graphql(node: Mapping[str, Any], *, extra_lines: Sequence[Mapping[str, Any]] = ()) -> OrderDTO:
    """A GraphQL ``Order`` node (``StockmasterOrder`` fragment) as a snapshot.

    ``extra_lines`` are line item nodes of further pages. Raises ConnectorError when malformed.
    The fields the fragment reads carry no prices, totals or addresses: an order first seen by a
    poll is created without them (see the package notes).
    """
    try:
        nodes = [*node["lineItems"]["nodes"], *extra_lines]
        return OrderDTO(
            external_id=str(node.get("legacyResourceId") or gid_tail(node["id"])),
            status=_state(
                cancelled=bool(node.get("cancelledAt")), fulfillment=node.get("displayFulfillmentStatus")
            ),
            updated_at=_datetime(node["updatedAt"]),
            created_at=_datetime(node["createdAt"]) if node.get("createdAt") else None,
            lines=[graphql_line(line) for line in nodes],
            is_paid=str(node.get("displayFinancialStatus") or "").lower() in PAID,
            currency=str(node.get("currencyCode") or "USD")[:3],
            customer_email=str(node.get("email") or ""),
        )
    except (KeyError, TypeError, ValueError, WebhookPayloadError) as exc:
        raise ConnectorError(f"Malformed Shopify order node: {exc!r}") from None


def available_of(level: Mapping[str, Any] | None) -> int | None:
    """The "available" quantity of an ``InventoryLevel`` node (None: not stocked there)."""
    if not level:
        return None
    for quantity in level.get("quantities") or []:
        if quantity.get("name") == "available":
            return int(quantity["quantity"])
    return None


def listing_from_graphql(node: Mapping[str, Any], *, location_id: str) -> ListingDTO:
    """A ``ProductVariant`` node (``StockmasterVariants``) as a listing pushed at ``location_id``.

    Variants whose inventory is not tracked, or not stocked at the location, are imported with
    pushing switched off (Shopify would refuse the quantity).
    """
    try:
        item = node.get("inventoryItem") or {}
        product = node.get("product") or {}
        level = item.get("inventoryLevel")
        tracked = bool(item.get("tracked"))
        return ListingDTO(
            external_id=str(node["id"]),
            sku_code=str(node.get("sku") or ""),
            title=str(node.get("displayName") or product.get("title") or ""),
            quantity=available_of(level),
            external_product_id=str(product.get("id") or ""),
            external_variant_id=str(node["id"]),
            external_inventory_item_id=str(item.get("id") or ""),
            push_enabled=tracked and level is not None,
            extra={
                "location_id": location_id,
                "product_status": product.get("status") or "",
                "inventory_policy": node.get("inventoryPolicy") or "",
                "tracked": tracked,
            },
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ConnectorError(f"Malformed Shopify variant node: {exc!r}") from None


def fulfilment_plan(
    *, fulfillment_orders: Sequence[Mapping[str, Any]], lines: Mapping[str, int]
) -> tuple[dict[str, list[tuple[str, str, int]]], dict[str, int]]:
    """Spread shipped ``lines`` (order line id -> units) over the open fulfillment order lines.

    Returns ``({location id: [(fulfillment order id, fulfillment order line id, units)]},
    {line id: units left over})``; units that no open fulfillment order line can take are left
    over (already fulfilled, or not in the order).
    """
    wanted = {gid_tail(key): int(qty) for key, qty in lines.items() if int(qty) > 0}
    plan: dict[str, list[tuple[str, str, int]]] = defaultdict(list)
    for order in fulfillment_orders:
        if order.get("status") not in ("OPEN", "IN_PROGRESS"):
            continue
        location = ((order.get("assignedLocation") or {}).get("location") or {}).get("id") or ""
        for item in (order.get("lineItems") or {}).get("nodes") or []:
            line_id = gid_tail((item.get("lineItem") or {}).get("id"))
            take = min(wanted.get(line_id, 0), int(item.get("remainingQuantity") or 0))
            if take > 0:
                plan[location].append((str(order["id"]), str(item["id"]), take))
                wanted[line_id] -= take
    return dict(plan), {key: qty for key, qty in wanted.items() if qty > 0}
