"""Test/demo control endpoints under ``/_fake/`` (NOT part of Shopify's API).

They let another process (the demo's "buyer" page, a benchmark driver) act on a standalone fake:

- ``GET /_fake/inventory`` -> ``[{sku, inventory_item_id, location_id, available, committed, on_hand}]``
- ``POST /_fake/orders`` ``{"lines": [{"sku", "quantity"}], "location_id"?}`` -> ``{"id", "name"}``
  (409 ``{"error": ...}`` when out of stock)
- ``POST /_fake/orders/<id>/cancel`` -> ``{"id", "cancelled_at"}``
- ``GET /_fake/counters`` -> the counters
"""

from __future__ import annotations

import json
import re

from .models import iso
from .orders import OutOfStock


def handle_control(fake, method: str, path: str, body: bytes) -> tuple[int, dict, object]:
    state = fake.state
    if method == "GET" and path == "/_fake/inventory":
        with state.lock:
            rows = [
                {
                    "sku": state.variants[state.items[lv.item_id].variant_id].sku,
                    "inventory_item_id": lv.item_id,
                    "location_id": lv.location_id,
                    "available": lv.get("available"),
                    "committed": lv.get("committed"),
                    "on_hand": lv.get("on_hand"),
                }
                for lv in state.levels.values()
            ]
        return 200, {}, rows
    if method == "GET" and path == "/_fake/counters":
        return 200, {}, fake.counters
    if method == "POST" and path == "/_fake/orders":
        try:
            data = json.loads(body or b"{}")
            order = fake.place_order(lines=data["lines"], location_id=data.get("location_id"))
        except OutOfStock as exc:
            return 409, {}, {"error": str(exc)}
        except (ValueError, KeyError, TypeError) as exc:
            return 400, {}, {"error": f"bad order: {exc!r}"}
        return 201, {}, {"id": order.id, "name": order.name}
    match = re.fullmatch(r"/_fake/orders/(\d+)/cancel", path)
    if method == "POST" and match and int(match.group(1)) in state.orders:
        order = fake.cancel_order(int(match.group(1)))
        return 200, {}, {"id": order.id, "cancelled_at": iso(order.cancelled_at)}
    return 404, {}, {"errors": "Not Found"}
