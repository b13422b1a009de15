"""The fake QuickBooks Online: Intuit OAuth 2.0 and the Accounting API v3 subset we use.

What it checks, as QuickBooks does (developer.intuit.com; Intuit developer blog on requestid and
throttling; intuit/QuickBooks-V3-Java-SDK XSDs):
* token endpoint: client Basic auth; single-use codes bound to redirect_uri; every refresh
  returns a new refresh token and the used one stops working ({"error": "invalid_grant"});
  access tokens live 3600 s; the consent redirect carries ``code``, ``state`` and ``realmId``;
* API: ``/v3/company/{realmId}/...`` with a live bearer token for that realm (401
  AuthenticationFailed 3200 / 403 ApplicationAuthorizationFailed 3100);
* ``requestid``: a repeated id returns the first answer without doing anything; ``minorversion``
  is recorded; 500 requests a minute and 10 in flight per realm -> 429 ThrottleExceeded (3001);
* POST salesreceipt / invoice / journalentry / bill / customer / vendor with the required
  fields, existing references, line amounts = Qty x UnitPrice, balanced journal entries and
  unique DisplayNames; Fault bodies ``{"Fault": {"Error": [...], "type": "ValidationFault"}}``;
* GET query with ``select * from <Entity> where <Field> = '<value>'`` (plus STARTPOSITION /
  MAXRESULTS), answering ``{"QueryResponse": {...}, "time": ...}``.
"""

from __future__ import annotations

import base64
import secrets
import threading
import time
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlencode

from config.sandbox.xero.httpserver import FakeVendor, Reply, Request

ACCESS_LIFETIME = 3600
ACCOUNTS = {
    "1": "Sales",
    "30": "Cost of Goods Sold",
    "81": "Inventory Asset",
    "33": "Accounts Payable (A/P)",
    "86": "Discounts given",
    "35": "Undeposited Funds",
    "60": "Inventory Shrinkage",
    "89": "Sales tax payable",
}
ITEMS = {"1": ("Services", "1"), "2": ("Shipping income", "1"), "3": ("Sales tax collected", "89")}


def stamp() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def fault(status: int, errors: list[tuple[str, str, str, str]], kind: str = "ValidationFault") -> Reply:
    return Reply(
        status,
        {
            "Fault": {
                "Error": [{"Message": m, "Detail": d, "code": c, "element": e} for m, d, c, e in errors],
                "type": kind,
            },
            "time": stamp(),
        },
    )


class FakeQuickBooks(FakeVendor):
    """``with FakeQuickBooks() as qbo:``; ``qbo.base_url`` is the root of every path."""

    def __init__(
        self,
        *,
        client_id: str = "qbo-client",
        client_secret: str = "qbo-secret",
        realm_id: str = "9130350000000001",
        minute_limit: int = 500,
        concurrent_limit: int = 10,
    ):
        super().__init__()
        self.client_id, self.client_secret, self.realm_id = client_id, client_secret, realm_id
        self.minute_limit, self.concurrent_limit = minute_limit, concurrent_limit
        self.codes: dict[str, str] = {}
        self.access: dict[str, float] = {}
        self.refresh_tokens: set[str] = set()
        self.refresh_count = 0
        self.entities: dict[str, list[dict]] = {
            k: []
            for k in ("SalesReceipt", "Invoice", "JournalEntry", "Bill", "VendorCredit", "Customer", "Vendor")
        }
        self.next_id = 100
        self.request_ids: dict[tuple[str, str], Reply] = {}
        self.replays = 0
        self.minor_versions: list[str] = []
        self.expire_after_api_calls: int | None = None  # tokens expire once this many API calls were served
        self.api_calls = 0
        self.minute_calls: dict[int, int] = {}
        self.in_flight = 0
        self.flight_lock = threading.Lock()

    @property
    def authorize_url(self) -> str:
        return self.base_url + "/connect/oauth2"

    @property
    def token_url(self) -> str:
        return self.base_url + "/oauth2/v1/tokens/bearer"

    def expire_access_tokens(self) -> None:
        with self.lock:
            for token in self.access:
                self.access[token] = 0.0

    def consent(self, authorize_url: str) -> str:
        import requests

        response = requests.get(authorize_url, allow_redirects=False, timeout=5)
        assert response.status_code == 302, response.text
        return response.headers["Location"]

    def handle(self, request: Request) -> Reply:
        if request.path == "/connect/oauth2":
            return self._authorize(request)
        if request.path == "/oauth2/v1/tokens/bearer":
            return self._token(request)
        prefix = "/v3/company/"
        if request.path.startswith(prefix):
            realm, _, entity = request.path[len(prefix) :].partition("/")
            return self._api(request, realm, entity.strip("/"))
        return Reply(404, {"error": "not found"})

    def _authorize(self, request: Request) -> Reply:
        q = request.query
        if q.get("client_id") != self.client_id or q.get("response_type") != "code":
            return Reply(400, {"error": "invalid_client"})
        if "com.intuit.quickbooks.accounting" not in q.get("scope", "").split():
            return Reply(400, {"error": "invalid_scope"})
        code = secrets.token_hex(16)
        with self.lock:
            self.codes[code] = q.get("redirect_uri", "")
        query = urlencode({"code": code, "state": q.get("state", ""), "realmId": self.realm_id})
        return Reply(302, None, {"Location": f"{q['redirect_uri']}?{query}"})

    def _issue(self) -> dict:
        access, refresh = secrets.token_hex(24), secrets.token_hex(24)
        self.access[access] = time.time() + ACCESS_LIFETIME
        self.refresh_tokens.add(refresh)
        return {
            "token_type": "bearer",
            "access_token": access,
            "expires_in": ACCESS_LIFETIME,
            "refresh_token": refresh,
            "x_refresh_token_expires_in": 8726400,
        }

    def _token(self, request: Request) -> Reply:
        auth = request.header("Authorization")
        user, _, password = (
            base64.b64decode(auth[6:]).decode().partition(":") if auth.startswith("Basic ") else ("", "", "")
        )
        if (user, password) != (self.client_id, self.client_secret):
            return Reply(401, {"error": "invalid_client"})
        form = {k: v[-1] for k, v in parse_qs(request.body.decode()).items()}
        with self.lock:
            if form.get("grant_type") == "authorization_code":
                redirect = self.codes.pop(form.get("code", ""), None)
                if redirect is None or redirect != form.get("redirect_uri"):
                    return Reply(400, {"error": "invalid_grant"})
                return Reply(200, self._issue())
            if form.get("grant_type") == "refresh_token":
                token = form.get("refresh_token", "")
                if token not in self.refresh_tokens:
                    return Reply(400, {"error": "invalid_grant"})
                self.refresh_tokens.discard(token)
                self.refresh_count += 1
                return Reply(200, self._issue())
        return Reply(400, {"error": "unsupported_grant_type"})

    def _api(self, request: Request, realm: str, entity: str) -> Reply:
        with self.lock:
            if self.expire_after_api_calls is not None and self.api_calls >= self.expire_after_api_calls:
                self.expire_after_api_calls = None
                self.expire_access_tokens()
        auth = request.header("Authorization")
        token = auth[7:] if auth.startswith("Bearer ") else ""
        expires = self.access.get(token)
        if expires is None or expires <= time.time():
            return Reply(
                401,
                {
                    "fault": {
                        "error": [
                            {
                                "message": "message=AuthenticationFailed; errorCode=003200; statusCode=401",
                                "detail": "Token expired" if expires is not None else "Token invalid",
                                "code": "3200",
                            }
                        ],
                        "type": "AUTHENTICATION",
                    },
                    "time": stamp(),
                },
                {"WWW-Authenticate": 'Bearer realm="Intuit"'},
            )
        if realm != self.realm_id:
            return fault(
                403,
                [
                    (
                        "message=ApplicationAuthorizationFailed; errorCode=003100; statusCode=403",
                        "",
                        "3100",
                        "",
                    )
                ],
                "AUTHORIZATION",
            )
        with self.lock:
            self.api_calls += 1
        minute = int(time.time() // 60)
        with self.flight_lock:
            used = self.minute_calls.get(minute, 0) + 1
            if used > self.minute_limit or self.in_flight >= self.concurrent_limit:
                return fault(
                    429,
                    [
                        (
                            "message=ThrottleExceeded; errorCode=003001; statusCode=429",
                            "The request limit was reached.",
                            "3001",
                            "",
                        )
                    ],
                    "SERVICE",
                )
            self.minute_calls[minute] = used
            self.in_flight += 1
        try:
            self.minor_versions.append(request.query.get("minorversion", ""))
            from .entities import handle_entity

            if request.method == "POST":
                request_id = request.query.get("requestid", "")
                with self.lock:
                    if request_id and (realm, request_id) in self.request_ids:
                        self.replays += 1
                        stored = self.request_ids[(realm, request_id)]
                        return Reply(stored.status, stored.body, dict(stored.headers))
                    reply = handle_entity(self, request, entity)
                    if request_id:
                        self.request_ids[(realm, request_id)] = reply
                    return reply
            with self.lock:
                return handle_entity(self, request, entity)
        finally:
            with self.flight_lock:
                self.in_flight -= 1
