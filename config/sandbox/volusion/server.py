"""The fake Volusion store's HTTP server on 127.0.0.1 (protocol in README.md).

fake = FakeVolusion().start()
fake.state.product_add("SHEET-1", 5)
fake.url, fake.state.login, fake.state.encrypted_password   # the account's settings
"""

from __future__ import annotations

import json
import socket
import threading
from collections import deque
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit
from xml.etree.ElementTree import ParseError
from xml.sax.saxutils import escape

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from config.sandbox.volusion.render import orders_xml, products_xml
from config.sandbox.volusion.state import OutOfStock, VolusionState

ENDPOINT = "/net/WebService.aspx"
IMPORT_ROOTS = {"xmldata", "volusion", "volusion_api"}
IMPORT_MODES = {"update", "insert", "insert-update"}
MAX_IMPORT_BYTES = 10 * 1024 * 1024


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # quiet
        return

    def setup(self) -> None:
        super().setup()
        # headers and body are two writes: without this, delayed ACKs add 40 ms to every call
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _reply(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _handle(self, method: str) -> None:
        fake: FakeVolusion = self.server.fake
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if parts.path.startswith("/_fake/"):
            status, data = fake.control(method, parts.path, body)
            self._reply(status, json.dumps(data).encode(), "application/json")
            return
        if parts.path.lower() != ENDPOINT.lower():
            self._reply(404, b"Not Found", "text/plain")
            return
        query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        status, answer = fake.webservice(method, query, body)
        self._reply(status, answer, "text/xml; charset=utf-8")

    def do_GET(self):
        self._handle("GET")

    def do_POST(self):
        self._handle("POST")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class FakeVolusion:
    """One fake store. ``calls`` logs every WebService call (method, EDI_Name or Import, filter)."""

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, state: VolusionState | None = None) -> None:
        self.state = state or VolusionState()
        self.lock = threading.Lock()
        self.calls: list[tuple[str, str, str]] = []
        # What the next WebService calls answer: a status (empty body), or None (served normally).
        self.faults: deque[int | None] = deque()
        self.injected: deque[bytes] = deque()  # raw bodies answered by the next export calls
        self.imports: list[bytes] = []
        self.httpd = _Server((host, port), _Handler)
        self.httpd.fake = self
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """The store's root URL (the account's base URL)."""
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}/"

    def start(self) -> FakeVolusion:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> FakeVolusion:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # --- test controls ---------------------------------------------------------------------------
    def fail_next(self, count: int = 1, *, status: int = 503, after: int = 0) -> None:
        """The next ``count`` WebService calls, after ``after`` served normally, answer
        ``status`` with an empty body (a store or network failure between two calls)."""
        with self.lock:
            self.faults.extend([None] * after + [status] * count)

    def answer_next(self, body: bytes) -> None:
        """The next export call answers ``body`` as it is (hostile XML tests)."""
        with self.lock:
            self.injected.append(body)

    def calls_of(self, name: str) -> list[tuple[str, str, str]]:
        with self.lock:
            return [c for c in self.calls if c[1] == name]

    # --- /_fake/ control endpoints (not Volusion's API) -------------------------------------------
    def control(self, method: str, path: str, body: bytes) -> tuple[int, object]:
        state = self.state
        try:
            data = json.loads(body or b"{}")
        except ValueError:
            return 400, {"error": "the body is not JSON"}
        if method == "GET" and path == "/_fake/quantities":
            return 200, state.quantities()
        if method == "POST" and path == "/_fake/buy":
            try:
                order = state.buy(str(data["sku"]), int(data.get("quantity", 1)))
            except OutOfStock:
                return 409, {"error": "out of stock"}
            except (KeyError, TypeError, ValueError):
                return 400, {"error": "expected {sku, quantity}"}
            return 201, {"order_id": str(order.order_id)}
        if method == "POST" and path == "/_fake/rotate_password":
            return 200, {"encrypted_password": state.password_rotate()}
        if method == "POST" and path == "/_fake/reset_export":
            kind = str(data.get("export", "Generic\\Orders")).rpartition("\\")[2]
            if kind not in ("Orders", "Products"):
                return 400, {"error": "export is Generic\\Orders or Generic\\Products"}
            since = datetime.fromisoformat(data["since"]) if data.get("since") else None
            state.cursor_reset(kind, since=since)
            return 200, {"reset": kind}
        return 404, {"error": "not found"}

    # --- /net/WebService.aspx --------------------------------------------------------------------
    def webservice(self, method: str, query: dict[str, str], body: bytes) -> tuple[int, bytes]:
        name = query.get("EDI_Name") or query.get("API_Name") or ""
        mode = query.get("Import", "")
        with self.lock:
            self.calls.append((method, name or f"Import={mode}", query.get("WHERE_Value", "")))
            fault = self.faults.popleft() if self.faults else None
            if fault is not None:
                return fault, b""
        if not self.state.authorised(query.get("Login", ""), query.get("EncryptedPassword", "")):
            return 200, b""  # Volusion's answer to bad credentials: an empty body
        if mode:
            if method != "POST" or mode.lower() not in IMPORT_MODES:
                return 200, b'<?xml version="1.0" encoding="UTF-8"?>\n<xmldata />'
            return 200, self._import(body)
        with self.lock:
            if self.injected:
                return 200, self.injected.popleft()
        kind = name.replace("/", "\\").rpartition("\\")[2]
        column = query.get("WHERE_Column", "").rpartition(".")[2].lower()
        value = query.get("WHERE_Value")
        columns = query.get("SELECT_Columns", "*")
        if kind == "Orders":
            return 200, self._orders(column, value, columns)
        if kind == "Products":
            return 200, self._products(column, value, columns)
        return 200, b'<?xml version="1.0" encoding="UTF-8"?>\n<xmldata />'

    def _orders(self, column: str, value: str | None, columns: str) -> bytes:
        state = self.state
        with state.lock:
            if not column:
                orders = [state.orders[i] for i in state.cursor_next("Orders")]
            else:
                fields = {"orderstatus": lambda o: o.status, "orderid": lambda o: str(o.order_id)}
                get = fields.get(column)
                wanted = (value or "").lower()
                orders = [o for _, o in sorted(state.orders.items()) if get and get(o).lower() == wanted]
            return orders_xml(state, orders, columns)

    def _products(self, column: str, value: str | None, columns: str) -> bytes:
        state = self.state
        with state.lock:
            if not column:
                ids = set(state.cursor_next("Products"))
                products = [p for p in state.products.values() if p.product_id in ids]
            elif column == "productcode":  # indexed lookups (benchmarks hold 100,000 products)
                found = state.products.get(value or "")
                products = [found] if found else []
            elif column == "ischildofproductcode":
                codes = state.children.get((value or "").lower(), [])
                products = [state.products[c] for c in codes if c in state.products]
            else:
                fields = {
                    "productcode": lambda p: p.code,
                    "ischildofproductcode": lambda p: p.parent_code,
                    "stockstatus": lambda p: str(p.stock),
                    "productid": lambda p: str(p.product_id),
                }
                get = fields.get(column)
                wanted = (value or "").lower()
                products = [p for p in state.products.values() if get and get(p).lower() == wanted]
            products.sort(key=lambda p: p.product_id)
            return products_xml(state, products, columns)

    def _import(self, body: bytes) -> bytes:
        """Apply ``<Products>`` (StockStatus, DoNotAllowBackOrders by ProductCode) and
        ``<TrackingNumbers>`` rows; answer one ``<Success>`` per row (our invention)."""
        if len(body) > MAX_IMPORT_BYTES:
            return b'<?xml version="1.0" encoding="UTF-8"?>\n<xmldata />'
        with self.lock:
            self.imports.append(body)
        try:
            root = fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
        except (DefusedXmlException, ParseError):
            return b'<?xml version="1.0" encoding="UTF-8"?>\n<xmldata />'
        if root.tag.lower() not in IMPORT_ROOTS:
            return b'<?xml version="1.0" encoding="UTF-8"?>\n<xmldata />'
        out = []
        for row in root:
            fields = {child.tag.lower(): (child.text or "").strip() for child in row}
            if row.tag == "Products":
                stock = fields.get("stockstatus")
                flag = fields.get("donotallowbackorders")
                ok = self.state.stock_update(
                    fields.get("productcode", ""),
                    stock=int(stock) if stock not in (None, "") else None,
                    no_backorders=None if flag is None else flag.upper() == "Y",
                )
                key = f"<ProductCode>{escape(fields.get('productcode', ''))}</ProductCode>"
            elif row.tag == "TrackingNumbers":
                ok = fields.get("orderid", "").isdigit() and self.state.tracking_add(
                    int(fields["orderid"]),
                    fields.get("trackingnumber", ""),
                    gateway=fields.get("gateway", ""),
                    mark_shipped=fields.get("markordershipped", "").lower() in ("true", "y", "1"),
                )
                key = f"<OrderID>{escape(fields.get('orderid', ''))}</OrderID>"
            else:
                continue
            out.append(f"<{row.tag}>{key}<Success>{'true' if ok else 'false'}</Success></{row.tag}>")
        return ('<?xml version="1.0" encoding="UTF-8"?>\n<xmldata>' + "".join(out) + "</xmldata>").encode()


def main() -> None:  # pragma: no cover - manual use: python -m config.sandbox.volusion.server
    fake = FakeVolusion(port=0).start()
    fake.state.product_add("DEMO-1", 5)
    print(fake.url, fake.state.login, fake.state.encrypted_password, flush=True)
    fake.thread.join()


if __name__ == "__main__":  # pragma: no cover
    main()
