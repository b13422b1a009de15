"""The fake Xero: identity (authorize, token, connections) and the Accounting API subset we use.

What it checks, as Xero does (developer.xero.com; XeroAPI/Xero-OpenAPI v16.1.0):
* token endpoint: client Basic auth; single-use authorisation codes bound to redirect_uri;
  refresh tokens ROTATE on every refresh and the previous one stays usable for a 30-minute grace
  period; unknown/expired ones -> 400 ``{"error": "invalid_grant"}``; access tokens live 1800 s;
* every API call: a live bearer token (401 problem body otherwise) and a ``xero-tenant-id`` the
  token was granted (403 otherwise);
* per tenant: 60 calls a minute and 5 in flight -> 429 with ``Retry-After`` and
  ``X-Rate-Limit-Problem`` (minute / concurrent); X-MinLimit-Remaining, X-DayLimit-Remaining and
  X-AppMinLimit-Remaining on answers;
* PUT Invoices / ManualJournals / Contacts create; ``Idempotency-Key`` replays the first
  successful answer; invalid elements -> 400 ValidationException with Elements[].ValidationErrors;
  manual journals must balance; account codes must exist in the chart of accounts; contact names
  are unique;
* GET with ``where`` (``Field=="value"`` joined by AND), ``InvoiceNumbers`` and ``page``.
"""

from __future__ import annotations

import base64
import secrets
import threading
import time
import uuid
from decimal import Decimal
from urllib.parse import urlencode

from .httpserver import FakeVendor, Reply, Request

CHART = {
    "200": "Sales",
    "260": "Other Revenue",
    "310": "Cost of Goods Sold",
    "630": "Inventory",
    "820": "Sales Tax",
    "800": "Accounts Payable",
    "480": "Discounts",
    "203": "Shipping Income",
    "478": "Inventory Adjustments",
    "090": "Clearing",
}
ACCESS_LIFETIME = 1800
REFRESH_GRACE = 30 * 60


def ms_date(epoch: float) -> str:
    return f"/Date({int(epoch * 1000)}+0000)/"


def validation_error(element: dict, messages: list[str]) -> Reply:
    return Reply(
        400,
        {
            "ErrorNumber": 10,
            "Type": "ValidationException",
            "Message": "A validation exception occurred",
            "Elements": [{**element, "ValidationErrors": [{"Message": m} for m in messages]}],
        },
    )


class FakeXero(FakeVendor):
    """Start with ``with FakeXero() as xero:``; ``xero.base_url`` is the root for every path."""

    def __init__(
        self,
        *,
        client_id: str = "xero-client",
        client_secret: str = "xero-secret",
        minute_limit: int = 60,
        concurrent_limit: int = 5,
    ):
        super().__init__()
        self.client_id, self.client_secret = client_id, client_secret
        self.minute_limit, self.concurrent_limit = minute_limit, concurrent_limit
        self.tenant_id = str(uuid.uuid4())
        self.tenant_name = "Demo Company (NZ)"
        self.codes: dict[str, str] = {}  # code -> redirect_uri
        self.access: dict[str, float] = {}  # token -> expires at
        self.refresh: dict[str, float | None] = {}  # token -> None (current) or rotated-at
        self.refresh_count = 0
        self.invoices: list[dict] = []
        self.journals: list[dict] = []
        self.credit_notes: list[dict] = []
        self.contacts: list[dict] = []
        self.items: list[dict] = []
        self.idempotent: dict[tuple[str, str, str], Reply] = {}
        self.replays = 0
        self.minute_calls: dict[int, int] = {}
        self.in_flight = 0
        self.max_in_flight = 0
        self.flight_lock = threading.Lock()
        self.slow_seconds = 0.0
        self.token_delay = 0.0
        self.expire_after_api_calls: int | None = None  # tokens expire once this many API calls were served
        self.api_calls = 0
        self.clock_offset = 0.0
        self.connections_answer: object | None = None  # replaces the GET /connections body when set

    # --- helpers for tests -------------------------------------------------------------------------

    @property
    def authorize_url(self) -> str:
        return self.base_url + "/identity/connect/authorize"

    @property
    def token_url(self) -> str:
        return self.base_url + "/connect/token"

    def now(self) -> float:
        return time.time() + self.clock_offset

    def expire_access_tokens(self) -> None:
        """Every issued access token is expired from now on (as after 30 minutes)."""
        with self.lock:
            for token in self.access:
                self.access[token] = 0.0

    def consent(self, authorize_url: str) -> str:
        """What the browser does: open the consent URL (the user agrees); return the redirect."""
        import requests

        response = requests.get(authorize_url, allow_redirects=False, timeout=5)
        assert response.status_code == 302, response.text
        return response.headers["Location"]

    # --- dispatch ----------------------------------------------------------------------------------

    def handle(self, request: Request) -> Reply:
        if request.path == "/identity/connect/authorize":
            return self._authorize(request)
        if request.path == "/connect/token":
            return self._token(request)
        if request.path == "/connections":
            return self._connections(request)
        if request.path.startswith("/api.xro/2.0/"):
            return self._api(request)
        return Reply(404, {"Title": "NotFound", "Status": 404})

    def _authorize(self, request: Request) -> Reply:
        q = request.query
        if q.get("client_id") != self.client_id or q.get("response_type") != "code":
            return Reply(400, {"error": "unauthorized_client"})
        if "offline_access" not in q.get("scope", "").split():
            return Reply(400, {"error": "invalid_scope"})
        code = secrets.token_hex(16)
        with self.lock:
            self.codes[code] = q.get("redirect_uri", "")
        query = {"code": code, "scope": q["scope"], "state": q.get("state", ""), "session_state": "x"}
        location = f"{q['redirect_uri']}?{urlencode(query)}"
        return Reply(302, None, {"Location": location})

    def _client_ok(self, request: Request) -> bool:
        auth = request.header("Authorization")
        if not auth.startswith("Basic "):
            return False
        user, _, password = base64.b64decode(auth[6:]).decode().partition(":")
        return user == self.client_id and password == self.client_secret

    def _issue(self) -> dict:
        access, refresh = secrets.token_hex(24), secrets.token_hex(24)
        self.access[access] = self.now() + ACCESS_LIFETIME
        self.refresh[refresh] = None
        return {
            "id_token": "x",
            "access_token": access,
            "expires_in": ACCESS_LIFETIME,
            "token_type": "Bearer",
            "refresh_token": refresh,
            "scope": "openid offline_access accounting.transactions accounting.contacts",
        }

    def _token(self, request: Request) -> Reply:
        if request.method != "POST":
            return Reply(405, {"error": "invalid_request"})
        if not self._client_ok(request):
            return Reply(400, {"error": "invalid_client"})
        from urllib.parse import parse_qs

        form = {k: v[-1] for k, v in parse_qs(request.body.decode()).items()}
        if self.token_delay:
            time.sleep(self.token_delay)
        with self.lock:
            if form.get("grant_type") == "authorization_code":
                redirect = self.codes.pop(form.get("code", ""), None)
                if redirect is None or redirect != form.get("redirect_uri"):
                    return Reply(400, {"error": "invalid_grant"})
                return Reply(200, self._issue())
            if form.get("grant_type") == "refresh_token":
                token = form.get("refresh_token", "")
                if token not in self.refresh:
                    return Reply(400, {"error": "invalid_grant"})
                rotated = self.refresh[token]
                if rotated is not None and self.now() - rotated > REFRESH_GRACE:
                    return Reply(400, {"error": "invalid_grant"})
                if rotated is None:
                    self.refresh[token] = self.now()
                self.refresh_count += 1
                return Reply(200, self._issue())
        return Reply(400, {"error": "unsupported_grant_type"})

    def _bearer(self, request: Request) -> Reply | None:
        auth = request.header("Authorization")
        token = auth[7:] if auth.startswith("Bearer ") else ""
        expires = self.access.get(token)
        if expires is None or expires <= self.now():
            return Reply(
                401,
                {
                    "Type": None,
                    "Title": "Unauthorized",
                    "Status": 401,
                    "Detail": "TokenExpired: token expired"
                    if expires is not None
                    else "AuthenticationUnsuccessful",
                    "Instance": str(uuid.uuid4()),
                    "Extensions": {},
                },
                {"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
        return None

    def _connections(self, request: Request) -> Reply:
        if (denied := self._bearer(request)) is not None:
            return denied
        if self.connections_answer is not None:
            return Reply(200, self.connections_answer)
        stamp = "2026-11-01T10:00:00.0000000"
        return Reply(
            200,
            [
                {
                    "id": str(uuid.uuid4()),
                    "authEventId": str(uuid.uuid4()),
                    "tenantId": self.tenant_id,
                    "tenantType": "ORGANISATION",
                    "tenantName": self.tenant_name,
                    "createdDateUtc": stamp,
                    "updatedDateUtc": stamp,
                }
            ],
        )

    def _limit_headers(self, minute_used: int) -> dict[str, str]:
        return {
            "X-MinLimit-Remaining": str(max(self.minute_limit - minute_used, 0)),
            "X-DayLimit-Remaining": "4990",
            "X-AppMinLimit-Remaining": "9990",
        }

    def _api(self, request: Request) -> Reply:
        with self.lock:
            if self.expire_after_api_calls is not None and self.api_calls >= self.expire_after_api_calls:
                self.expire_after_api_calls = None
                for token in self.access:
                    self.access[token] = 0.0
        if (denied := self._bearer(request)) is not None:
            return denied
        with self.lock:
            self.api_calls += 1
        if request.header("xero-tenant-id") != self.tenant_id:
            return Reply(
                403,
                {
                    "Type": None,
                    "Title": "Forbidden",
                    "Status": 403,
                    "Detail": "AuthenticationUnsuccessful",
                    "Instance": str(uuid.uuid4()),
                    "Extensions": {},
                },
            )
        minute = int(self.now() // 60)
        with self.flight_lock:
            used = self.minute_calls.get(minute, 0) + 1
            if used > self.minute_limit:
                retry = 60 - int(self.now() % 60)
                return Reply(
                    429,
                    None,
                    {
                        "Retry-After": str(retry),
                        "X-Rate-Limit-Problem": "minute",
                        **self._limit_headers(used),
                    },
                )
            if self.in_flight >= self.concurrent_limit:
                return Reply(429, None, {"Retry-After": "1", "X-Rate-Limit-Problem": "concurrent"})
            self.minute_calls[minute] = used
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if self.slow_seconds:
                time.sleep(self.slow_seconds)
            reply = self._resource(request)
        finally:
            with self.flight_lock:
                self.in_flight -= 1
        reply.headers.update(self._limit_headers(used))
        return reply

    def _resource(self, request: Request) -> Reply:
        from .resources import handle_resource

        resource = request.path.removeprefix("/api.xro/2.0/").strip("/")
        if request.method == "PUT":
            key = request.header("Idempotency-Key")
            with self.lock:
                stored = self.idempotent.get((self.tenant_id, resource, key)) if key else None
                if stored is not None:
                    self.replays += 1
                    return Reply(stored.status, stored.body, dict(stored.headers))
                reply = handle_resource(self, request, resource)
                if key and 200 <= reply.status < 300:
                    self.idempotent[(self.tenant_id, resource, key)] = Reply(
                        reply.status, reply.body, dict(reply.headers)
                    )
                return reply
        with self.lock:
            return handle_resource(self, request, resource)


def total(values) -> Decimal:
    return sum((Decimal(str(v)) for v in values), Decimal("0"))
