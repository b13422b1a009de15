"""A fake shop speaking the generic channel protocol, as a real threaded HTTP server on 127.0.0.1.

It keeps its own listings and orders, sells to "buyers" (decrementing its own stock, like a real
shop), signs webhook deliveries, and records every request with its arrival time so tests can
measure the request rate the engine really produced. Faults are injectable: scripted answers
(429 with Retry-After, 500) for the next N requests of a route, slow answers, a request held until
the test releases it (to order events without sleeps), and an optional rate limit it enforces
itself with 429s.

    with GenericChannelServer(api_key="k", webhook_secret="s") as shop:
        shop.listing_add("L1", sku="SKU-1", quantity=5)
        order = shop.buy("L1", 1)
        body, headers = shop.webhook(order["id"], "order.created")
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import threading
import time
from collections import defaultdict, deque
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # quiet
        return

    def _send(self, status: int, data: dict | None = None, headers: dict | None = None) -> None:
        body = json.dumps(data or {}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def _handle(self, method: str) -> None:
        shop: GenericChannelServer = self.server.shop
        parts = urlsplit(self.path)
        path = parts.path.rstrip("/")
        route = f"{method} {path[len('/api/') :] if path.startswith('/api/') else path}"
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        status, data, headers = shop._dispatch(
            route=route, query=parse_qs(parts.query), body=raw, auth=self.headers.get("Authorization", "")
        )
        self._send(status, data, headers)

    def do_GET(self):
        self._handle("GET")

    def do_POST(self):
        self._handle("POST")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256


class Hold:
    """The next request of a route, held on arrival: ``arrived`` is set when it comes in, and it is
    handled once :meth:`release` is called (or after ``timeout`` seconds, so a failing test ends)."""

    def __init__(self, timeout: float) -> None:
        self.arrived = threading.Event()
        self.released = threading.Event()
        self.timeout = timeout

    def release(self) -> None:
        self.released.set()


class GenericChannelServer:
    """The fake shop. Use as a context manager (starts and stops the server thread)."""

    def __init__(
        self,
        *,
        api_key: str = "test-key",
        webhook_secret: str = "test-secret",
        enforce_rate: float | None = None,
        port: int = 0,
    ):
        self.api_key = api_key
        self.webhook_secret = webhook_secret
        self.enforce_rate = enforce_rate
        self.lock = threading.RLock()
        self.listings: dict[str, dict] = {}
        self.orders: dict[str, dict] = {}
        self.applied_keys: dict[str, dict] = {}
        self.requests: list[tuple[float, str]] = []
        self.quantity_history: dict[str, list[int]] = defaultdict(list)
        # (arrival time, quantity) of every quantity the engine pushed, per listing (benchmarks).
        self.push_log: dict[str, list[tuple[float, int]]] = defaultdict(list)
        self.fulfilments: list[dict] = []
        self.faults: dict[str, deque] = defaultdict(deque)
        self.delays: dict[str, float] = {}
        self.holds: dict[str, deque[Hold]] = defaultdict(deque)
        self.rejected_for_rate = 0
        self._ids = itertools.count(1)
        self._clock = datetime.now(UTC)
        self.httpd = _Server(("127.0.0.1", port), _Handler)
        self.httpd.shop = self
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    # --- lifecycle ----------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        """The API root to configure on the account."""
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/api/"

    def start(self) -> GenericChannelServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> GenericChannelServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # --- test controls -------------------------------------------------------------------------
    def listing_add(self, listing_id: str, *, sku: str, quantity: int, title: str = "") -> dict:
        with self.lock:
            item = {
                "id": listing_id,
                "sku": sku,
                "title": title or sku,
                "quantity": quantity,
                "product_id": f"P-{listing_id}",
            }
            self.listings[listing_id] = item
            self.quantity_history[listing_id].append(quantity)
            return item

    def quantity(self, listing_id: str) -> int:
        with self.lock:
            return self.listings[listing_id]["quantity"]

    def fail_next(
        self, route: str, count: int, *, status: int = 500, retry_after: float | None = None
    ) -> None:
        """The next ``count`` requests of ``route`` (e.g. "POST quantities") answer ``status``."""
        with self.lock:
            for _ in range(count):
                self.faults[route].append((status, retry_after))

    def slow(self, route: str, seconds: float) -> None:
        """Requests of ``route`` wait ``seconds`` before being handled (0 to stop)."""
        with self.lock:
            self.delays[route] = seconds

    def hold(self, route: str, *, timeout: float = 30.0) -> Hold:
        """Hold the next request of ``route`` until the returned :class:`Hold` is released."""
        hold = Hold(timeout)
        with self.lock:
            self.holds[route].append(hold)
        return hold

    def requests_of(self, route: str) -> list[float]:
        with self.lock:
            return [t for t, r in self.requests if r == route]

    def max_requests_in_window(self, window: float = 1.0, route: str | None = None) -> int:
        """The most requests (of ``route``, or all) that arrived within any ``window`` seconds."""
        with self.lock:
            times = sorted(t for t, r in self.requests if route is None or r == route)
        best, start = 0, 0
        for end in range(len(times)):
            while times[end] - times[start] >= window:
                start += 1
            best = max(best, end - start + 1)
        return best

    def _tick(self) -> str:
        self._clock = max(self._clock + timedelta(milliseconds=1), datetime.now(UTC))
        return self._clock.isoformat()

    def buy(self, listing_id: str, quantity: int = 1, *, paid: bool = True) -> dict | None:
        """A buyer orders ``quantity`` of a listing; None if the shop shows fewer units."""
        with self.lock:
            listing = self.listings[listing_id]
            if listing["quantity"] < quantity:
                return None
            listing["quantity"] -= quantity
            self.quantity_history[listing_id].append(listing["quantity"])
            now = self._tick()
            order_id = f"O{next(self._ids)}"
            order = {
                "id": order_id,
                "status": "open",
                "created_at": now,
                "updated_at": now,
                "paid": paid,
                "currency": "USD",
                "total": "10.00",
                "customer": {"name": "Buyer", "email": "buyer@example.com"},
                "shipping_address": {},
                "lines": [
                    {
                        "id": f"{order_id}-1",
                        "listing_id": listing_id,
                        "sku": listing["sku"],
                        "title": listing["title"],
                        "quantity": quantity,
                        "price": "10.00",
                        "fulfilled": 0,
                        "cancelled": 0,
                    }
                ],
            }
            self.orders[order_id] = order
            return json.loads(json.dumps(order))

    def order_update(self, order_id: str, **changes) -> dict:
        """Change an order (status, paid, lines...) and bump its updated_at; returns a copy."""
        with self.lock:
            order = self.orders[order_id]
            order.update(changes)
            order["updated_at"] = self._tick()
            return json.loads(json.dumps(order))

    def order_cancel(self, order_id: str) -> dict:
        with self.lock:
            for line in self.orders[order_id]["lines"]:
                listing = self.listings.get(line["listing_id"])
                if listing is not None:
                    listing["quantity"] += line["quantity"]
                    self.quantity_history[line["listing_id"]].append(listing["quantity"])
            return self.order_update(order_id, status="cancelled")

    def order_fulfil(self, order_id: str) -> dict:
        with self.lock:
            for line in self.orders[order_id]["lines"]:
                line["fulfilled"] = line["quantity"]
            return self.order_update(order_id, status="fulfilled")

    def webhook(
        self, order: dict, topic: str, *, event_id: str | None = None, secret: str | None = None
    ) -> tuple[bytes, dict]:
        """A signed delivery for an order snapshot: (body, headers) to POST to the engine."""
        event_id = event_id or f"evt-{next(self._ids)}"
        body = json.dumps({"event_id": event_id, "topic": topic, "order": order}).encode()
        signature = (
            "sha256=" + hmac.new((secret or self.webhook_secret).encode(), body, hashlib.sha256).hexdigest()
        )
        headers = {"X-Channel-Event-Id": event_id, "X-Channel-Topic": topic, "X-Channel-Signature": signature}
        return body, headers

    # --- protocol -----------------------------------------------------------------------------
    def _dispatch(self, *, route: str, query: dict, body: bytes, auth: str) -> tuple[int, dict, dict]:
        if route.split(" ", 1)[1].startswith("/_fake/"):
            return self._control(route=route, body=body)
        arrived = time.time()
        with self.lock:
            self.requests.append((arrived, route))
            fault = self.faults[route].popleft() if self.faults[route] else None
            delay = self.delays.get(route, 0.0)
            hold = self.holds[route].popleft() if self.holds[route] else None
            if self.enforce_rate is not None:
                recent = [t for t, _ in self.requests[:-1] if arrived - t < 1.0]
                if len(recent) >= self.enforce_rate:
                    self.rejected_for_rate += 1
                    return 429, {"error": "rate limited"}, {"Retry-After": "1"}
        if hold is not None:
            hold.arrived.set()
            hold.released.wait(hold.timeout)
        if delay:
            time.sleep(delay)
        if auth != f"Bearer {self.api_key}":
            return 401, {"error": "bad key"}, {}
        if fault is not None:
            status, retry_after = fault
            return (
                status,
                {"error": "injected"},
                ({"Retry-After": str(retry_after)} if retry_after is not None else {}),
            )
        try:
            data = json.loads(body) if body else {}
        except ValueError:
            return 400, {"error": "bad json"}, {}
        handler = {
            "GET orders": self._orders,
            "GET listings": self._listings,
            "POST quantities/read": self._read,
            "POST quantities": self._push,
            "POST fulfilments": self._fulfil,
        }.get(route)
        if handler is None:
            return 404, {"error": f"no route {route}"}, {}
        with self.lock:
            return 200, handler(query=query, data=data), {}

    def _control(self, *, route: str, body: bytes) -> tuple[int, dict, dict]:
        """The sandbox's control endpoints (no auth, not counted as API requests): ``POST
        /_fake/buy`` {"sku", "quantity"} -> 201 {"order_id"} or 409, and ``GET /_fake/quantities``
        -> {sku: units a buyer can buy}."""
        if route == "GET /_fake/quantities":
            with self.lock:
                shown: dict[str, int] = {}
                for listing in self.listings.values():
                    shown[listing["sku"]] = shown.get(listing["sku"], 0) + listing["quantity"]
                return 200, shown, {}
        if route != "POST /_fake/buy":
            return 404, {"error": f"no route {route}"}, {}
        try:
            data = json.loads(body or b"{}")
            sku, quantity = str(data["sku"]), int(data.get("quantity", 1))
        except (ValueError, KeyError, TypeError):
            return 400, {"error": 'expected {"sku": str, "quantity": int}'}, {}
        if quantity < 1:
            return 400, {"error": "quantity must be at least 1"}, {}
        with self.lock:
            listing_id = next((lid for lid, item in self.listings.items() if item["sku"] == sku), None)
            order = self.buy(listing_id, quantity) if listing_id is not None else None
        if order is None:
            return 409, {"error": "out of stock"}, {}
        return 201, {"order_id": order["id"]}, {}

    def _page(self, items: list, query: dict, key: str) -> dict:
        start = int(query.get("cursor", ["0"])[0] or 0)
        limit = int(query.get("limit", ["100"])[0])
        page = items[start : start + limit]
        nxt = str(start + limit) if start + limit < len(items) else None
        return {key: json.loads(json.dumps(page)), "next_cursor": nxt}

    def _orders(self, *, query: dict, data: dict) -> dict:
        since = query.get("updated_since", [None])[0]
        orders = sorted(self.orders.values(), key=lambda o: (o["updated_at"], o["id"]))
        if since:
            cutoff = datetime.fromisoformat(since)
            orders = [o for o in orders if datetime.fromisoformat(o["updated_at"]) >= cutoff]
        return self._page(orders, query, "orders")

    def _listings(self, *, query: dict, data: dict) -> dict:
        return self._page(sorted(self.listings.values(), key=lambda x: x["id"]), query, "listings")

    def _read(self, *, query: dict, data: dict) -> dict:
        return {
            "quantities": {i: self.listings[i]["quantity"] for i in data.get("ids", []) if i in self.listings}
        }

    def _push(self, *, query: dict, data: dict) -> dict:
        results = []
        for item in data.get("updates", []):
            listing = self.listings.get(item["id"])
            if listing is None:
                results.append({"id": item["id"], "status": "not_found"})
                continue
            key = item.get("key")
            if key and key in self.applied_keys:
                results.append(self.applied_keys[key])
                continue
            if "delta" in item:
                listing["quantity"] = max(listing["quantity"] + int(item["delta"]), 0)
            elif "expected" in item and item["expected"] != listing["quantity"]:
                results.append({"id": item["id"], "status": "stale", "quantity": listing["quantity"]})
                continue
            else:
                listing["quantity"] = int(item["quantity"])
            self.quantity_history[item["id"]].append(listing["quantity"])
            self.push_log[item["id"]].append((time.time(), listing["quantity"]))
            result = {"id": item["id"], "status": "ok", "quantity": listing["quantity"]}
            if key:
                self.applied_keys[key] = result
            results.append(result)
        return {"results": results}

    def _fulfil(self, *, query: dict, data: dict) -> dict:
        key = data.get("key")
        if key and any(f.get("key") == key for f in self.fulfilments):
            return {"ok": True}  # a retried report: applied once
        self.fulfilments.append(data)
        return {"ok": True}
