"""A fake ShippingEasy API on 127.0.0.1, checking signatures as the real one does.

Every /api request needs ``api_key`` (the account's), ``api_timestamp`` (within 10 minutes) and
``api_signature`` = hex HMAC-SHA256 with the API secret over ``METHOD&path&sorted params&body``
(computed here independently of the client, from the published algorithm), else 401. POST
/api/stores/<store_api_key>/orders needs ``external_order_identifier``, ``ordered_at`` and
recipients with line items (400 otherwise); it does NOT refuse a repeated
``external_order_identifier`` (the docs do not say it does), so a client that sends twice makes a
duplicate - the tests count on the client never doing so. GET /api/orders filters by
``order_number``, ``status`` (one of the documented statuses, else 400), ``last_updated_at`` (ISO
8601, else 400) and pages by ``page``/``per_page``. ``ship()``
plays the user shipping an order and returns the signed callback (query, body) ShippingEasy would
POST.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import math
import re
import time
from datetime import UTC, datetime
from urllib.parse import quote_plus

from config.sandbox.shipstation.scaffold import Answer, FakeVendor, Request


def _sign(secret: str, method: str, path: str, params: dict, body: str) -> str:
    pairs = sorted((k, v) for k, v in params.items() if k != "api_signature")
    query = "&".join(f"{quote_plus(k)}={quote_plus(str(v))}" for k, v in pairs)
    text = "&".join([method, path, query] + ([body] if body else []))
    return hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest()


ORDER_STATUSES = ("ready_for_shipment", "pending_shipment", "shipped", "cleared")
ISO_8601 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})")


def _iso8601(text: str) -> datetime | None:
    """An ISO 8601 date-time with its offset, else None (e.g. "2026-12-05 20:58:36 UTC")."""
    if not ISO_8601.fullmatch(text):
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


class FakeShippingEasy(FakeVendor):
    """The fake ShippingEasy account with one store."""

    def __init__(
        self, *, api_key: str = "se-key", api_secret: str = "se-secret", store_api_key: str = "store1"
    ):
        super().__init__()
        self.api_key, self.api_secret, self.store_api_key = api_key, api_secret, store_api_key
        self.orders: dict[int, dict] = {}
        self._ids = itertools.count(7000)
        self._lose_answers = 0

    def lose_next_create_answer(self) -> None:
        """The next order create stores the order but answers 502 (a lost answer)."""
        with self.lock:
            self._lose_answers += 1

    def handle(self, request: Request) -> Answer:
        if not request.path.startswith("/api/"):
            return Answer(404, {"errors": [{"message": "Not found"}]})
        q = request.query
        try:
            fresh = abs(time.time() - int(q.get("api_timestamp", "0"))) <= 600
        except ValueError:
            fresh = False
        expected = _sign(self.api_secret, request.method, request.path, q, request.body.decode())
        if (
            q.get("api_key") != self.api_key
            or not fresh
            or not hmac.compare_digest(expected, q.get("api_signature", ""))
        ):
            return Answer(401, {"errors": [{"message": "Access denied", "status": 401}]})
        with self.lock:
            parts = request.path.strip("/").split("/")
            if request.method == "POST" and parts[:2] == ["api", "stores"] and parts[3:] == ["orders"]:
                return self._order_create(parts[2], request)
            if request.method == "POST" and parts[:2] == ["api", "stores"] and parts[-1] == "cancellations":
                return self._order_cancel(parts[2], parts[4])
            if request.method == "GET" and parts == ["api", "orders"]:
                return self._orders_find(request)
        return Answer(404, {"errors": [{"message": "Not found"}]})

    def _order_create(self, store: str, request: Request) -> Answer:
        if store != self.store_api_key:
            return Answer(404, {"errors": [{"message": "Store not found"}]})
        try:
            order = request.json()["order"]
        except (ValueError, KeyError, TypeError):
            return Answer(400, {"errors": [{"message": "order is required"}]})
        missing = [f for f in ("external_order_identifier", "ordered_at") if not order.get(f)]
        recipients = order.get("recipients") or []
        if not recipients or not all(r.get("line_items") for r in recipients):
            missing.append("recipients.line_items")
        if missing:
            return Answer(400, {"errors": [{"message": f"{f} is required"} for f in missing]})
        order_id = next(self._ids)
        stored = {
            **order,
            "id": order_id,
            "order_status": "ready_for_shipment",
            "updated_at": datetime.now(UTC).isoformat(),
            "shipments": [],
        }
        self.orders[order_id] = stored
        if self._lose_answers:
            self._lose_answers -= 1
            return Answer(502, {"errors": [{"message": "Bad gateway"}]})
        return Answer(201, {"order": stored})

    def _order_cancel(self, store: str, external_id: str) -> Answer:
        order = self.by_key(external_id)
        if store != self.store_api_key or order is None:
            return Answer(404, {"errors": [{"message": "Order not found"}]})
        order["order_status"] = "cleared"
        return Answer(201, {"order": order})

    def _orders_find(self, request: Request) -> Answer:
        q = request.query
        status = q.get("status", "shipped")
        if status not in ORDER_STATUSES:
            return Answer(
                400, {"errors": [{"message": f"status {status!r} is not one of {list(ORDER_STATUSES)}"}]}
            )
        since = None
        if q.get("last_updated_at"):
            since = _iso8601(q["last_updated_at"])
            if since is None:
                return Answer(400, {"errors": [{"message": "last_updated_at must be an ISO 8601 date-time"}]})
        items = sorted(self.orders.values(), key=lambda o: o["id"])
        if q.get("order_number"):
            items = [o for o in items if o["external_order_identifier"] == q["order_number"]]
        items = [o for o in items if o["order_status"] == status]
        if since is not None:
            items = [o for o in items if datetime.fromisoformat(o["updated_at"]) >= since]
        page, per_page = int(q.get("page", 1)), min(int(q.get("per_page", 50)), 200)
        pages = math.ceil(len(items) / per_page) if items else 0
        return Answer(
            200,
            {
                "orders": items[(page - 1) * per_page : page * per_page],
                "meta": {"page": page, "per_page": per_page, "total_count": len(items), "total_pages": pages},
            },
        )

    def by_key(self, external_order_identifier: str) -> dict | None:
        with self.lock:
            return next(
                (
                    o
                    for o in self.orders.values()
                    if o["external_order_identifier"] == external_order_identifier
                ),
                None,
            )

    def ship(
        self,
        external_order_identifier: str,
        *,
        callback_path: str,
        items: list[tuple[str, int]] | None = None,
        tracking: str = "794675663409",
        carrier_key: str = "FEDEX",
        service: str = "FEDEX_GROUND",
        cost_cents: int = 2009,
    ) -> tuple[dict, bytes]:
        """Ship the order (``items``: (ext_line_item_id, qty); None: all); return the signed
        callback's query parameters and body for a POST to ``callback_path``.
        """
        with self.lock:
            order = self.by_key(external_order_identifier)
            lines = [li for r in order["recipients"] for li in r["line_items"]]
            chosen = dict(items) if items else {li["ext_line_item_id"]: li["quantity"] for li in lines}
            shipped_order = {
                **{k: v for k, v in order.items() if k not in ("shipments", "recipients")},
                "order_status": "shipped",
                "recipients": [
                    {
                        **{k: v for k, v in r.items() if k != "line_items"},
                        "line_items": [
                            {**li, "quantity": chosen[li["ext_line_item_id"]]}
                            for li in r["line_items"]
                            if li["ext_line_item_id"] in chosen
                        ],
                    }
                    for r in order["recipients"]
                ],
            }
            shipment = {
                "id": next(self._ids),
                "tracking_number": tracking,
                "carrier_key": carrier_key,
                "carrier_service_key": service,
                "shipment_cost": cost_cents,
                "ship_date": datetime.now(UTC).strftime("%Y-%m-%d"),
                "workflow_state": "label_ready",
                "cloned_from_shipment_id": None,
                "weight_in_ounces": "4.0",
                "additional_packages": [],
                "ship_from_address_id": 39201,
                "orders": [shipped_order],
            }
            order["shipments"].append({k: v for k, v in shipment.items() if k != "orders"})
            order["order_status"] = "shipped"
            order["updated_at"] = datetime.now(UTC).isoformat()
        body = json.dumps({"shipment": shipment})
        query = {"api_timestamp": str(int(time.time()))}
        query["api_signature"] = _sign(self.api_secret, "POST", callback_path, query, body)
        return query, body.encode()
