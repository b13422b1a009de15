"""The v2 routes of the fake: orders, their products, shipping addresses and shipments.

v2 answers are bare JSON (no envelope), errors a JSON array ``[{"status", "message"}]``, and an
empty collection ``204 No Content``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

SHIPMENT_FIELDS = (
    "tracking_number",
    "tracking_link",
    "shipping_provider",
    "tracking_carrier",
    "shipping_method",
)


def error(status: int, message: str):
    return status, [{"status": status, "message": message}], {}


def _when(value: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            moment = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _paging(query: dict) -> tuple[int, int] | None:
    try:
        page = max(int(query.get("page", 1)), 1)
        limit = min(max(int(query.get("limit", 50)), 1), 250)  # BigCommerce's practical maximum
    except ValueError:
        return None
    return page, limit


def orders_list(state, query: dict):
    paging = _paging(query)
    if paging is None:
        return error(400, "The field 'page' or 'limit' is invalid.")
    page, limit = paging
    with state.lock:
        orders = list(state.orders.values())
    if "min_date_modified" in query:
        since = _when(query["min_date_modified"])
        if since is None:
            return error(400, "The field 'min_date_modified' is invalid.")
        orders = [o for o in orders if o.modified >= since]
    if "status_id" in query:
        orders = [o for o in orders if str(o.status_id) == query["status_id"]]
    key, _, direction = query.get("sort", "id:asc").partition(":")
    order_key = {
        "id": lambda o: o.id,
        "date_modified": lambda o: (o.modified, o.id),
        "date_created": lambda o: (o.created, o.id),
    }
    if key not in order_key:
        return error(400, "The field 'sort' is invalid.")
    orders.sort(key=order_key[key], reverse=direction == "desc")
    chunk = orders[(page - 1) * limit : page * limit]
    if not chunk:
        return 204, None, {}
    with state.lock:
        return 200, [state.order_json(o) for o in chunk], {}


def order_get(state, order_id: int):
    with state.lock:
        order = state.orders.get(order_id)
        if order is None:
            return error(404, "The requested resource was not found.")
        return 200, state.order_json(order), {}


def order_update(state, dispatcher, order_id: int, body):
    with state.lock:
        order = state.orders.get(order_id)
        if order is None:
            return error(404, "The requested resource was not found.")
        if not isinstance(body, dict) or not isinstance(body.get("status_id", 0), int):
            return error(400, "The field 'status_id' is invalid.")
        if "status_id" not in body:
            return 200, state.order_json(order), {}
        previous = state.status_set(order, body["status_id"])
        data = state.order_json(order)
    order_events(dispatcher, order_id, previous=previous, new=body["status_id"])
    return 200, data, {}


def order_events(dispatcher, order_id: int, *, previous: int | None = None, new: int | None = None) -> None:
    """What BigCommerce fires for a changed order: updated, and statusUpdated when it changed."""
    dispatcher.emit("store/order/updated", {"type": "order", "id": order_id})
    if previous is not None and previous != new:
        status = {"previous_status_id": previous, "new_status_id": new}
        dispatcher.emit("store/order/statusUpdated", {"type": "order", "id": order_id, "status": status})


def order_products(state, order_id: int, query: dict):
    paging = _paging(query)
    with state.lock:
        order = state.orders.get(order_id)
        if order is None:
            return error(404, "The requested resource was not found.")
        page, limit = paging or (1, 50)
        rows = [dict(p) for p in order.products][(page - 1) * limit : page * limit]
    return (200, rows, {}) if rows else (204, None, {})


def order_addresses(state, order_id: int):
    with state.lock:
        order = state.orders.get(order_id)
        if order is None:
            return error(404, "The requested resource was not found.")
        return 200, [state.address_json(order)], {}


def shipments_list(state, order_id: int):
    with state.lock:
        order = state.orders.get(order_id)
        if order is None:
            return error(404, "The requested resource was not found.")
        return (200, [dict(s) for s in order.shipments], {}) if order.shipments else (204, None, {})


def shipment_create(state, dispatcher, order_id: int, body):
    """Required ``order_address_id`` (int) and ``items`` [{order_product_id, quantity}]."""
    with state.lock:
        order = state.orders.get(order_id)
        if order is None:
            return error(404, "The requested resource was not found.")
        if not isinstance(body, dict) or not isinstance(body.get("order_address_id"), int):
            return error(400, "The required field 'order_address_id' was not supplied.")
        items = body.get("items")
        if not isinstance(items, list) or not items:
            return error(400, "The required field 'items' was not supplied.")
        if body["order_address_id"] != order.address_id:
            return error(400, "The field 'order_address_id' is invalid.")
        lines = {p["id"]: p for p in order.products}
        for item in items:
            line = lines.get(item.get("order_product_id")) if isinstance(item, dict) else None
            quantity = item.get("quantity") if isinstance(item, dict) else None
            if line is None or not isinstance(quantity, int) or quantity < 1:
                return error(400, "The field 'items' is invalid.")
            if line["quantity_shipped"] + quantity > line["quantity"]:
                return error(
                    400,
                    "The quantity specified is greater than the quantity of the product that is available"
                    " to ship.",
                )
        for item in items:
            lines[item["order_product_id"]]["quantity_shipped"] += item["quantity"]
        shipment = {
            "id": next(state.ids),
            "order_id": order_id,
            "order_address_id": order.address_id,
            "date_created": state.order_json(order)["date_modified"],
            "items": [{"order_product_id": i["order_product_id"], "quantity": i["quantity"]} for i in items],
            **{k: str(body.get(k) or "") for k in SHIPMENT_FIELDS},
        }
        order.shipments.append(shipment)
        done = all(p["quantity_shipped"] >= p["quantity"] for p in order.products)
        previous = state.status_set(order, 2 if done else 3)
        new = order.status_id
    order_events(dispatcher, order_id, previous=previous, new=new)
    return 201, shipment, {}
