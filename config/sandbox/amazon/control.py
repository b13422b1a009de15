"""Control endpoints under /_fake/ for processes that cannot call the fake's Python API (the demo's
"place a buyer's order" page, benchmarks). Not part of Amazon's protocol; no token needed.

- GET  /_fake/state                      -> {"listings": {sku: {...}}, "orders": [...], "stats": {...}}
- POST /_fake/listings   {"sku", "quantity", "fulfillment_channel_code"?}  seed or replace a listing
                         (or {"listings": [{...}, ...]} for many at once)
- POST /_fake/orders     {"sku", "qty"} or {"lines": [[sku, qty], ...]}    a buyer orders (409 if no stock)
- POST /_fake/orders/{id}/cancel                                              the buyer cancels
- POST /_fake/advance    {"seconds"}                                          move the fake clock
"""

from __future__ import annotations

import json
from typing import Any

from .clock import iso
from .gateway import Response, json_response
from .state import FakeAmazonError, OutOfStock


def _snapshot(fake: Any) -> dict:
    state = fake.state
    with state.lock:
        state.tick()
        return {
            "now": iso(state.clock.now()),
            "seller_id": state.config.seller_id,
            "marketplace_ids": list(state.config.marketplace_ids),
            "listings": {
                sku: {
                    "quantity": li.quantity,
                    "fulfillment_channel_code": li.fulfillment_channel_code,
                    "updates": len(li.updates),
                }
                for sku, li in state.listings.items()
            },
            "orders": [
                {
                    "AmazonOrderId": o.amazon_order_id,
                    "OrderStatus": o.status,
                    "items": [[i.sku, i.quantity_ordered, i.quantity_shipped] for i in o.items],
                }
                for o in state.orders.values()
            ],
            "stats": {"requests": dict(fake.stats.requests), "throttled": dict(fake.stats.throttled)},
        }


def control(fake: Any, method: str, path: str, raw: bytes) -> Response:
    """Dispatch one /_fake/ request."""
    try:
        body = json.loads(raw.decode("utf-8")) if raw else {}
    except ValueError:
        return json_response(400, {"error": "body must be JSON"})
    state = fake.state
    try:
        if method == "GET" and path == "/_fake/state":
            return json_response(200, _snapshot(fake))
        if method == "POST" and path == "/_fake/listings":
            many = body.get("listings", [body])
            for entry in many:
                state.seed_listing(
                    str(entry["sku"]),
                    entry.get("quantity"),
                    fulfillment_channel_code=entry.get("fulfillment_channel_code", "DEFAULT"),
                )
            return json_response(201, {"seeded": len(many)})
        if method == "POST" and path == "/_fake/orders":
            lines = [tuple(x) for x in body["lines"]] if "lines" in body else None
            order = state.place_order(body.get("sku"), int(body.get("qty", 1)), lines=lines)
            return json_response(201, {"AmazonOrderId": order.amazon_order_id, "OrderStatus": order.status})
        if method == "POST" and path.startswith("/_fake/orders/") and path.endswith("/cancel"):
            order = state.cancel_order(path.split("/")[3])
            return json_response(200, {"AmazonOrderId": order.amazon_order_id, "OrderStatus": order.status})
        if method == "POST" and path == "/_fake/advance":
            state.advance(float(body["seconds"]))
            return json_response(200, {"now": iso(state.clock.now())})
    except OutOfStock as exc:
        return json_response(409, {"error": "out_of_stock", "detail": str(exc)})
    except (FakeAmazonError, KeyError, ValueError, TypeError) as exc:
        return json_response(400, {"error": "bad_request", "detail": str(exc)})
    return json_response(404, {"error": "no such control endpoint"})
