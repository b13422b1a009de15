"""The fake Magento's HTTP server on 127.0.0.1: the REST routes the connector uses, checked like
Magento checks them (OAuth signature or bearer, ACL resource per route, input limits), and the
``/_fake/`` control endpoints (no auth, loopback only) of every channel fake.

    with FakeMagento(mode="multi") as shop:
        shop.store.product_add("SKU-1")
        shop.store.source_item_set("SKU-1", "default", 5)
        connector credentials: shop.integration.credentials(); base URL: shop.url
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlsplit

from config.sandbox.magento.auth import AuthRefused, Integration
from config.sandbox.magento.search import Criteria, SearchError, criteria_parse, search
from config.sandbox.magento.store import OutOfStock, ShipRefused, Store

ROUTE_MISSING = {"message": "Request does not match any route."}
ITEM_TYPE = "\\Magento\\InventoryApi\\Api\\Data\\SourceItemInterface"
SYNC_LIMIT, ASYNC_LIMIT, MAX_PAGE = 20, 5000, 300

Answer = tuple[int, Any]


class FakeMagento:
    """A Magento 2.4 store with MSI, as a threaded HTTP server (``start``/``stop`` or ``with``)."""

    def __init__(
        self,
        *,
        mode: str = "multi",
        store_code: str = "default",
        bulk_consumer: bool = False,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.address = (host, port)
        self.store = Store(mode=mode)
        self.integration = Integration()
        self.store_code = store_code
        self.input_limits = False  # webapi/validation/input_limit_enabled
        self.repeat_last_page = True
        self.bulk_consumer = bulk_consumer
        self.requests: list[dict[str, Any]] = []
        self.faults: list[tuple[str, int, Any]] = []  # (route prefix, status, body) for the next match
        self._server: _Server | None = None
        self._stop = threading.Event()
        self.routes: list[tuple[str, re.Pattern, str, Callable[..., Answer]]] = [
            ("GET", re.compile(r"products"), "Magento_Catalog::products", self._products),
            (
                "GET",
                re.compile(r"configurable-products/([^/]+)/children"),
                "Magento_Catalog::products",
                self._children,
            ),
            ("GET", re.compile(r"inventory/sources"), "Magento_InventoryApi::source", self._sources),
            ("GET", re.compile(r"inventory/stocks"), "Magento_InventoryApi::stock", self._stocks),
            (
                "GET",
                re.compile(r"inventory/stock-source-links"),
                "Magento_InventoryApi::stock_source_link",
                self._links,
            ),
            ("GET", re.compile(r"inventory/source-items"), "Magento_InventoryApi::source", self._items_get),
            (
                "POST",
                re.compile(r"inventory/source-items"),
                "Magento_InventoryApi::stock_source_item_assign",
                self._items_post,
            ),
            (
                "GET",
                re.compile(r"inventory/get-product-salable-quantity/([^/]+)/(\d+)"),
                "Magento_InventorySalesApi::stock",
                self._salable,
            ),
            ("GET", re.compile(r"orders"), "Magento_Sales::actions_view", self._orders),
            ("GET", re.compile(r"orders/(\d+)"), "Magento_Sales::actions_view", self._order),
            ("POST", re.compile(r"order/(\d+)/ship"), "Magento_Sales::ship", self._ship),
            (
                "GET",
                re.compile(r"bulk/([0-9a-f-]+)/status"),
                "Magento_AsynchronousOperations::system_magento_logging_bulk_operations",
                self._bulk_status,
            ),
        ]

    # --- lifecycle --------------------------------------------------------------------------------
    def start(self) -> FakeMagento:
        self._server = _Server(self.address, _Handler)
        self._server.fake = self
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        if self.bulk_consumer:
            threading.Thread(target=self._consume, daemon=True).start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> FakeMagento:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _consume(self) -> None:
        while not self._stop.wait(0.1):
            self.store.bulk_run()

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def calls(self, method: str, resource: str) -> list[dict[str, Any]]:
        """Recorded requests to ``resource`` (path after /V1/)."""
        return [r for r in self.requests if r["method"] == method and r["resource"] == resource]

    # --- dispatch ---------------------------------------------------------------------------------
    def handle(self, *, method: str, raw_path: str, host: str, authorization: str, body: bytes) -> Answer:
        parts = urlsplit(raw_path)
        if parts.path.startswith("/_fake/"):
            return self._control(method, parts.path, body)
        m = re.fullmatch(r"/rest/([^/]+)/(async/bulk/|async/)?V1/(.+)", parts.path)
        if not m:
            return 404, ROUTE_MISSING
        prefix, resource = m.group(2) or "", unquote(m.group(3))
        query = [
            (unquote(k), unquote(v)) for k, _, v in (p.partition("=") for p in parts.query.split("&") if p)
        ]
        try:
            payload = json.loads(body) if body else None
        except ValueError:
            return 400, {"message": "Decoding error."}
        record = {
            "method": method,
            "resource": resource,
            "prefix": prefix,
            "query": query,
            "body": payload,
            "authorization": authorization,
        }
        self.requests.append(record)
        for route_method, pattern, acl, view in self.routes:
            route = pattern.fullmatch(resource)
            if route_method != method or not route:
                continue
            if resource.startswith("inventory/") and self.store.mode == "absent":
                break
            try:
                self.integration.check(
                    method=method,
                    host=host,
                    path=parts.path,
                    query=parts.query,
                    authorization=authorization,
                    resource=acl,
                )
            except AuthRefused as exc:
                record["status"] = exc.status
                return exc.status, exc.body
            for i, (fault_prefix, status, fault_body) in enumerate(self.faults):
                if resource.startswith(fault_prefix):
                    del self.faults[i]
                    return status, fault_body
            try:
                with self.store.lock:
                    status, answer = view(
                        *route.groups(), query=query, body=payload, bulk=prefix == "async/bulk/"
                    )
            except SearchError as exc:
                status, answer = 400, {"message": str(exc)}
            record["status"] = status
            return status, answer
        record["status"] = 404
        return 404, ROUTE_MISSING

    def _criteria(self, query) -> Criteria:
        return criteria_parse(query)

    def _search(self, rows, query) -> Answer:
        return 200, search(
            rows,
            criteria_parse(query),
            repeat_last_page=self.repeat_last_page,
            max_page_size=MAX_PAGE if self.input_limits else None,
            default_page_size=SYNC_LIMIT if self.input_limits else None,
        )

    # --- routes -----------------------------------------------------------------------------------
    def _products(self, *, query, **_) -> Answer:
        return self._search(list(self.store.products.values()), query)

    def _children(self, sku, **_) -> Answer:
        product = self.store.products.get(sku)
        if product is None:
            return 404, {
                "message": "The product that was requested doesn't exist. Verify the product and try again."
            }
        ids = set(product["extension_attributes"].get("configurable_product_links") or [])
        return 200, [p for p in self.store.products.values() if p["id"] in ids]

    def _sources(self, *, query, **_) -> Answer:
        sources = self.store.sources.values()
        if self.store.mode == "single":
            sources = [s for s in sources if s["source_code"] == "default"]
        return self._search(list(sources), query)

    def _stocks(self, *, query, **_) -> Answer:
        return self._search(list(self.store.stocks.values()), query)

    def _links(self, *, query, **_) -> Answer:
        return self._search(list(self.store.links), query)

    def _items_get(self, *, query, **_) -> Answer:
        return self._search([dict(i) for i in self.store.items.values()], query)

    def _items_post(self, *, body, bulk, **_) -> Answer:
        bodies = body if bulk else [body]
        if not isinstance(bodies, list) or not all(
            isinstance(b, dict) and "sourceItems" in b for b in bodies
        ):
            return 400, {
                "message": '"%fieldName" is required. Enter and try again.',
                "parameters": {"fieldName": "sourceItems"},
            }
        limit = ASYNC_LIMIT if bulk else SYNC_LIMIT
        for one in bodies:
            if self.input_limits and len(one["sourceItems"]) > limit:
                return 400, {
                    "message": 'Maximum items of type "%type" is %max',
                    "parameters": {"type": ITEM_TYPE, "max": limit},
                }
            for item in one["sourceItems"]:
                if item.get("source_code") not in self.store.sources or (
                    self.store.mode == "single" and item["source_code"] != "default"
                ):
                    return 400, {
                        "message": "Validation Failed",
                        "errors": [
                            {
                                "message": 'Source "%code" does not exist.',
                                "parameters": {"code": item.get("source_code")},
                            }
                        ],
                    }
                if not item.get("sku"):
                    return 400, {
                        "message": "Validation Failed",
                        "errors": [{"message": '"%field" can not be empty.', "parameters": {"field": "sku"}}],
                    }
        if bulk:
            return 202, self.store.bulk_add(bodies)
        for item in body["sourceItems"]:
            self.store.source_item_set(
                item["sku"], item["source_code"], item.get("quantity", 0), item.get("status")
            )
        return 200, []

    def _salable(self, sku, stock_id, **_) -> Answer:
        if int(stock_id) not in self.store.stocks:
            return 404, {
                "message": 'Stock with id "%value" does not exist.',
                "parameters": {"value": stock_id},
            }
        return 200, self.store.salable(sku, int(stock_id))

    def _orders(self, *, query, **_) -> Answer:
        return self._search(list(self.store.orders.values()), query)

    def _order(self, order_id, **_) -> Answer:
        order = self.store.orders.get(int(order_id))
        if order is None:
            return 404, {
                "message": "The entity that was requested doesn't exist. Verify the entity and try again."
            }
        return 200, order

    def _ship(self, order_id, *, body, **_) -> Answer:
        body = body or {}
        tracks = body.get("tracks") or []
        if any(not all(t.get(k) for k in ("track_number", "title", "carrier_code")) for t in tracks):
            return 400, {"message": "Please enter a tracking number."}
        source = ((body.get("arguments") or {}).get("extension_attributes") or {}).get("source_code")
        try:
            return 200, self.store.ship(
                int(order_id), items=body.get("items"), source_code=source, tracks=tracks
            )
        except KeyError:
            return 404, {
                "message": "The entity that was requested doesn't exist. Verify the entity and try again."
            }
        except ShipRefused as exc:
            return 400, {"message": str(exc)}

    def _bulk_status(self, bulk_id, **_) -> Answer:
        bulk = self.store.bulks.get(bulk_id)
        if bulk is None:
            return 404, {"message": "Bulk uuid %bulkUuid not exist", "parameters": {"bulkUuid": bulk_id}}
        return 200, {
            "operations_list": [dict(op) for op in bulk["operations"]],
            "user_type": 1,
            "bulk_id": bulk_id,
            "description": "Topic async.magento.inventoryapi.api.sourceitemssaveinterface.execute.post",
            "start_time": bulk["start_time"],
            "user_id": 1,
            "operation_count": len(bulk["operations"]),
        }

    # --- control (/_fake/) ------------------------------------------------------------------------
    def _control(self, method: str, path: str, body: bytes) -> Answer:
        if method == "POST" and path == "/_fake/buy":
            try:
                data = json.loads(body or b"{}")
                order = self.store.buy(str(data["sku"]), int(data.get("quantity", 1)))
            except OutOfStock:
                return 409, {"error": "out of stock"}
            except (ValueError, KeyError, TypeError):
                return 400, {"error": "JSON {sku, quantity} expected"}
            return 201, {"order_id": str(order["entity_id"])}
        if method == "GET" and path == "/_fake/quantities":
            return 200, self.quantities()
        return 404, {"error": "unknown control endpoint"}

    def quantities(self) -> dict[str, int | None]:
        """What a buyer can buy now per SKU: the salable quantity of the sales stock."""
        with self.store.lock:
            return {
                sku: self.store.salable(sku)
                for sku, p in self.store.products.items()
                if p["type_id"] in ("simple", "virtual")
            }


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # quiet
        return

    def _do(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if self.path.startswith("/_fake/") and self.client_address[0] != "127.0.0.1":
            status, answer = 403, {"error": "loopback only"}
        else:
            status, answer = self.server.fake.handle(
                method=method,
                raw_path=self.path,
                host=self.headers.get("Host", ""),
                authorization=self.headers.get("Authorization", ""),
                body=body,
            )
        data = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self._do("GET")

    def do_POST(self):
        self._do("POST")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256
    fake: FakeMagento
