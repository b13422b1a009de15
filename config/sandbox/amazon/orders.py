"""Orders API v0: getOrders, getOrder, getOrderItems, confirmShipment.

Parameter rules are those written in ordersV0.json's parameter descriptions: MarketplaceIds required
(max 50); either CreatedAfter or LastUpdatedAfter, never both families; a *Before bound must not
precede its *After bound and must be at least two minutes before the current time;
MaxResultsPerPage 1-100, default 100. Errors use the model's ErrorList shape with code InvalidInput.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .clock import iso, parse_iso

if TYPE_CHECKING:
    from .state import AmazonState, Order, OrderItem

ORDER_STATUSES = (
    "PendingAvailability",
    "Pending",
    "Unshipped",
    "PartiallyShipped",
    "Shipped",
    "Canceled",
    "Unfulfillable",
    "InvoiceUnconfirmed",
)


def invalid(message: str) -> dict:
    """ErrorList body with code InvalidInput (the code of the model's 400 examples)."""
    return {"errors": [{"code": "InvalidInput", "message": message, "details": ""}]}


def not_found(message: str) -> dict:
    """ErrorList body of a 404."""
    return {"errors": [{"code": "NotFound", "message": message, "details": ""}]}


def order_json(order: Order, *, currency: str) -> dict:
    """The Order object (ordersV0.json definitions/Order); totals appear once payment is authorised."""
    shipped = sum(i.quantity_shipped for i in order.items)
    ordered = sum(i.quantity_ordered for i in order.items)
    body: dict[str, Any] = {
        "AmazonOrderId": order.amazon_order_id,
        "PurchaseDate": iso(order.purchase_date),
        "LastUpdateDate": iso(order.last_update_date),
        "OrderStatus": order.status,
        "FulfillmentChannel": order.fulfillment_channel,
        "SalesChannel": "Amazon.com",
        "ShipServiceLevel": "Std US D2D Dom",
        "NumberOfItemsShipped": shipped,
        "NumberOfItemsUnshipped": 0 if order.status == "Canceled" else ordered - shipped,
        "PaymentMethod": "Other",
        "MarketplaceId": order.marketplace_id,
        "ShipmentServiceLevelCategory": "Standard",
        "OrderType": "StandardOrder",
        "EarliestShipDate": iso(order.purchase_date),
        "LatestShipDate": iso(order.purchase_date + timedelta(days=2)),
        "IsBusinessOrder": False,
        "IsPrime": False,
        "IsPremiumOrder": False,
        "IsGlobalExpressEnabled": False,
        "IsReplacementOrder": False,
        "IsSoldByAB": False,
        "IsISPU": False,
        "IsAccessPointOrder": False,
    }
    if order.status != "Pending":
        total = sum(Decimal(i.price) * i.quantity_ordered for i in order.items)
        body["OrderTotal"] = {"CurrencyCode": currency, "Amount": f"{total:.2f}"}
    return body


def order_item_json(item: OrderItem, *, order: Order, currency: str) -> dict:
    """The OrderItem object; pricing is withheld while the order is Pending (as the model notes)."""
    body: dict[str, Any] = {
        "ASIN": item.asin,
        "SellerSKU": item.sku,
        "OrderItemId": item.order_item_id,
        "Title": item.title,
        "QuantityOrdered": item.quantity_ordered,
        "QuantityShipped": item.quantity_shipped,
        "ProductInfo": {"NumberOfItems": "1"},
        "IsGift": "false",
        "ConditionId": "New",
        "ConditionSubtypeId": "New",
    }
    if order.status != "Pending":
        body["ItemPrice"] = {
            "CurrencyCode": currency,
            "Amount": f"{Decimal(item.price) * item.quantity_ordered:.2f}",
        }
    return body


def _csv(query: dict[str, list[str]], name: str) -> list[str]:
    values: list[str] = []
    for raw in query.get(name, []):
        values.extend(v for v in raw.split(",") if v)
    return values


def _one(query: dict[str, list[str]], name: str) -> str | None:
    values = query.get(name)
    return values[-1] if values else None


def _window(state: AmazonState, query: dict[str, list[str]]) -> tuple[dict | None, dict]:
    """Validate the date filters: (error body or None, filters)."""
    now = state.clock.now()
    parsed: dict[str, datetime] = {}
    for name in ("CreatedAfter", "CreatedBefore", "LastUpdatedAfter", "LastUpdatedBefore"):
        raw = _one(query, name)
        if raw is None:
            continue
        try:
            parsed[name] = parse_iso(raw)
        except ValueError:
            return invalid(f"{name} must be an ISO 8601 date-time, not {raw!r}."), {}
    if "CreatedAfter" not in parsed and "LastUpdatedAfter" not in parsed:
        return invalid("Either CreatedAfter or LastUpdatedAfter must be specified."), {}
    if "CreatedAfter" in parsed and ("LastUpdatedAfter" in parsed or "LastUpdatedBefore" in parsed):
        return invalid("LastUpdatedAfter and LastUpdatedBefore cannot be set when CreatedAfter is set."), {}
    if "LastUpdatedAfter" in parsed and "CreatedBefore" in parsed:
        return invalid("CreatedAfter and CreatedBefore cannot be set when LastUpdatedAfter is set."), {}
    field = "LastUpdated" if "LastUpdatedAfter" in parsed else "Created"
    after = parsed[f"{field}After"]
    before = parsed.get(f"{field}Before")
    if after > now:
        return invalid(f"{field}After cannot be in the future."), {}
    if before is not None:
        if before < after:
            return invalid(f"{field}Before must be equal to or after {field}After."), {}
        if before > now - timedelta(minutes=2):
            return invalid(f"{field}Before must be at least two minutes before the current time."), {}
    return None, {"field": field, "after": after, "before": before, "reported": before or now}


def get_orders(state: AmazonState, query: dict[str, list[str]]) -> tuple[int, dict]:
    """getOrders with NextToken paging. The token pins the result set of the first page."""
    marketplaces = _csv(query, "MarketplaceIds")
    if not marketplaces:
        return 400, invalid("MarketplaceIds is required.")
    if len(marketplaces) > 50:
        return 400, invalid("MarketplaceIds accepts at most 50 values.")
    unknown = [m for m in marketplaces if m not in state.config.marketplace_ids]
    if unknown:
        return 400, invalid(f"Invalid MarketplaceIds: {', '.join(unknown)}.")
    with state.lock:
        state.tick()
        token = _one(query, "NextToken")
        if token:
            pinned = state.order_tokens.pop(token, None)
            if pinned is None:
                return 400, invalid("Invalid NextToken.")
            bound_name, ids, size = pinned
        else:
            error, window = _window(state, query)
            if error:
                return 400, error
            size_raw = _one(query, "MaxResultsPerPage") or "100"
            if not size_raw.isdigit() or not 1 <= int(size_raw) <= 100:
                return 400, invalid("MaxResultsPerPage must be a whole number from 1 to 100.")
            size = int(size_raw)
            statuses = _csv(query, "OrderStatuses")
            bad = [s for s in statuses if s not in ORDER_STATUSES]
            if bad:
                return 400, invalid(f"Invalid OrderStatuses: {', '.join(bad)}.")
            channels = _csv(query, "FulfillmentChannels")
            matching = []
            for order in state.orders.values():
                moment = order.last_update_date if window["field"] == "LastUpdated" else order.purchase_date
                if moment < window["after"] or (window["before"] is not None and moment > window["before"]):
                    continue
                if order.marketplace_id not in marketplaces:
                    continue
                if statuses and order.status not in statuses:
                    continue
                if channels and order.fulfillment_channel not in channels:
                    continue
                matching.append((moment, order.amazon_order_id))
            ids = [order_id for _, order_id in sorted(matching)]
            bound_name = (f"{window['field']}Before", iso(window["reported"]))
        page, rest = ids[:size], ids[size:]
        payload: dict[str, Any] = {
            "Orders": [order_json(state.orders[i], currency=state.config.currency) for i in page],
        }
        if rest:
            new_token = secrets.token_urlsafe(24)
            state.order_tokens[new_token] = (bound_name, rest, size)
            payload["NextToken"] = new_token
        payload[bound_name[0]] = bound_name[1]
        return 200, {"payload": payload}


def get_order(state: AmazonState, order_id: str) -> tuple[int, dict]:
    """getOrder."""
    with state.lock:
        state.tick()
        order = state.orders.get(order_id)
        if order is None:
            return 404, not_found(f"Order {order_id} was not found.")
        return 200, {"payload": order_json(order, currency=state.config.currency)}


def get_order_items(state: AmazonState, order_id: str, query: dict[str, list[str]]) -> tuple[int, dict]:
    """getOrderItems with NextToken paging (page size `order_items_page_size`)."""
    with state.lock:
        state.tick()
        order = state.orders.get(order_id)
        if order is None:
            return 404, not_found(f"Order {order_id} was not found.")
        size = state.config.order_items_page_size
        start = 0
        token = _one(query, "NextToken")
        if token:
            pinned = state.item_tokens.pop(token, None)
            if pinned is None or pinned[0] != order_id:
                return 400, invalid("Invalid NextToken.")
            start = pinned[1]
        page = order.items[start : start + size]
        payload: dict[str, Any] = {
            "OrderItems": [order_item_json(i, order=order, currency=state.config.currency) for i in page],
            "AmazonOrderId": order_id,
        }
        if start + size < len(order.items):
            new_token = secrets.token_urlsafe(24)
            state.item_tokens[new_token] = (order_id, start + size)
            payload["NextToken"] = new_token
        return 200, {"payload": payload}


def confirm_shipment(state: AmazonState, order_id: str, body: Any) -> tuple[int, dict | None]:
    """confirmShipment: records the package, ships the listed quantities, answers 204."""
    if not isinstance(body, dict):
        return 400, invalid("Body must be a ConfirmShipmentRequest object.")
    detail = body.get("packageDetail")
    if not isinstance(body.get("marketplaceId"), str) or not isinstance(detail, dict):
        return 400, invalid("marketplaceId and packageDetail are required.")
    for name in ("packageReferenceId", "carrierCode", "trackingNumber", "shipDate", "orderItems"):
        if detail.get(name) in (None, "", []):
            return 400, invalid(f"packageDetail.{name} is required.")
    if detail["carrierCode"] == "Other" and not detail.get("carrierName"):
        return 400, invalid("packageDetail.carrierName is required when carrierCode is Other.")
    try:
        parse_iso(str(detail["shipDate"]))
    except ValueError:
        return 400, invalid("packageDetail.shipDate must be an ISO 8601 date-time.")
    lines = detail["orderItems"]
    if not isinstance(lines, list) or not all(isinstance(x, dict) for x in lines):
        return 400, invalid("packageDetail.orderItems must be a list of objects.")
    with state.lock:
        state.tick()
        order = state.orders.get(order_id)
        if order is None:
            return 404, not_found(f"Order {order_id} was not found.")
        if body["marketplaceId"] != order.marketplace_id:
            return 400, invalid("marketplaceId does not match the order.")
        if order.status not in ("Unshipped", "PartiallyShipped"):
            return 400, invalid(f"The order is {order.status} and cannot be confirmed as shipped.")
        by_id = {i.order_item_id: i for i in order.items}
        planned: dict[str, int] = {}
        for line in lines:
            item = by_id.get(str(line.get("orderItemId")))
            quantity = line.get("quantity")
            if item is None:
                return 400, invalid(f"orderItemId {line.get('orderItemId')} is not part of the order.")
            if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
                return 400, invalid("quantity must be a whole number of 1 or more.")
            planned[item.order_item_id] = planned.get(item.order_item_id, 0) + quantity
            if item.quantity_shipped + planned[item.order_item_id] > item.quantity_ordered:
                return 400, invalid(f"orderItemId {item.order_item_id}: more than the unshipped quantity.")
        for item_id, quantity in planned.items():
            by_id[item_id].quantity_shipped += quantity
        order.shipments.append(dict(detail))
        state.refresh_order_status(order)
        state.touch_order(order)
        state.order_changed(order, "Shipment confirmed")
        return 204, None
