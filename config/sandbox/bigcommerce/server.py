"""The fake BigCommerce store as an HTTP server on 127.0.0.1: start/stop from Python, or standalone.

    fake = FakeBigCommerce().start()           # port 0: a free port
    fake.state.add_product("Mug", sku="MUG", quantity=5)
    requests.get(fake.url + "stores/abc123/v3/catalog/products", headers={"X-Auth-Token": fake.access_token})
    fake.buy("MUG", 1)                          # a buyer checks out: stock taken, hooks fired
    fake.stop()

    python -m config.sandbox.bigcommerce.server --port 8788 --sku TBL-1=3 --sku SHEET-1=10

Routes: ``/stores/<store_hash>/v3/...`` and ``/v2/...`` (``api_v3``, ``api_v2``) behind
``X-Auth-Token`` (401 with the v3 or v2 error body), the token's OAuth scopes (403), the store's
quota (``quota``), ``Content-Type: application/json`` on bodies (415) and JSON ``Accept`` (406);
``/_fake/...`` control endpoints without auth (``control``).
"""

from __future__ import annotations

import argparse
import json
import re
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from . import api_v2, api_v3
from .control import handle_control
from .hooks import HookDispatcher
from .quota import StoreQuota
from .state import ApiAccount, OutOfStock, StoreState

ALL_SCOPES = frozenset(
    {
        "store_v2_products_read_only",
        "store_inventory",
        "store_locations_read_only",
        "store_v2_orders",
        "store_v2_information_read_only",
    }
)


def required_scopes(method: str, version: str, path: str) -> set[str] | None:
    """The scopes any one of which lets a token make this request (None: the default scope)."""
    read = method == "GET"
    if version == "v2":
        return {"store_v2_orders", "store_v2_orders_read_only"} if read else {"store_v2_orders"}
    if path.startswith("hooks"):
        return None
    if path.startswith("catalog/"):
        return {"store_v2_products", "store_v2_products_read_only"} if read else {"store_v2_products"}
    if path.startswith("inventory/locations") and not path.endswith("/items"):
        return {"store_locations", "store_locations_read_only"}
    if path.startswith("inventory/"):
        return {"store_inventory", "store_inventory_read_only"} if read else {"store_inventory"}
    if path.startswith("settings/"):
        return {"store_v2_information", "store_v2_information_read_only"}
    return None


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # quiet
        return

    def _reply(self, status: int, body, headers: dict) -> None:
        raw = b"" if body is None or status == 204 else json.dumps(body).encode()
        self.send_response(status)
        if raw:
            self.send_header("Content-Type", headers.pop("Content-Type", "application/json"))
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def _handle(self, method: str) -> None:
        fake: FakeBigCommerce = self.server.fake
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            status, body, headers = fake.dispatch(
                method=method,
                path=parts.path,
                query=dict(parse_qsl(parts.query)),
                headers=self.headers,
                raw=raw,
            )
        except Exception as exc:  # a fake's bug must show, not hang the client
            status, body, headers = 500, {"status": 500, "title": repr(exc)}, {}
        self._reply(status, body, dict(headers))

    def do_GET(self):
        self._handle("GET")

    def do_POST(self):
        self._handle("POST")

    def do_PUT(self):
        self._handle("PUT")

    def do_DELETE(self):
        self._handle("DELETE")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256


class FakeBigCommerce:
    """One fake store (see module). ``requests`` logs (time, method, path, query, token) of API
    calls, ``bodies`` (method, path, body) of API writes."""

    def __init__(
        self,
        *,
        store_hash: str = "abc123",
        access_token: str | None = None,
        client_secret: str | None = None,
        quota: int = 150,
        window_ms: int = 30_000,
        retry_schedule=(0.2, 0.5, 1.0),
        strict_destination: bool = False,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.state = StoreState(store_hash=store_hash)
        self.access_token = access_token or secrets.token_hex(16)
        self.client_secret = client_secret or secrets.token_hex(16)
        self.client_id = secrets.token_hex(8)
        self.state.accounts[self.access_token] = ApiAccount(
            access_token=self.access_token,
            client_id=self.client_id,
            client_secret=self.client_secret,
            scopes=ALL_SCOPES,
        )
        self.quota = StoreQuota(quota=quota, window_ms=window_ms)
        self.hooks = HookDispatcher(self.state, retry_schedule=retry_schedule)
        self.strict_destination = strict_destination
        self.requests: list[tuple[float, str, str, dict, str]] = []  # time, method, path, query, token
        self.bodies: list[tuple[str, str, object]] = []  # (method, path, JSON body) of API writes
        self.lock = threading.Lock()
        self.httpd = _Server((host, port), _Handler)
        self.httpd.fake = self
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    # --- lifecycle -----------------------------------------------------------------------------
    @property
    def url(self) -> str:
        """The API host root to configure as the account's base URL."""
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}/"

    def credentials(self) -> dict[str, str]:
        return {
            "store_hash": self.state.store_hash,
            "access_token": self.access_token,
            "client_secret": self.client_secret,
        }

    def add_api_account(self, scopes) -> ApiAccount:
        """Another API account of the store (another app: own token, own hooks, same quota)."""
        account = ApiAccount(
            secrets.token_hex(16), secrets.token_hex(8), secrets.token_hex(16), frozenset(scopes)
        )
        with self.state.lock:
            self.state.accounts[account.access_token] = account
        return account

    def start(self) -> FakeBigCommerce:
        self.thread.start()
        self.hooks.start()
        return self

    def stop(self) -> None:
        self.hooks.stop()
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> FakeBigCommerce:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # --- the buyer -----------------------------------------------------------------------------
    def buy(self, sku: str, quantity: int = 1) -> int:
        """A buyer checks out (OutOfStock when the store shows fewer units); fires created."""
        order = self.state.buy(sku, quantity)
        self.hooks.emit("store/order/created", {"type": "order", "id": order.id})
        self.hooks.emit(
            "store/order/statusUpdated",
            {"type": "order", "id": order.id, "status": {"previous_status_id": 0, "new_status_id": 11}},
        )
        return order.id

    def cancel(self, order_id: int) -> None:
        """The seller cancels an order in the control panel (stock comes back)."""
        order = self.state.orders[order_id]
        previous = self.state.status_set(order, 5)
        api_v2.order_events(self.hooks, order_id, previous=previous, new=5)

    def calls(self, method: str | None = None, fragment: str = "") -> list[tuple]:
        with self.lock:
            return [r for r in self.requests if (method is None or r[1] == method) and fragment in r[2]]

    # --- dispatch -------------------------------------------------------------------------------
    def dispatch(self, *, method: str, path: str, query: dict, headers, raw: bytes):
        if path.startswith("/_fake/"):
            return handle_control(self, method, path, raw)
        match = re.fullmatch(r"/stores/([^/]+)/(v2|v3)/(.*?)/?", path)
        if match is None or match.group(1) != self.state.store_hash:
            return 404, {"status": 404, "title": "Store not found", "type": api_v3.ERROR_TYPE}, {}
        version, rest = match.group(2), match.group(3)
        token = headers.get("X-Auth-Token") or ""
        with self.lock:
            self.requests.append((time.monotonic(), method, f"{version}/{rest}", dict(query), token[:6]))
        error = api_v2.error if version == "v2" else api_v3.error
        account = self.state.accounts.get(token)
        if account is None:
            if version == "v2":
                return error(401, "You are not authorized to access this resource.")
            return error(
                401,
                "Unauthorized - the v3 Auth client ID or token in the request are not a valid"
                " combination for this store.",
            )
        allowed, quota_headers = self.quota.take()
        if not allowed:
            if not quota_headers:  # platform load: no quota headers
                return 429, None, {}
            status, body, extra = error(429, "Too many requests")
            return status, body, {**extra, **quota_headers}
        accept = headers.get("Accept") or "application/json"
        if "json" not in accept and "*/*" not in accept:
            status, body, extra = error(406, "Not Acceptable")
            return status, body, {**extra, **quota_headers}
        scopes = required_scopes(method, version, rest)
        if scopes is not None and not scopes & account.scopes:
            status, body, extra = error(403, "You don't have a required scope to access the endpoint")
            return status, body, {**extra, **quota_headers}
        body = None
        if method in ("POST", "PUT"):
            if "application/json" not in (headers.get("Content-Type") or ""):
                status, body, extra = error(415, "Unsupported Media Type")
                return status, body, {**extra, **quota_headers}
            try:
                body = json.loads(raw or b"null")
            except ValueError:
                status, body, extra = error(400, "The request body is not valid JSON")
                return status, body, {**extra, **quota_headers}
            with self.lock:
                self.bodies.append((method, f"{version}/{rest}", body))
        route = self._route(method, version, rest, query, body, account)
        status, payload, extra = route if route is not None else error(404, "Not Found")
        return status, payload, {**extra, **quota_headers}

    def _route(self, method: str, version: str, rest: str, query: dict, body, account):
        state = self.state
        if version == "v3":
            if method == "GET" and rest == "catalog/products":
                return api_v3.products_list(state, query)
            if method == "GET" and rest == "catalog/variants":
                return api_v3.variants_list(state, query)
            if method == "GET" and rest == "inventory/locations":
                return api_v3.locations_list(state, query)
            if method == "GET" and rest == "inventory/items":
                return api_v3.items_list(state, query)
            if m := re.fullmatch(r"inventory/locations/(\d+)/items", rest):
                return api_v3.items_list(state, query, int(m.group(1))) if method == "GET" else None
            if method == "PUT" and rest == "inventory/adjustments/absolute":
                return api_v3.adjust_absolute(state, body)
            if rest == "hooks/admin" and method == "GET":
                return api_v3.hooks_admin(state, account)
            if rest == "hooks":
                if method == "GET":
                    return api_v3.hooks_list(state, account, query)
                if method == "POST":
                    return api_v3.hook_create(
                        state, account, body, strict_destination=self.strict_destination
                    )
            if m := re.fullmatch(r"hooks/(\d+)", rest):
                hook_id = int(m.group(1))
                handlers = {
                    "GET": lambda: api_v3.hook_get(state, account, hook_id),
                    "PUT": lambda: api_v3.hook_update(state, account, hook_id, body),
                    "DELETE": lambda: api_v3.hook_delete(state, account, hook_id),
                }
                return handlers[method]() if method in handlers else None
            if method == "GET" and rest == "settings/inventory":
                settings = {
                    "update_stock_behavior": "order_placed",
                    "refund_order_stock_adjustment": True,
                    "edit_order_stock_adjustment": True,
                }
                return 200, {"data": settings, "meta": {}}, {}
            return None
        if method == "GET" and rest == "orders":
            return api_v2.orders_list(state, query)
        if m := re.fullmatch(r"orders/(\d+)", rest):
            if method == "GET":
                return api_v2.order_get(state, int(m.group(1)))
            if method == "PUT":
                return api_v2.order_update(state, self.hooks, int(m.group(1)), body)
        if m := re.fullmatch(r"orders/(\d+)/products", rest):
            return api_v2.order_products(state, int(m.group(1)), query) if method == "GET" else None
        if m := re.fullmatch(r"orders/(\d+)/shipping_addresses", rest):
            return api_v2.order_addresses(state, int(m.group(1))) if method == "GET" else None
        if m := re.fullmatch(r"orders/(\d+)/shipments", rest):
            if method == "GET":
                return api_v2.shipments_list(state, int(m.group(1)))
            if method == "POST":
                return api_v2.shipment_create(state, self.hooks, int(m.group(1)), body)
        return None


def main() -> None:
    parser = argparse.ArgumentParser(description="A fake BigCommerce store on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--store-hash", default="abc123")
    parser.add_argument("--token")
    parser.add_argument("--secret")
    parser.add_argument("--quota", type=int, default=150)
    parser.add_argument("--sku", action="append", default=[], help="SKU=QUANTITY, a simple product")
    args = parser.parse_args()
    fake = FakeBigCommerce(
        store_hash=args.store_hash,
        access_token=args.token,
        client_secret=args.secret,
        quota=args.quota,
        port=args.port,
    )
    for spec in args.sku:
        sku, _, quantity = spec.partition("=")
        fake.state.add_product(sku, sku=sku, quantity=int(quantity or 0))
    fake.start()
    print(json.dumps({"url": fake.url, **fake.credentials()}), flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        fake.stop()


__all__ = ["FakeBigCommerce", "OutOfStock"]

if __name__ == "__main__":
    main()
