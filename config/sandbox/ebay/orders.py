"""The fake's buyers and Sell Fulfillment API: checkout (its own stock deducted), getOrders
filtered on lastmodifieddate/creationdate with limit/offset, getOrder, createShippingFulfillment."""

from __future__ import annotations

import itertools
import re
from datetime import datetime

from config.sandbox.ebay.state import Order, OutOfStock, Refused, State, iso

BASE = "/sell/fulfillment/v1"
_line_ids = itertools.count(10056738920021)
_order_ids = itertools.count(3955)
FILTER = re.compile(r"^(lastmodifieddate|creationdate):\[([^\]]*)\]$")


def buy(state: State, *, sku: str, quantity: int) -> Order:
    """A buyer checks out ``quantity`` of ``sku`` (Inventory API or legacy listing), PAID."""
    with state.lock:
        offer = state.offers.get(state.by_sku.get(sku, ""))
        legacy = next((item for item in state.legacy.values() if item.sku == sku and not item.migrated), None)
        if offer is not None and offer.published:
            if quantity < 1 or offer.quantity < quantity:
                raise OutOfStock(sku)
            offer.quantity -= quantity
            offer.sold += quantity
            listing_id = offer.listing_id
        elif legacy is not None:
            if quantity < 1 or legacy.quantity < quantity:
                raise OutOfStock(sku)
            legacy.quantity -= quantity
            listing_id = legacy.listing_id
        else:
            raise OutOfStock(sku)
        now = state.clock()
        order = Order(
            order_id=f"12-{next(_order_ids):05d}-{now % 100000:05.0f}",
            created=now,
            modified=now,
            lines=[
                {
                    "lineItemId": str(next(_line_ids)),
                    "legacyItemId": listing_id,
                    "sku": sku,
                    "title": sku.title(),
                    "quantity": quantity,
                    "lineItemCost": {"value": f"{10 * quantity:.2f}", "currency": "USD"},
                    "soldFormat": "FIXED_PRICE",
                    "listingMarketplaceId": "EBAY_US",
                    "purchaseMarketplaceId": "EBAY_US",
                }
            ],
        )
        state.orders[order.order_id] = order
        return order


def cancel(state: State, order_id: str) -> Order:
    """The buyer's order is cancelled and refunded; its units come back to the listing."""
    with state.lock:
        order = state.orders[order_id]
        if order.cancel != "CANCELED":
            order.cancel, order.payment, order.modified = "CANCELED", "FULLY_REFUNDED", state.clock()
            for line in order.lines:
                offer = state.offers.get(state.by_sku.get(line["sku"], ""))
                if offer is not None:
                    offer.quantity += line["quantity"]
        return order


def order_json(state: State, order: Order) -> dict:
    shipped = {f["lineItemId"] for f in order.fulfillments}
    lines = [
        {**line, "lineItemFulfillmentStatus": "FULFILLED" if line["lineItemId"] in shipped else "NOT_STARTED"}
        for line in order.lines
    ]
    status = (
        "FULFILLED"
        if lines and all(li["lineItemFulfillmentStatus"] == "FULFILLED" for li in lines)
        else ("IN_PROGRESS" if shipped else "NOT_STARTED")
    )
    total = sum(float(li["lineItemCost"]["value"]) for li in lines)
    return {
        "orderId": order.order_id,
        "creationDate": iso(order.created),
        "lastModifiedDate": iso(order.modified),
        "orderFulfillmentStatus": status,
        "orderPaymentStatus": order.payment,
        "sellerId": "fake_seller",
        "cancelStatus": {"cancelState": order.cancel, "cancelRequests": []},
        "pricingSummary": {"total": {"value": f"{total:.2f}", "currency": "USD"}},
        "lineItems": lines,
    }


def _when(value: str) -> float:
    try:
        if not value.endswith("Z"):
            raise ValueError(value)
        return datetime.fromisoformat(value[:-1] + "+00:00").timestamp()
    except ValueError:
        raise Refused(400, 30810, "Invalid date format.", domain="API_FULFILLMENT") from None


def orders_get(state: State, *, url: str, query: dict) -> dict:
    """getOrders (see the module): filter ranges inclusive; limit <= 200; offset = skipped."""
    try:
        limit = int((query.get("limit") or ["50"])[0])
    except ValueError:
        limit = -1
    if not 1 <= limit <= 200:
        raise Refused(400, 31100, "Invalid limit. Supported ranges 1 - 200.", domain="API_FULFILLMENT")
    try:
        offset = int((query.get("offset") or ["0"])[0])
    except ValueError:
        offset = -1
    if offset < 0:
        raise Refused(400, 31000, "Invalid offset.", domain="API_FULFILLMENT")
    field, start, end = "creationdate", state.clock() - 90 * 86400, None
    raw = (query.get("filter") or [""])[0]
    if raw:
        match = FILTER.match(raw)
        if match is None:
            raise Refused(400, 30700, "Invalid filter name.", domain="API_FULFILLMENT")
        field = match.group(1)
        low, _, high = match.group(2).partition("..")
        if not low:
            raise Refused(400, 30820, "Start date is missing.", domain="API_FULFILLMENT")
        start, end = _when(low), _when(high) if high else None
    with state.lock:
        found = sorted(state.orders.values(), key=lambda o: (o.created, o.order_id))
        attribute = "modified" if field == "lastmodifieddate" else "created"
        found = [
            o
            for o in found
            if getattr(o, attribute) >= start - 0.0005 and (end is None or getattr(o, attribute) <= end)
        ]
        page = found[offset : offset + limit]
        data = {
            "href": f"{url}{BASE}/order?limit={limit}&offset={offset}",
            "limit": limit,
            "offset": offset,
            "total": len(found),
            "orders": [order_json(state, o) for o in page],
        }
    if offset + limit < len(found):
        data["next"] = f"{url}{BASE}/order?limit={limit}&offset={offset + limit}"
    return data


def order_get(state: State, order_id: str) -> dict:
    with state.lock:
        order = state.orders.get(order_id)
        if order is None:
            raise Refused(404, 32100, "Invalid order ID: " + order_id, domain="API_FULFILLMENT")
        return order_json(state, order)


def fulfil(state: State, order_id: str, body: object) -> str:
    """createShippingFulfillment; the fulfillment id (the tracking number, or a made-up id)."""
    if not isinstance(body, dict) or not isinstance(body.get("lineItems"), list) or not body["lineItems"]:
        raise Refused(400, 32600, "Invalid input.", domain="API_FULFILLMENT")
    if bool(body.get("shippingCarrierCode")) != bool(body.get("trackingNumber")):
        raise Refused(400, 32300, "Invalid shipment tracking number or carrier", domain="API_FULFILLMENT")
    with state.lock:
        order = state.orders.get(order_id)
        if order is None:
            raise Refused(400, 32100, "Invalid order id", domain="API_FULFILLMENT")
        known = {line["lineItemId"] for line in order.lines}
        wanted = [str((item or {}).get("lineItemId")) for item in body["lineItems"]]
        if len(set(wanted)) != len(wanted):
            raise Refused(400, 32210, "Duplicate line item", domain="API_FULFILLMENT")
        if not set(wanted) <= known:
            raise Refused(400, 32200, "Invalid line item id", domain="API_FULFILLMENT")
        shipped = {f["lineItemId"] for f in order.fulfillments}
        if set(wanted) & shipped:
            raise Refused(
                409,
                34500,
                "Please use PUT operation for updating shipping fulfillment",
                domain="API_FULFILLMENT",
            )
        fulfilment_id = str(body.get("trackingNumber") or f"F{len(order.fulfillments) + 1}")
        for line in wanted:
            order.fulfillments.append(
                {
                    "lineItemId": line,
                    "carrier": body.get("shippingCarrierCode", ""),
                    "tracking": body.get("trackingNumber", ""),
                }
            )
        order.modified = state.clock()
        return fulfilment_id
