"""Pure functions from BigCommerce JSON to our DTOs (no HTTP).

Listings are catalog variants (external id = the variant id). A product's ``inventory_tracking``
decides how its stock is addressed (BigCommerce refuses the other identity with a 422):
``product`` - one listing, the base variant, written by ``product_id``; ``variant`` - one listing
per variant, written by ``variant_id``; ``none`` - listed but not pushed (BigCommerce tracks no
stock for it).

Order statuses (v2 ``status_id``; BigCommerce renames them with custom labels, the ids stay), our
state:

====  ==========================  ==========
id    BigCommerce                 ours
====  ==========================  ==========
0     Incomplete                  not an order yet (ignored)
1     Pending                     open (unpaid)
7     Awaiting Payment            open (unpaid)
12    Manual Verification         open (unpaid)
11    Awaiting Fulfillment        open
8/9   Awaiting Pickup / Shipment  open
3     Partially Shipped           open (lines' ``quantity_shipped`` fulfilled)
13    Disputed                    open
14    Partially Refunded          open (refunded, unshipped units cancelled)
2     Shipped                     fulfilled
10    Completed                   fulfilled
4     Refunded                    cancelled
5     Cancelled                   cancelled
6     Declined                    cancelled
====  ==========================  ==========
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from email.utils import parsedate_to_datetime
from typing import Any

from channels_app.connectors.dto import ListingDTO, OrderDTO, OrderLineDTO, OrderState
from channels_app.connectors.errors import ConnectorError

INCOMPLETE = 0
CANCELLED_STATUSES = frozenset({4, 5, 6})
FULFILLED_STATUSES = frozenset({2, 10})
UNPAID_STATUSES = frozenset({1, 7, 12})
KNOWN_STATUSES = frozenset(range(15))


def order_state(status_id: int) -> OrderState:
    """Our state of a BigCommerce status id (the module's table); ConnectorError for 0 or unknown."""
    if status_id not in KNOWN_STATUSES or status_id == INCOMPLETE:
        raise ConnectorError(f"BigCommerce order status {status_id} is not an order to take in")
    if status_id in CANCELLED_STATUSES:
        return "cancelled"
    if status_id in FULFILLED_STATUSES:
        return "fulfilled"
    return "open"


def bc_time(value: object) -> datetime | None:
    """A v2 date (RFC 2822, "Fri, 01 May 2026 09:55:03 +0000") or ISO 8601, as aware UTC."""
    if not value or not isinstance(value, str):
        return None
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _decimal(value: object) -> Decimal:
    try:
        return Decimal(str(value)) if value not in (None, "") else Decimal("0")
    except InvalidOperation:
        return Decimal("0")


def _int(value: object) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def order_line_from_json(row: Mapping[str, Any], *, status_id: int) -> OrderLineDTO:
    """One v2 order product as our line (cumulative shipped and cancelled quantities)."""
    quantity = _int(row.get("quantity"))
    shipped = min(_int(row.get("quantity_shipped")), quantity)
    if status_id in FULFILLED_STATUSES:
        shipped = quantity
    refunded = min(_int(row.get("quantity_refunded")), quantity - shipped)
    return OrderLineDTO(
        external_line_id=str(row["id"]),
        quantity=quantity,
        sku_code=str(row.get("sku") or ""),
        listing_external_id=str(row.get("variant_id") or ""),
        title=str(row.get("name") or ""),
        unit_price=_decimal(row.get("base_price") or row.get("price_inc_tax")),
        quantity_fulfilled=shipped,
        quantity_cancelled=max(refunded, 0),
    )


def order_from_json(order: Mapping[str, Any], products: Sequence[Mapping[str, Any]]) -> OrderDTO:
    """A v2 order and its products as our snapshot; ConnectorError when malformed or incomplete."""
    try:
        status_id = int(order["status_id"])
        external_id = str(int(order["id"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise ConnectorError(f"Malformed BigCommerce order: {exc!r}") from None
    state = order_state(status_id)
    updated_at = bc_time(order.get("date_modified")) or bc_time(order.get("date_created"))
    if updated_at is None:
        raise ConnectorError(f"BigCommerce order {external_id} has no date_modified")
    billing = order.get("billing_address") if isinstance(order.get("billing_address"), Mapping) else {}
    name = " ".join(str(billing.get(k) or "") for k in ("first_name", "last_name")).strip()
    try:
        lines = [
            order_line_from_json(row, status_id=status_id) for row in products if row.get("id") is not None
        ]
    except (KeyError, TypeError) as exc:
        raise ConnectorError(f"Malformed products of BigCommerce order {external_id}: {exc!r}") from None
    return OrderDTO(
        external_id=external_id,
        status=state,
        updated_at=updated_at,
        created_at=bc_time(order.get("date_created")),
        lines=lines,
        is_paid=status_id not in UNPAID_STATUSES,
        currency=str(order.get("currency_code") or "USD"),
        total=_decimal(order.get("total_inc_tax")),
        customer_name=name,
        customer_email=str(billing.get("email") or ""),
    )


def listings_from_product(product: Mapping[str, Any]) -> list[ListingDTO]:
    """The listings of one v3 catalog product fetched with ``include=variants``."""
    tracking = str(product.get("inventory_tracking") or "none")
    product_id = str(product["id"])
    variants = [v for v in product.get("variants") or [] if isinstance(v, Mapping)]
    base_id = product.get("base_variant_id")
    if tracking == "product" or (tracking == "none" and base_id):
        chosen: Iterable[Mapping[str, Any]] = [v for v in variants if v.get("id") == base_id] or variants[:1]
    else:
        chosen = [v for v in variants if v.get("option_values") or not base_id] or variants
    listings = []
    for variant in chosen:
        sku = str(variant.get("sku") or (product.get("sku") if tracking == "product" else "") or "")
        quantity = product.get("inventory_level") if tracking == "product" else variant.get("inventory_level")
        listings.append(
            ListingDTO(
                external_id=str(variant["id"]),
                sku_code=sku,
                title=str(product.get("name") or sku),
                quantity=None if tracking == "none" or quantity is None else int(quantity),
                external_product_id=product_id,
                external_variant_id=str(variant["id"]),
                push_enabled=tracking != "none",
                extra={"inventory_tracking": tracking},
            )
        )
    return listings


def adjustment_item(
    *, tracking: str, product_id: str, variant_id: str, location_id: int, quantity: int
) -> dict:
    """One item of an absolute adjustment, with exactly the identity BigCommerce tracks it by."""
    if tracking == "product":
        return {"location_id": location_id, "product_id": int(product_id), "quantity": quantity}
    return {"location_id": location_id, "variant_id": int(variant_id), "quantity": quantity}
