"""The fake Etsy: a threaded HTTP server on 127.0.0.1 speaking Open API v3 (see README.md).

    with FakeEtsy() as etsy:
        listing_id = etsy.state.listing_add(title="Tee", inventory={...})
        tokens = etsy.oauth.grant_direct()
        etsy.buy("TEE-RED-S", 1)

Every request is recorded (``requests``: method, path, query, headers, parsed body) so tests can
validate what the connector sent. ``clock`` is epoch seconds (``time.time`` plus ``advance``d
seconds; ``frozen=True`` stops it for simulated days).
"""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .limits import Limits
from .oauth import OAuth, OAuthError
from .state import InventoryError, OutOfStock, ShopState

SCOPE_OF = {
    ("GET", "listings"): "listings_r",
    ("GET", "inventory"): "listings_r",
    ("PUT", "inventory"): "listings_w",
    ("PATCH", "listing"): "listings_w",
    ("GET", "receipts"): "transactions_r",
    ("GET", "receipt"): "transactions_r",
    ("POST", "tracking"): "transactions_w",
}
ROUTES = (
    ("openapi-ping", re.compile(r"^openapi-ping$")),
    ("listings", re.compile(r"^shops/(?P<shop>\d+)/listings$")),
    ("listing", re.compile(r"^shops/(?P<shop>\d+)/listings/(?P<listing>\d+)$")),
    ("batch", re.compile(r"^listings/batch/inventory$")),
    ("inventory", re.compile(r"^listings/(?P<listing>\d+)/inventory$")),
    ("receipts", re.compile(r"^shops/(?P<shop>\d+)/receipts$")),
    ("receipt", re.compile(r"^shops/(?P<shop>\d+)/receipts/(?P<receipt>\d+)$")),
    ("tracking", re.compile(r"^shops/(?P<shop>\d+)/receipts/(?P<receipt>\d+)/tracking$")),
)


class Clock:
    """Epoch seconds: the real time (or a frozen start) plus what :meth:`advance` added."""

    def __init__(self, *, frozen: bool = False, start: float | None = None) -> None:
        self.frozen = frozen
        self.start = time.time() if start is None else start
        self.offset = 0.0

    def __call__(self) -> float:
        return (self.start if self.frozen else time.time()) + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds


@dataclass
class Answer:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


def _error(status: int, message: str, **headers: str) -> Answer:
    return Answer(status, {"error": message}, dict(headers))


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are two writes: no 40 ms delayed-ACK stall

    def log_message(self, format, *args):  # quiet
        return

    def _handle(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        answer = self.server.fake.dispatch(method, self.path, dict(self.headers.items()), raw)
        if answer.status == 302:
            self.send_response(302)
            self.send_header("Location", answer.headers["Location"])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = json.dumps(answer.body).encode()
        self.send_response(answer.status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        for key, value in answer.headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        self._handle("GET")

    def do_POST(self):
        self._handle("POST")

    def do_PUT(self):
        self._handle("PUT")

    def do_PATCH(self):
        self._handle("PATCH")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any
    status: int = 0


class FakeEtsy:
    """One app (keystring, shared secret), one seller (user id) and their shop."""

    def __init__(
        self,
        *,
        keystring: str = "fakekeystring1234567890",
        shared_secret: str = "fakesharedsecret",
        user_id: int = 12345678,
        shop_id: int = 987654,
        per_second: int = 10,
        per_day: int = 10_000,
        token_lifetime: int = 3600,
        redirect_uris=("https://stock.example.com/admin/channels_app/channelaccount/connect/callback/",),
        clock: Clock | None = None,
        port: int = 0,
    ) -> None:
        self.keystring, self.shared_secret = keystring, shared_secret
        self.clock = clock or Clock()
        self.state = ShopState(shop_id=shop_id, user_id=user_id, clock=self.clock)
        self.oauth = OAuth(
            keystring=keystring,
            user_id=user_id,
            redirect_uris=redirect_uris,
            clock=self.clock,
            token_lifetime=token_lifetime,
        )
        self.limits = Limits(clock=self.clock, per_second=per_second, per_day=per_day)
        self.requests: list[Request] = []
        self._port = port
        self._server: _Server | None = None

    # --- life cycle -----------------------------------------------------------------------------------
    def start(self) -> FakeEtsy:
        self._server = _Server(("127.0.0.1", self._port), _Handler)
        self._server.fake = self
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeEtsy:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._server is not None, "not started"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def shop_id(self) -> int:
        return self.state.shop_id

    # --- buyer --------------------------------------------------------------------------------------
    def buy(self, sku: str, quantity: int = 1) -> int:
        """A buyer's checkout (OutOfStock when the store does not show enough)."""
        return self.state.buy(sku=sku, quantity=quantity)

    def quantities(self) -> dict[str, int]:
        return self.state.buyable()

    def api_calls(self) -> list[Request]:
        """The recorded requests to ``/v3/application/`` that Etsy counted (not refused for limits)."""
        return [r for r in self.requests if r.path.startswith("/v3/application/") and r.status != 429]

    # --- dispatch -------------------------------------------------------------------------------------
    def dispatch(self, method: str, target: str, headers: dict[str, str], raw: bytes) -> Answer:
        parts = urlsplit(target)
        query = parse_qs(parts.query, keep_blank_values=True)
        lower = {k.lower(): v for k, v in headers.items()}
        body: Any = raw
        content_type = lower.get("content-type", "")
        if raw and "json" in content_type:
            try:
                body = json.loads(raw)
            except ValueError:
                return _error(400, "Invalid JSON body")
        elif raw and "x-www-form-urlencoded" in content_type:
            body = {k: v[-1] for k, v in parse_qs(raw.decode(), keep_blank_values=True).items()}
        request = Request(method, parts.path, query, lower, body)
        self.requests.append(request)
        answer = self._route(method, parts.path, {k: v[-1] for k, v in query.items()}, query, lower, body)
        request.status = answer.status
        return answer

    def _route(self, method, path, flat, query, headers, body) -> Answer:
        if path == "/_fake/buy" and method == "POST":
            return self._fake_buy(body)
        if path == "/_fake/quantities" and method == "GET":
            return Answer(200, self.quantities())
        if path == "/oauth/connect" and method == "GET":
            try:
                return Answer(302, headers={"Location": self.oauth.consent(flat)})
            except OAuthError as exc:
                return Answer(400, {"error": exc.error, "error_description": exc.description})
        if path == "/v3/public/oauth/token" and method == "POST":
            if not isinstance(body, dict):
                return Answer(400, {"error": "invalid_request", "error_description": "form body expected"})
            try:
                return Answer(200, self.oauth.token(body))
            except OAuthError as exc:
                return Answer(exc.status, {"error": exc.error, "error_description": exc.description})
        if path.startswith("/v3/application/"):
            return self._api(method, path[len("/v3/application/") :], flat, query, headers, body)
        return _error(404, "Not found")

    def _api(self, method, path, flat, query, headers, body) -> Answer:
        key = headers.get("x-api-key", "")
        keystring, colon, secret = key.partition(":")
        if not colon or not secret:
            return _error(403, "Shared secret is required in x-api-key header.")
        if keystring != self.keystring or secret != self.shared_secret:
            return _error(401, "Invalid API key")
        name, match = next(((n, m) for n, rx in ROUTES if (m := rx.match(path))), (None, None))
        if name is None:
            return _error(404, "Not found")
        allowed, limit_headers = self.limits.take(keystring)
        if not allowed:
            return Answer(429, {"error": "Rate limit exceeded"}, limit_headers)
        answer = self._api_call(method, name, match.groupdict(), flat, query, headers, body)
        answer.headers.update(limit_headers)
        return answer

    def _api_call(self, method, name, ids, flat, query, headers, body) -> Answer:
        if name == "openapi-ping":
            return Answer(200, {"application_id": 1234})
        kind = "inventory" if name == "batch" else name
        scope = SCOPE_OF.get((method, kind))
        if scope is None:
            return _error(405, "Method not allowed")
        grant, why = self.oauth.bearer(headers.get("authorization", ""))
        if grant is None:
            return Answer(401, {"error": "invalid_token", "error_description": why})
        if scope not in grant.scopes:
            return _error(403, f"Insufficient scope: {scope} is required")
        if "shop" in ids and int(ids["shop"]) != self.state.shop_id:
            return _error(403, "You do not have access to this shop")
        handler = getattr(self, f"_api_{name}")
        with self.state.lock:
            return handler(method=method, ids=ids, flat=flat, query=query, body=body)

    # --- API handlers ----------------------------------------------------------------------------------
    @staticmethod
    def _page(flat) -> tuple[int, int] | Answer:
        try:
            limit, offset = int(flat.get("limit", 25)), int(flat.get("offset", 0))
        except ValueError:
            return _error(400, "limit and offset must be integers")
        if not 1 <= limit <= 100 or offset < 0:
            return _error(400, "limit must be between 1 and 100 and offset at least 0")
        return limit, offset

    def _api_listings(self, *, flat, **_) -> Answer:
        page = self._page(flat)
        if isinstance(page, Answer):
            return page
        limit, offset = page
        state = flat.get("state", "active")
        includes = {i.strip() for v in flat.get("includes", "").split(",") for i in [v] if i.strip()}
        ids = [lid for lid, listing in sorted(self.state.listings.items()) if listing["state"] == state]
        results = [
            self.state.shop_listing(lid, with_inventory="Inventory" in includes)
            for lid in ids[offset : offset + limit]
        ]
        return Answer(200, {"count": len(ids), "results": results})

    def _api_batch(self, *, query, **_) -> Answer:
        raw = [v for value in query.get("listing_ids", []) for v in value.split(",") if v.strip()]
        try:
            ids = [int(v) for v in raw]
        except ValueError:
            return _error(400, "listing_ids must be integers")
        if not 1 <= len(ids) <= 100:
            return _error(400, "listing_ids takes 1 to 100 ids")
        missing = [i for i in ids if i not in self.state.listings]
        if missing:
            return _error(404, f"Listing(s) {', '.join(map(str, missing))} not found")
        results = [self.state.shop_listing(i, with_inventory=True) for i in ids]
        return Answer(200, {"count": len(results), "results": results})

    def _api_inventory(self, *, method, ids, flat, body, **_) -> Answer:
        listing_id = int(ids["listing"])
        if listing_id not in self.state.listings:
            return _error(404, f"Listing {listing_id} not found")
        if method == "GET":
            return Answer(
                200, self.state.inventory(listing_id, show_deleted=flat.get("show_deleted") == "true")
            )
        if listing_id in self.state.busy:
            return _error(
                409,
                f"the listing with listing id {listing_id} is being edited by another process. "
                "please try again in a few moments",
            )
        try:
            return Answer(200, self.state.inventory_replace(listing_id, body))
        except InventoryError as exc:
            return _error(400, str(exc))

    def _api_listing(self, *, method, ids, body, **_) -> Answer:
        listing_id = int(ids["listing"])
        listing = self.state.listings.get(listing_id)
        if listing is None:
            return _error(404, f"Listing {listing_id} not found")
        wanted = body.get("state") if isinstance(body, dict) else None
        if wanted not in ("active", "inactive"):
            return _error(400, "state must be active or inactive")
        if wanted == "active" and listing["state"] == "sold_out":
            for product in self.state.live_products(listing_id):
                for offering in product["offerings"]:
                    offering["quantity"] = max(offering["quantity"], 1)
        listing["state"] = wanted
        listing["last_modified_timestamp"] = int(self.clock())
        return Answer(200, self.state.shop_listing(listing_id, with_inventory=False))

    def _api_receipts(self, *, flat, **_) -> Answer:
        page = self._page(flat)
        if isinstance(page, Answer):
            return page
        limit, offset = page
        receipts = list(self.state.receipts.values())

        def flag(name):
            value = flat.get(name)
            return None if value in (None, "") else value == "true"

        for name, test in (
            ("was_canceled", lambda r: r["status"] == "canceled"),
            ("was_shipped", lambda r: r["is_shipped"]),
            ("was_paid", lambda r: r["is_paid"]),
        ):
            wanted = flag(name)
            if wanted is not None:
                receipts = [r for r in receipts if test(r) == wanted]
        for name, field_name, above in (
            ("min_last_modified", "update_timestamp", True),
            ("max_last_modified", "update_timestamp", False),
            ("min_created", "create_timestamp", True),
            ("max_created", "create_timestamp", False),
        ):
            if flat.get(name):
                bound = int(flat[name])
                receipts = [
                    r for r in receipts if (r[field_name] >= bound if above else r[field_name] <= bound)
                ]
        sort = {"created": "create_timestamp", "updated": "update_timestamp", "receipt_id": "receipt_id"}
        key = sort.get(flat.get("sort_on", "created"), "create_timestamp")
        receipts.sort(
            key=lambda r: (r[key], r["receipt_id"]), reverse=flat.get("sort_order", "desc").startswith("desc")
        )
        return Answer(200, {"count": len(receipts), "results": receipts[offset : offset + limit]})

    def _api_receipt(self, *, ids, **_) -> Answer:
        receipt = self.state.receipts.get(int(ids["receipt"]))
        return Answer(200, receipt) if receipt else _error(404, "Receipt not found")

    def _api_tracking(self, *, ids, body, **_) -> Answer:
        receipt_id = int(ids["receipt"])
        if receipt_id not in self.state.receipts:
            return _error(404, "Receipt not found")
        data = body if isinstance(body, dict) else {}
        code, carrier = str(data.get("tracking_code") or ""), str(data.get("carrier_name") or "")
        if bool(code) != bool(carrier):
            return _error(400, "tracking_code and carrier_name go together")
        return Answer(200, self.state.receipt_ship(receipt_id, tracking_code=code, carrier_name=carrier))

    # --- control ------------------------------------------------------------------------------------
    def _fake_buy(self, body) -> Answer:
        if not isinstance(body, dict) or not isinstance(body.get("sku"), str):
            return Answer(400, {"error": "sku and quantity are required"})
        try:
            quantity = int(body.get("quantity", 1))
        except (TypeError, ValueError):
            return Answer(400, {"error": "quantity must be an integer"})
        try:
            receipt_id = self.buy(body["sku"], quantity)
        except OutOfStock:
            return Answer(409, {"error": "out of stock"})
        return Answer(201, {"order_id": str(receipt_id)})
