"""Shopify's OAuth endpoints of the shop, for its Dev Dashboard app (and the legacy static token).

Three ways to hold an Admin API token, as Shopify documents them:

* legacy custom app: the static ``access_token`` typed into the fake, never expires;
* client credentials grant (an app of the shop's own organization, installed on it):
  ``POST /admin/oauth/access_token`` ``grant_type=client_credentials&client_id=&client_secret=``
  -> ``{"access_token", "scope", "expires_in": 86399}``, no refresh token
  (https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/client-credentials-grant);
* authorization code grant with expiring offline tokens: ``GET /admin/oauth/authorize?client_id=
  &scope=&redirect_uri=&state=`` (the merchant approves; here at once) redirects to
  ``redirect_uri?code=&hmac=&host=&shop=&state=&timestamp=`` (``hmac`` = hex HMAC-SHA256 of the
  other parameters sorted, keyed with the client secret); ``POST /admin/oauth/access_token``
  ``client_id, client_secret, code, expiring=1`` -> ``{"access_token", "expires_in": 3600,
  "refresh_token", "refresh_token_expires_in": 7776000, "scope"}``; ``grant_type=refresh_token``
  with ``refresh_token`` gives a new pair. A used refresh token stays usable until its
  replacement is used (Shopify changelog 2026-08-28 "More resilient refreshes"); using a
  replacement retires its parent and the parent's other replacements.

Errors are RFC 6749 bodies ``{"error", "error_description"}`` with HTTP 400 (``invalid_grant`` for
a bad/expired/revoked refresh token or code, ``invalid_client`` for a wrong client id/secret,
``shop_not_permitted`` for client credentials when the app is not installed on the shop). An
expired or revoked access token gets the Admin API's 401. ``clock`` (epoch seconds) is
replaceable: tests pass a :class:`SimClock` to cross a simulated day without waiting.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit

CLIENT_CREDENTIALS_LIFETIME = 86399
EXPIRING_LIFETIME = 3600
REFRESH_LIFETIME = 7_776_000
RECOVERY_WINDOW = 30 * 86400


class SimClock:
    """A clock that only moves when told: ``clock()`` epoch seconds, ``advance(s)``, ``set(t)``."""

    def __init__(self, start: float | None = None) -> None:
        self._now = float(start if start is not None else time.time())
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> float:
        with self._lock:
            self._now += seconds
            return self._now

    def set(self, when: float) -> None:
        with self._lock:
            self._now = float(when)


@dataclass
class _Refresh:
    parent: str | None
    expires_at: float
    children: list[str] = field(default_factory=list)
    used_at: float | None = None
    retired: bool = False


def query_hmac(*, secret: str, params: dict[str, str]) -> str:
    """Shopify's ``hmac`` of a redirect: hex HMAC-SHA256 of ``k=v`` pairs sorted, joined by ``&``."""
    message = "&".join(f"{k}={v}" for k, v in sorted(params.items()) if k != "hmac")
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def _error(code: str, description: str, status: int = 400) -> tuple[int, dict, dict]:
    return status, {}, {"error": code, "error_description": description}


class FakeOAuth:
    """The shop's token endpoint and install page for one Dev Dashboard app (see the module)."""

    def __init__(
        self,
        fake,
        *,
        client_id: str = "fake_client_id",
        scopes: str = "read_products,read_inventory,write_inventory,read_orders,"
        "read_merchant_managed_fulfillment_orders,write_merchant_managed_fulfillment_orders,read_locations",
        legacy_token: str | None = None,
        client_credentials: bool = True,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.fake = fake
        self.client_id = client_id
        self.scopes = scopes
        self.legacy_token = legacy_token
        self.client_credentials = client_credentials  # the app belongs to the shop's organization
        self.clock = clock
        self.installed = True
        self.allowed_redirects: list[str] | None = None  # None: any redirect URL
        self.token_latency = 0.0  # seconds the token endpoint takes to answer
        self.lock = threading.Lock()
        self.access: dict[str, float | None] = {}  # token -> expires_at (None: never)
        self.refresh: dict[str, _Refresh] = {}
        self.codes: dict[str, tuple[str, float]] = {}  # code -> (redirect_uri, expires_at)

    # --- what the Admin API asks ------------------------------------------------------------------
    def authorized(self, token: str | None) -> bool:
        """True when ``token`` may call the Admin API now."""
        if not token or not self.installed:
            return False
        if self.legacy_token is not None and hmac.compare_digest(token, self.legacy_token):
            return True
        with self.lock:
            if token not in self.access:
                return False
            expires_at = self.access[token]
        return expires_at is None or self.clock() < expires_at

    # --- test controls ----------------------------------------------------------------------------
    def revoke(self) -> None:
        """The merchant uninstalls the app: every token and refresh token stops working."""
        with self.lock:
            self.installed = False
            self.access.clear()
            for entry in self.refresh.values():
                entry.retired = True

    def invalidate_access_tokens(self) -> None:
        """Every issued access token stops working now (refresh tokens keep working)."""
        with self.lock:
            self.access.clear()

    def refresh_valid(self, token: str) -> bool:
        """True when ``token`` would be accepted by a refresh now."""
        with self.lock:
            entry = self.refresh.get(token)
            return entry is not None and self._usable(entry)

    # --- endpoints ------------------------------------------------------------------------------
    def handle(self, method: str, path: str, headers, body: bytes) -> tuple[int, dict, object] | None:
        """Answer ``/admin/oauth/*``; None for other paths."""
        route = path.split("?", 1)[0]
        if route == "/admin/oauth/access_token" and method == "POST":
            return self._token(headers, body)
        if route == "/admin/oauth/authorize" and method == "GET":
            return self._authorize(dict(parse_qsl(urlsplit(path).query)))
        return None

    def _authorize(self, query: dict[str, str]) -> tuple[int, dict, object]:
        redirect = query.get("redirect_uri", "")
        if query.get("client_id") != self.client_id:
            return 400, {}, {"errors": "Invalid client_id"}
        if not redirect or (self.allowed_redirects is not None and redirect not in self.allowed_redirects):
            return 400, {}, {"errors": "The redirect_uri is not whitelisted"}
        self.installed = True
        code = secrets.token_hex(16)
        with self.lock:
            self.codes[code] = (redirect, self.clock() + 600)
        params = {
            "code": code,
            "host": base64.urlsafe_b64encode(f"{self.fake.state.shop['domain']}/admin".encode()).decode(),
            "shop": self.fake.state.shop["domain"],
            "state": query.get("state", ""),
            "timestamp": str(int(self.clock())),
        }
        params["hmac"] = query_hmac(secret=self.fake.client_secret, params=params)
        self.fake.count("oauth:authorize")
        return 302, {"Location": f"{redirect}?{urlencode(params)}"}, {}

    def _token(self, headers, body: bytes) -> tuple[int, dict, object]:
        if self.token_latency:
            time.sleep(self.token_latency)
        content_type = (headers.get("Content-Type") or "").split(";")[0].strip()
        try:
            if content_type == "application/json":
                data = {k: str(v) for k, v in json.loads(body or b"{}").items()}
            else:
                data = dict(parse_qsl(body.decode()))
        except (ValueError, AttributeError, UnicodeDecodeError):
            return _error("invalid_request", "The request body could not be read")
        grant = data.get("grant_type", "authorization_code" if "code" in data else "")
        self.fake.count(f"oauth:{grant or 'none'}")
        if data.get("client_id") != self.client_id or not hmac.compare_digest(
            data.get("client_secret", ""), self.fake.client_secret
        ):
            return _error("invalid_client", "Client authentication failed", status=401)
        with self.lock:
            if grant == "client_credentials":
                return self._client_credentials()
            if grant == "authorization_code":
                return self._code(data.get("code", ""), expiring=data.get("expiring") == "1")
            if grant == "refresh_token":
                return self._refreshed(data.get("refresh_token", ""))
        return _error("unsupported_grant_type", f"Unsupported grant_type {grant!r}")

    def _client_credentials(self) -> tuple[int, dict, object]:
        if not (self.client_credentials and self.installed):
            return _error("shop_not_permitted", "Client credentials cannot be performed on this shop.")
        token = "shpat_" + secrets.token_hex(16)
        self.access[token] = self.clock() + CLIENT_CREDENTIALS_LIFETIME
        return (
            200,
            {},
            {"access_token": token, "scope": self.scopes, "expires_in": CLIENT_CREDENTIALS_LIFETIME},
        )

    def _code(self, code: str, *, expiring: bool) -> tuple[int, dict, object]:
        found = self.codes.pop(code, None)
        if found is None or found[1] <= self.clock() or not self.installed:
            return _error("invalid_request", "The authorization code was not found or was already used")
        token = "shpat_" + secrets.token_hex(16)
        if not expiring:
            self.access[token] = None
            return 200, {}, {"access_token": token, "scope": self.scopes}
        return 200, {}, self._pair(token, parent=None)

    def _usable(self, entry: _Refresh) -> bool:
        now = self.clock()
        if entry.retired or now >= entry.expires_at or not self.installed:
            return False
        return entry.used_at is None or now < entry.used_at + RECOVERY_WINDOW

    def _refreshed(self, refresh_token: str) -> tuple[int, dict, object]:
        entry = self.refresh.get(refresh_token)
        if entry is None or not self._usable(entry):
            return _error("invalid_grant", "Token has been expired or revoked.")
        if entry.used_at is None:
            entry.used_at = self.clock()
        if entry.parent is not None:  # the replacement is in use: retire its parent and siblings
            parent = self.refresh[entry.parent]
            parent.retired = True
            for sibling in parent.children:
                if sibling != refresh_token:
                    self.refresh[sibling].retired = True
        return 200, {}, self._pair("shpat_" + secrets.token_hex(16), parent=refresh_token)

    def _pair(self, token: str, *, parent: str | None) -> dict:
        now = self.clock()
        self.access[token] = now + EXPIRING_LIFETIME
        refresh = "shprt_" + secrets.token_hex(16)
        self.refresh[refresh] = _Refresh(parent=parent, expires_at=now + REFRESH_LIFETIME)
        if parent is not None:
            self.refresh[parent].children.append(refresh)
        return {
            "access_token": token,
            "expires_in": EXPIRING_LIFETIME,
            "refresh_token": refresh,
            "refresh_token_expires_in": REFRESH_LIFETIME,
            "scope": self.scopes,
        }
