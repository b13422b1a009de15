"""The fake WooCommerce store: a threaded HTTP server on 127.0.0.1 serving ``/wp-json/wc/v3``.

Auth as ``class-wc-rest-authentication.php``: query ``consumer_key``/``consumer_secret`` first,
then HTTP Basic, only when the request counts as HTTPS (``behave_as_https``, default on, like a
store behind a TLS proxy); an unknown key or none at all is anonymous (401
``woocommerce_rest_cannot_view``), a wrong secret 401 ``woocommerce_rest_authentication_error``,
a key without the method's permission 401. Lists page with ``per_page`` 1..100 and answer
``X-WP-Total``, ``X-WP-TotalPages`` and ``Link``. Batches above ``batch_limit`` objects are
refused whole with 413. Control routes ``/_fake/buy`` and ``/_fake/quantities`` need no auth.

    with FakeWooCommerce() as shop:
        shop.store.product_add(sku="MUG", quantity=3)
        connector base URL: shop.url, credentials: shop.consumer_key / shop.consumer_secret
"""

from __future__ import annotations

import base64
import hmac
import json
import re
import threading
import time
from collections import Counter, deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

from config.sandbox.woocommerce.hooks import EVENTS, RESOURCES, Hooks
from config.sandbox.woocommerce.store import STATUSES, OutOfStock, Store

API = "/wp-json/wc/v3"
TRACKING = "/wp-json/wc-shipment-tracking/v3"
WRITE = ("POST", "PUT", "PATCH", "DELETE")


class WooError(Exception):
    def __init__(self, status: int, code: str, message: str, **data) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.data = status, code, message, data

    def body(self) -> dict:
        return {"code": self.code, "message": self.message, "data": {"status": self.status, **self.data}}


def _invalid_id(kind: str) -> WooError:
    return WooError(400, f"woocommerce_rest_{kind}_invalid_id", "Invalid ID.")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format, *args):
        return

    def _handle(self) -> None:
        fake = self.server.fake
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        headers: dict[str, str] = {}
        try:
            status, data, headers = fake.dispatch(
                self.command, parts.path.rstrip("/"), query, raw, self.headers
            )
        except WooError as exc:
            status, data = exc.status, exc.body()
            if exc.data.get("retry_after"):
                headers = {"Retry-After": str(exc.data["retry_after"])}
            if exc.code == "woocommerce_rest_authentication_error":
                headers = {
                    "WWW-Authenticate": 'Basic realm="WooCommerce API. Use a consumer key in the username '
                    'field and a consumer secret in the password field."'
                }
        body = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(body)))
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256


class FakeWooCommerce:
    """The fake store. ``store`` holds the catalog and orders, ``hooks`` the webhooks."""

    def __init__(
        self,
        *,
        permissions: str = "read_write",
        batch_limit: int = 100,
        shipment_tracking: bool = False,
        behave_as_https: bool = True,
        port: int = 0,
        webhook_workers: int = 1,
        max_failures: int = 5,
        restore_on_failed: bool = True,
    ) -> None:
        self.consumer_key = "ck_" + "a1" * 20
        self.consumer_secret = "cs_" + "b2" * 20
        self.permissions = permissions
        self.batch_limit = batch_limit
        self.shipment_tracking = shipment_tracking
        self.behave_as_https = behave_as_https
        self.drops_authorization = False  # a host that strips the Authorization header
        self.store = Store(restore_on_failed=restore_on_failed)
        self.httpd = _Server(("127.0.0.1", port), _Handler)
        self.httpd.fake = self
        self.hooks = Hooks(self.store, source=self.url, max_failures=max_failures, workers=webhook_workers)
        # Faults: answers for the next API calls ((status, Retry-After)), and slow answers (s).
        self.fail_queue: deque[tuple[int, int | None]] = deque()
        self.latency = 0.0
        self.calls: Counter[str] = Counter()  # authenticated API calls by "METHOD route"
        self.faults_answered: Counter[int] = Counter()  # injected failures answered, by status
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)

    @property
    def url(self) -> str:
        """The store's home URL (the account's base URL)."""
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/"

    def start(self) -> FakeWooCommerce:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> FakeWooCommerce:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # Auth -----------------------------------------------------------------------------------------

    def fail_next(self, count: int, *, status: int, retry_after: int | None = None) -> None:
        """The next ``count`` API calls answer ``status`` (a host's 429 or 503), nothing applied."""
        self.fail_queue.extend([(status, retry_after)] * count)

    def fail_clear(self) -> int:
        """Drop the injected failures no call has taken yet; return how many."""
        dropped = len(self.fail_queue)
        self.fail_queue.clear()
        return dropped

    def _authenticate(self, method: str, query: dict, headers) -> None:
        key, secret = query.get("consumer_key"), query.get("consumer_secret")
        if key is None and not self.drops_authorization:
            auth = headers.get("Authorization", "")
            if auth.startswith("Basic "):
                try:
                    key, _, secret = base64.b64decode(auth[6:]).decode().partition(":")
                except ValueError:
                    key = None
        if not self.behave_as_https or key != self.consumer_key:
            raise WooError(401, "woocommerce_rest_cannot_view", "Sorry, you cannot list resources.")
        if not hmac.compare_digest(str(secret or ""), self.consumer_secret):
            raise WooError(401, "woocommerce_rest_authentication_error", "Consumer secret is invalid.")
        if method in WRITE and self.permissions == "read":
            raise WooError(
                401,
                "woocommerce_rest_authentication_error",
                "The API key provided does not have write permissions.",
            )
        if method not in WRITE and self.permissions == "write":
            raise WooError(
                401,
                "woocommerce_rest_authentication_error",
                "The API key provided does not have read permissions.",
            )

    # Routing ----------------------------------------------------------------------------------------

    def dispatch(self, method: str, path: str, query: dict, raw: bytes, headers) -> tuple[int, object, dict]:
        if path.startswith("/_fake/"):
            return self._control(method, path, raw)
        if path.startswith(TRACKING):
            if not self.shipment_tracking:
                raise WooError(404, "rest_invalid_namespace", "The specified namespace could not be found.")
            self._authenticate(method, query, headers)
            return self._tracking(method, path[len(TRACKING) :], raw)
        if not path.startswith(API):
            raise WooError(404, "rest_no_route", "No route was found matching the URL and request method")
        route = path[len(API) :].lstrip("/")
        self._authenticate(method, query, headers)
        if self.latency:
            time.sleep(self.latency)
        try:
            status, retry_after = self.fail_queue.popleft()
        except IndexError:  # no failure injected (or the rush let it lapse meanwhile)
            pass
        else:
            self.faults_answered[status] += 1
            raise WooError(status, "fake_fault", "Injected fault.", retry_after=retry_after)
        self.calls[method + " " + re.sub(r"/\d+", "/{id}", route)] += 1
        data = json.loads(raw) if raw else {}
        with self.store.lock:
            return self._api(method, route, query, data)

    def _api(self, method: str, route: str, query: dict, data: dict) -> tuple[int, object, dict]:
        store = self.store
        parts = route.split("/")
        if route == "products" and method == "GET":
            items = [p for p in store.products.values() if p["type"] != "variation"]
            return self._list(route, items, query)
        if route == "products/batch" and method in WRITE:
            return 200, self._batch(data, parent=None), {}
        if len(parts) == 3 and parts[0] == "products" and parts[2] == "variations" and method == "GET":
            parent = self._product(parts[1])
            return self._list(route, [store.products[i] for i in parent["variations"]], query)
        if len(parts) == 4 and parts[0] == "products" and parts[2:] == ["variations", "batch"]:
            return 200, self._batch(data, parent=self._product(parts[1])), {}
        if len(parts) == 2 and parts[0] == "products" and method == "GET":
            return 200, self._shape(self._product(parts[1]), query), {}
        if route == "orders" and method == "GET":
            return self._list(route, self._orders(query), query)
        if len(parts) == 2 and parts[0] == "orders":
            order = self._order(parts[1])
            if method in ("PUT", "POST", "PATCH") and "status" in data:
                if data["status"] not in STATUSES:
                    raise WooError(
                        400,
                        "rest_invalid_param",
                        "Invalid parameter(s): status",
                        params={"status": "status is not one of " + ", ".join(STATUSES)},
                    )
                store.order_status_set(order, data["status"])
            return 200, self._shape(order, query), {}
        if len(parts) == 3 and parts[0] == "orders" and parts[2] == "notes":
            order = self._order(parts[1])
            if method == "POST":
                note = store.note_add(
                    order, note=str(data.get("note", "")), customer=bool(data.get("customer_note"))
                )
                return (
                    201,
                    note,
                    {"Location": f"{self.url}wp-json/wc/v3/orders/{order['id']}/notes/{note['id']}"},
                )
            notes = store.notes[order["id"]]
            if query.get("type") == "customer":
                notes = [n for n in notes if n["customer_note"]]
            return 200, notes, {}
        if route == "webhooks":
            if method == "POST":
                hook = self.hooks.create(self._hook_valid(data))
                return 201, Hooks.public(hook), {"Location": f"{self.url}wp-json/wc/v3/webhooks/{hook['id']}"}
            status = query.get("status", "all")
            hooks = [h for h in self.hooks.hooks.values() if status == "all" or h["status"] == status]
            return self._list(route, [Hooks.public(h) for h in hooks], query)
        if len(parts) == 2 and parts[0] == "webhooks":
            hook = self.hooks.hooks.get(int(parts[1])) if parts[1].isdigit() else None
            if hook is None:
                raise WooError(
                    400 if method != "GET" else 404,
                    "woocommerce_rest_shop_webhook_invalid_id",
                    "ID is invalid.",
                )
            if method == "DELETE":
                if query.get("force") not in ("true", "1"):
                    raise WooError(
                        501, "woocommerce_rest_trash_not_supported", "Webhooks do not support trashing."
                    )
                del self.hooks.hooks[hook["id"]]
            elif method in ("PUT", "POST", "PATCH"):
                if "status" in data and data["status"] not in ("active", "paused", "disabled"):
                    raise WooError(
                        400, "woocommerce_rest_shop_webhook_invalid_status", "Invalid webhook status."
                    )
                for key in ("name", "status", "secret", "delivery_url"):
                    if key in data:
                        hook[key] = data[key]
            return 200, Hooks.public(hook), {}
        raise WooError(404, "rest_no_route", "No route was found matching the URL and request method")

    def _hook_valid(self, data: dict) -> dict:
        resource, _, event = str(data.get("topic", "")).partition(".")
        if resource not in RESOURCES or event not in EVENTS:
            raise WooError(
                400,
                "woocommerce_rest_shop_webhook_invalid_topic",
                "Webhook topic is required and must be valid.",
            )
        if not re.match(r"^https?://", str(data.get("delivery_url", ""))):
            raise WooError(
                400,
                "woocommerce_rest_shop_webhook_invalid_delivery_url",
                "Webhook delivery URL must be a valid URL starting with http:// or https://.",
            )
        return data

    # Helpers -------------------------------------------------------------------------------------------

    def _product(self, raw: str) -> dict:
        item = self.store.products.get(int(raw)) if raw.isdigit() else None
        if item is None or item["type"] == "variation":
            raise WooError(404, "woocommerce_rest_product_invalid_id", "Invalid ID.")
        return item

    def _order(self, raw: str) -> dict:
        order = self.store.orders.get(int(raw)) if raw.isdigit() else None
        if order is None:
            raise WooError(404, "woocommerce_rest_shop_order_invalid_id", "Invalid ID.")
        return order

    def _orders(self, query: dict) -> list[dict]:
        wanted = query.get("status", "any").split(",")
        orders = [
            o
            for o in self.store.orders.values()
            if ("any" in wanted and o["status"] != "trash") or o["status"] in wanted
        ]
        field = "date_modified_gmt" if query.get("dates_are_gmt") in ("true", "1") else "date_modified"
        if query.get("modified_after"):
            orders = [o for o in orders if o[field] > query["modified_after"]]
        return orders

    @staticmethod
    def _shape(item: dict, query: dict) -> dict:
        fields = [f for f in query.get("_fields", "").split(",") if f]
        return {k: v for k, v in item.items() if k in fields} if fields else dict(item)

    def _list(self, route: str, items: list[dict], query: dict) -> tuple[int, list, dict]:
        try:
            page, per_page = int(query.get("page", 1)), int(query.get("per_page", 10))
        except ValueError:
            raise WooError(400, "rest_invalid_param", "Invalid parameter(s): page") from None
        if not 1 <= per_page <= 100:
            raise WooError(
                400,
                "rest_invalid_param",
                "Invalid parameter(s): per_page",
                params={"per_page": "per_page must be between 1 (inclusive) and 100 (inclusive)"},
            )
        if query.get("include"):
            ids = {int(i) for i in query["include"].split(",") if i.strip().isdigit()}
            items = [i for i in items if i["id"] in ids]
        if query.get("sku"):
            items = [i for i in items if i.get("sku") == query["sku"]]
        key = {"modified": "date_modified_gmt", "date": "date_created_gmt"}.get(
            query.get("orderby", "date"), "id"
        )
        items = sorted(
            items,
            key=lambda i: (i.get(key) or "", i["id"]) if key != "id" else i["id"],
            reverse=query.get("order", "desc") == "desc",
        )
        total = len(items)
        pages = (total + per_page - 1) // per_page
        chunk = items[(page - 1) * per_page : page * per_page]
        base = f"{self.url}wp-json/wc/v3/{route}"
        links = []
        rest = {k: v for k, v in query.items() if k not in ("page", "consumer_key", "consumer_secret")}
        if page > 1:
            links.append(f'<{base}?{urlencode({**rest, "page": page - 1})}>; rel="prev"')
        if pages > page:
            links.append(f'<{base}?{urlencode({**rest, "page": page + 1})}>; rel="next"')
        headers = {"X-WP-Total": str(total), "X-WP-TotalPages": str(pages)}
        if links:
            headers["Link"] = ", ".join(links)
        return 200, [self._shape(i, query) for i in chunk], headers

    def _batch(self, data: dict, *, parent: dict | None) -> dict:
        count = sum(len(data.get(k) or []) for k in ("create", "update", "delete"))
        if count > self.batch_limit:
            raise WooError(
                413,
                "woocommerce_rest_request_entity_too_large",
                f"Unable to accept more than {self.batch_limit} items for this request.",
            )
        kind = "product_variation" if parent else "product"
        answers = []
        for change in data.get("update") or []:
            item = self.store.products.get(int(change.get("id") or 0))
            valid = item is not None and (
                item["parent_id"] == parent["id"] if parent else item["type"] != "variation"
            )
            if not valid:
                answers.append({"id": change.get("id"), "error": _invalid_id(kind).body()})
                continue
            if "stock_quantity" in change:
                self.store.quantity_set(item, int(change["stock_quantity"]))
            answers.append(dict(item))
        return {"update": answers} if answers else {}

    def _tracking(self, method: str, route: str, raw: bytes) -> tuple[int, object, dict]:
        if route == "":
            return 200, {"namespace": "wc-shipment-tracking/v3", "routes": {}}, {}
        match = re.fullmatch(r"/orders/(\d+)/shipment-trackings", route)
        if not match:
            raise WooError(404, "rest_no_route", "No route was found matching the URL and request method")
        order = self._order(match.group(1))
        rows = self.store.trackings.setdefault(order["id"], [])
        if method == "POST":
            data = json.loads(raw or b"{}")
            if not data.get("tracking_number"):
                raise WooError(400, "rest_missing_callback_param", "Missing parameter(s): tracking_number")
            row = {
                "tracking_id": f"{len(rows) + 1:032x}",
                "tracking_provider": data.get("tracking_provider", ""),
                "custom_tracking_provider": data.get("custom_tracking_provider", ""),
                "tracking_link": data.get("custom_tracking_link", ""),
                "tracking_number": data["tracking_number"],
                "date_shipped": data.get("date_shipped", ""),
            }
            rows.append(row)
            return 201, row, {}
        return 200, rows, {}

    def _control(self, method: str, path: str, raw: bytes) -> tuple[int, object, dict]:
        if path == "/_fake/quantities" and method == "GET":
            with self.store.lock:
                skus = [
                    p["sku"] for p in self.store.products.values() if p["sku"] and p["type"] != "variable"
                ]
                return 200, {sku: self.store.available(sku) for sku in skus}, {}
        if path == "/_fake/buy" and method == "POST":
            data = json.loads(raw or b"{}")
            try:
                order = self.store.order_create(
                    lines=[{"sku": str(data["sku"]), "quantity": int(data.get("quantity", 1))}]
                )
            except OutOfStock:
                return 409, {"error": "out of stock"}, {}
            except (KeyError, ValueError, TypeError):
                return 400, {"error": "sku and quantity are required"}, {}
            return 201, {"order_id": str(order["id"])}, {}
        raise WooError(404, "rest_no_route", "No route was found matching the URL and request method")
