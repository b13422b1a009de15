"""The fake eBay as a threaded HTTP server on 127.0.0.1 (API host and consent page in one).

    fake = FakeEbay().start()
    fake.item_add("MUG-RED", 7)              # an Inventory API item with a published offer
    code = fake.consent(scopes)              # what the consent page would redirect with
    fake.buy("MUG-RED", 1)                   # a buyer: stock deducted, order, notifications
    fake.stop()

Routes: ``GET /oauth2/authorize`` (302 to ``accept_url`` with ``state``, ``code``,
``expires_in=299``), ``POST /identity/v1/oauth2/token``, the Inventory, Fulfillment and
Notification routes of ``inventory``, ``orders`` and ``notifications``, and the control routes
``POST /_fake/buy`` ``{"sku", "quantity"}`` -> 201 ``{"order_id"}`` / 409 ``{"error": "out of
stock"}`` and ``GET /_fake/quantities`` -> ``{sku: available}``. Every API request is logged
(``requests``: method, path, query, headers, JSON body) for tests and spec validation.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

from config.sandbox.ebay import inventory, notifications, orders
from config.sandbox.ebay.signing import Signer
from config.sandbox.ebay.state import OAuthRefused, OutOfStock, Refused, State

INVENTORY_SCOPE = "https://api.ebay.com/oauth/api_scope/sell.inventory"
FULFILLMENT_SCOPE = "https://api.ebay.com/oauth/api_scope/sell.fulfillment"
SCOPES = frozenset(
    {
        "https://api.ebay.com/oauth/api_scope",
        INVENTORY_SCOPE,
        FULFILLMENT_SCOPE,
        notifications.SUBSCRIBE_SCOPE,
        "https://api.ebay.com/oauth/api_scope/sell.account",
    }
)
API_OF = {
    "/sell/inventory/": "inventory",
    "/sell/fulfillment/": "fulfillment",
    "/commerce/notification/": "notification",
}


class Answer(Exception):
    def __init__(self, status: int, data: object = None, headers: dict | None = None) -> None:
        self.status, self.data, self.headers = status, data, headers or {}


class FakeEbay:
    """See the module. ``quotas``: calls per day per API ("inventory", "fulfillment",
    "notification"); ``revision_zone``: the cap's calendar."""

    def __init__(
        self,
        *,
        client_id: str = "FakeSell-Stockmas-PRD-0123456789",
        client_secret: str = "PRD-fake-cert-0123456789abcdef",
        ru_name: str = "Fake_Seller-FakeSell-Stockm-abcdefgh",
        clock: Callable[[], float] = time.time,
        revision_zone: str = "America/Los_Angeles",
        quotas: dict[str, int] | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.host, self.port = host, port
        self.state = State(
            client_id=client_id,
            client_secret=client_secret,
            ru_name=ru_name,
            clock=clock,
            revision_zone=revision_zone,
            quotas=quotas,
        )
        self.signer = Signer()
        self.deliveries = notifications.Deliveries(self.state, self.signer)
        self.accept_url = ""
        self.requests: list[dict] = []
        self._server: ThreadingHTTPServer | None = None

    # --- life ------------------------------------------------------------------------------------
    def start(self) -> FakeEbay:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                status, data, headers = fake.handle(self.command, self.path, dict(self.headers), raw)
                body = b"" if data is None else json.dumps(data).encode()
                self.send_response(status)
                if data is not None:
                    self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                for key, value in headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = do_DELETE = _serve

            def log_message(self, *args) -> None:
                return

        self._server = ThreadingHTTPServer((self.host, self.port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeEbay:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._server is not None, "start() the fake first"
        return f"http://{self.host}:{self._server.server_address[1]}"

    # --- helpers for tests and the demo ------------------------------------------------------------
    def item_add(self, sku: str, quantity: int, **kwargs):
        return self.state.item_add(sku, quantity, **kwargs)

    def legacy_add(self, sku: str, quantity: int, **flags):
        return self.state.legacy_add(sku, quantity, **flags)

    def consent(self, scopes=SCOPES) -> str:
        """The code the consent page would hand out after the seller agreed."""
        return self.state.code_issue(frozenset(scopes))

    def buy(self, sku: str, quantity: int = 1):
        """A buyer checks out; raises OutOfStock when the listing shows too few."""
        order = orders.buy(self.state, sku=sku, quantity=quantity)
        self.deliveries.order_placed(order)
        return order

    def cancel(self, order_id: str):
        return orders.cancel(self.state, order_id)

    def quantity(self, sku: str) -> int | None:
        with self.state.lock:
            offer = self.state.offers.get(self.state.by_sku.get(sku, ""))
            return offer.quantity if offer is not None and offer.published else None

    def quantities(self) -> dict[str, int | None]:
        with self.state.lock:
            return {sku: self.quantity(sku) for sku in self.state.by_sku}

    def revisions(self, sku: str) -> int:
        with self.state.lock:
            return self.state.revisions_today(self.state.offers[self.state.by_sku[sku]].listing_id)

    # --- HTTP ------------------------------------------------------------------------------------
    def handle(self, method: str, target: str, headers: dict, raw: bytes) -> tuple[int, object, dict]:
        parts = urlsplit(target)
        query = parse_qs(parts.query)
        path = parts.path
        body = None
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                body = None
        self.requests.append(
            {"method": method, "path": path, "query": query, "headers": headers, "body": body, "raw": raw}
        )
        try:
            return self._route(method, path, query, headers, raw, body)
        except Answer as answer:
            return answer.status, answer.data, answer.headers
        except Refused as exc:
            return exc.status, exc.body, {}
        except OAuthRefused as exc:
            return exc.status, exc.body, {}

    def _route(self, method, path, query, headers, raw, body):
        if path.startswith("/_fake/"):
            return self._control(method, path, body)
        if path == "/oauth2/authorize" and method == "GET":
            return self._authorize(query)
        if path == "/identity/v1/oauth2/token" and method == "POST":
            return self._token(headers, raw)
        api = next((name for prefix, name in API_OF.items() if path.startswith(prefix)), None)
        if api is None:
            raise Refused(404, 2002, "Resource not found", domain="ACCESS")
        authorization = headers.get("Authorization", "")
        if api == "notification" and (
            path.startswith(f"{notifications.BASE}/public_key/")
            or path.startswith((f"{notifications.BASE}/config", f"{notifications.BASE}/destination"))
        ):
            self.state.bearer(authorization, kind="app", scope=None)
        elif api == "notification":
            self.state.bearer(authorization, kind="user", scope=notifications.SUBSCRIBE_SCOPE)
        else:
            scope = INVENTORY_SCOPE if api == "inventory" else FULFILLMENT_SCOPE
            self.state.bearer(authorization, kind="user", scope=scope)
        self.state.count_call(api)
        if (
            method in ("POST", "PUT")
            and raw
            and not headers.get("Content-Type", "").startswith("application/json")
        ):
            raise Refused(
                415, 2004, "Invalid request: Content-Type must be application/json", domain="ACCESS"
            )
        return getattr(self, f"_{api}")(method, path, query, body)

    def _inventory(self, method, path, query, body):
        rest = path[len(inventory.BASE) :]
        if method == "GET" and rest == "/inventory_item":
            return 200, inventory.items_get(self.state, url=self.url, query=query), {}
        if method == "GET" and rest == "/offer":
            return 200, inventory.offers_get(self.state, url=self.url, query=query), {}
        if method == "GET" and rest.startswith("/offer/"):
            return 200, inventory.offer_get(self.state, rest[len("/offer/") :]), {}
        if method == "POST" and rest == "/bulk_update_price_quantity":
            status, data = inventory.bulk_update(self.state, body)
            return status, data, {}
        if method == "POST" and rest == "/bulk_migrate_listing":
            status, data = inventory.migrate(self.state, body)
            return status, data, {}
        raise Refused(404, 2002, "Resource not found", domain="ACCESS")

    def _fulfillment(self, method, path, query, body):
        rest = path[len(orders.BASE) :]
        if method == "GET" and rest == "/order":
            return 200, orders.orders_get(self.state, url=self.url, query=query), {}
        if rest.startswith("/order/"):
            order_id, _, tail = rest[len("/order/") :].partition("/")
            if method == "GET" and not tail:
                return 200, orders.order_get(self.state, order_id), {}
            if method == "POST" and tail == "shipping_fulfillment":
                fulfilment_id = orders.fulfil(self.state, order_id, body)
                location = f"{self.url}{orders.BASE}/order/{order_id}/shipping_fulfillment/{fulfilment_id}"
                return 201, {}, {"Location": location}
        raise Refused(404, 2002, "Resource not found", domain="ACCESS")

    def _notification(self, method, path, query, body):
        rest = path[len(notifications.BASE) :]
        state = self.state
        if method == "GET" and rest.startswith("/public_key/"):
            pem = self.signer.public_pem(rest[len("/public_key/") :])
            if pem is None:
                raise Refused(404, 195001, "The specified key id is invalid.", domain=notifications.DOMAIN)
            return 200, {"algorithm": "ECDSA", "digest": "SHA1", "key": pem}, {}
        if method == "PUT" and rest == "/config":
            state.alert_email = str((body or {}).get("alertEmail") or "")
            return 204, None, {}
        if method == "GET" and rest == "/destination":
            with state.lock:
                found = list(state.destinations.values())
            return 200, {"total": len(found), "limit": 100, "destinations": found}, {}
        if method == "POST" and rest == "/destination":
            created = notifications.destination_create(state, body)
            return 201, None, {"Location": f"{self.url}{notifications.BASE}/destination/{created}"}
        if method == "GET" and rest == "/subscription":
            with state.lock:
                found = list(state.subscriptions.values())
            return 200, {"total": len(found), "limit": 100, "subscriptions": found}, {}
        if method == "POST" and rest == "/subscription":
            created = notifications.subscription_create(state, body)
            return 201, None, {"Location": f"{self.url}{notifications.BASE}/subscription/{created}"}
        raise Refused(404, 2002, "Resource not found", domain="ACCESS")

    def _authorize(self, query):
        single = {k: v[0] for k, v in query.items()}
        scopes = frozenset(single.get("scope", "").split())
        if (
            single.get("client_id") != self.state.client_id
            or single.get("redirect_uri") != self.state.ru_name
            or single.get("response_type") != "code"
            or not scopes
            or not scopes <= SCOPES
        ):
            raise Answer(400, {"error": "invalid_request", "error_description": "bad consent request"})
        code = self.state.code_issue(scopes)
        params = urlencode({"state": single.get("state", ""), "code": code, "expires_in": "299"})
        raise Answer(302, None, {"Location": f"{self.accept_url}?{params}"})

    def _token(self, headers, raw):
        expected = (
            "Basic "
            + base64.b64encode(f"{self.state.client_id}:{self.state.client_secret}".encode()).decode()
        )
        if headers.get("Authorization", "") != expected:
            raise OAuthRefused(401, "invalid_client", "client authentication failed")
        if headers.get("Content-Type", "") != "application/x-www-form-urlencoded":
            raise OAuthRefused(400, "invalid_request", "request is missing a required parameter or malformed")
        form = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
        return 200, self.state.token_grant(form), {}

    def _control(self, method, path, body):
        if method == "POST" and path == "/_fake/buy":
            sku = str((body or {}).get("sku") or "")
            try:
                order = self.buy(sku, int((body or {}).get("quantity") or 1))
            except (OutOfStock, ValueError):
                return 409, {"error": "out of stock"}, {}
            return 201, {"order_id": order.order_id}, {}
        if method == "GET" and path == "/_fake/quantities":
            return 200, self.quantities(), {}
        raise Answer(404, {"error": "unknown control route"})
