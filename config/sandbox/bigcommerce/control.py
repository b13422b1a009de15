"""Control endpoints under ``/_fake/`` (NOT BigCommerce's API; no auth, loopback only), the
contract every channel fake offers the demo and the benchmarks:

- ``POST /_fake/buy`` ``{"sku", "quantity"}`` -> 201 ``{"order_id"}`` when the store shows enough
  stock (its own stock is taken, the order created, its hooks fired), else 409
  ``{"error": "out of stock"}``;
- ``GET /_fake/quantities`` -> 200 ``{"<sku>": <int or null>}``: what a buyer can buy now (null:
  stock not tracked);
- ``POST /_fake/orders/<id>/cancel`` -> 200 ``{"order_id"}`` (the seller cancels; stock back).
"""

from __future__ import annotations

import json
import re

from .state import OutOfStock


def handle_control(fake, method: str, path: str, raw: bytes):
    if method == "GET" and path == "/_fake/quantities":
        return 200, fake.state.quantities(), {}
    if method == "POST" and path == "/_fake/buy":
        try:
            data = json.loads(raw or b"{}")
            sku, quantity = str(data["sku"]), int(data.get("quantity", 1))
        except (ValueError, KeyError, TypeError) as exc:
            return 400, {"error": f"bad request: {exc!r}"}, {}
        try:
            order_id = fake.buy(sku, quantity)
        except OutOfStock:
            return 409, {"error": "out of stock"}, {}
        return 201, {"order_id": str(order_id)}, {}
    match = re.fullmatch(r"/_fake/orders/(\d+)/cancel", path)
    if method == "POST" and match and int(match.group(1)) in fake.state.orders:
        fake.cancel(int(match.group(1)))
        return 200, {"order_id": match.group(1)}, {}
    return 404, {"error": "not found"}, {}
