"""The fake eBay's data: a seller's inventory items, offers, listings (also legacy ones), orders,
OAuth grants, notification set-up, daily call counters and per-listing revision counts.

All times come from ``clock`` (epoch seconds), so tests move days and token expiry at will.
Every method takes the state's lock; the HTTP layer (``server``) only translates.
"""

from __future__ import annotations

import itertools
import secrets
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

REVISION_CAP = 250
BULK_MAX = 25
MIGRATE_MAX = 5
CODE_TTL = 299
ACCESS_TTL = 7200
REFRESH_TTL = 47_304_000
OAUTH_DAILY = {"client_credentials": 1000, "authorization_code": 10_000, "refresh_token": 50_000}
SCOPE_BASE = "https://api.ebay.com/oauth/api_scope"


class OutOfStock(Exception):
    """A buyer asked for more than the listing shows."""


class Refused(Exception):
    """An eBay error answer: ``status`` and the ``errors`` array."""

    def __init__(self, status: int, error_id: int, message: str, *, domain: str = "API_INVENTORY") -> None:
        super().__init__(message)
        self.status = status
        self.body = {"errors": [error(error_id, message, domain=domain)]}


def error(error_id: int, message: str, *, domain: str = "API_INVENTORY", category: str = "REQUEST") -> dict:
    """One element of eBay's ``errors`` array."""
    return {
        "errorId": error_id,
        "domain": domain,
        "subdomain": "Selling",
        "category": category,
        "message": message,
    }


def iso(moment: float) -> str:
    """An eBay timestamp."""
    value = datetime.fromtimestamp(moment, UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


@dataclass
class Offer:
    offer_id: str
    sku: str
    quantity: int
    listing_id: str
    published: bool = True
    price: str = "10.00"
    marketplace: str = "EBAY_US"
    sold: int = 0


@dataclass
class Legacy:
    """A Seller Hub / Trading listing the Inventory API cannot see until migrated."""

    listing_id: str
    sku: str
    quantity: int
    fixed_price: bool = True
    business_policies: bool = True
    location: bool = True
    migrated: bool = False


@dataclass
class Grant:
    scopes: frozenset[str]
    expires_at: float
    revoked: bool = False


@dataclass
class Token:
    kind: str  # "user" | "app"
    scopes: frozenset[str]
    expires_at: float


@dataclass
class Order:
    order_id: str
    created: float
    modified: float
    lines: list[dict]
    payment: str = "PAID"
    cancel: str = "NONE_REQUESTED"
    fulfillments: list[dict] = field(default_factory=list)


class State:
    """See the module. ``revision_zone``: the time zone of eBay's "calendar day"."""

    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str,
        ru_name: str,
        clock: Callable[[], float] = time.time,
        revision_zone: str = "America/Los_Angeles",
        quotas: dict[str, int] | None = None,
    ) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.ru_name = ru_name
        self.clock = clock
        self.zone = ZoneInfo(revision_zone)
        self.quotas = dict(quotas or {})
        self.lock = threading.RLock()
        self.offers: dict[str, Offer] = {}
        self.by_sku: dict[str, str] = {}
        self.legacy: dict[str, Legacy] = {}
        self.orders: dict[str, Order] = {}
        self.codes: dict[str, tuple[frozenset[str], float]] = {}
        self.grants: dict[str, Grant] = {}
        self.tokens: dict[str, Token] = {}
        self.revisions: dict[tuple[str, str], int] = defaultdict(int)
        self.calls: dict[tuple[str, str], int] = defaultdict(int)
        self.destinations: dict[str, dict] = {}
        self.subscriptions: dict[str, dict] = {}
        self.alert_email = ""
        self.ids = itertools.count(5005317010)
        self.listing_ids = itertools.count(110554021234)

    # --- time and counters -----------------------------------------------------------------------
    def day(self) -> str:
        """The calendar day of the revision cap and the call quotas (``revision_zone``)."""
        return datetime.fromtimestamp(self.clock(), self.zone).date().isoformat()

    def count_call(self, api: str) -> None:
        """Count one call of ``api`` today; Refused 429 (errorId 2001) past its quota."""
        with self.lock:
            key = (api, self.day())
            limit = self.quotas.get(api)
            if limit is not None and self.calls[key] >= limit:
                raise Refused(429, 2001, "Too many requests", domain="ACCESS")
            self.calls[key] += 1

    def revisions_today(self, listing_id: str) -> int:
        with self.lock:
            return self.revisions[(listing_id, self.day())]

    # --- seeding ---------------------------------------------------------------------------------
    def item_add(
        self, sku: str, quantity: int, *, listing_id: str | None = None, published: bool = True
    ) -> Offer:
        """An Inventory API item with its fixed-price offer (published: a live listing)."""
        with self.lock:
            offer = Offer(
                offer_id=str(next(self.ids)),
                sku=sku,
                quantity=quantity,
                listing_id=(listing_id or str(next(self.listing_ids))) if published else "",
                published=published,
            )
            self.offers[offer.offer_id] = offer
            self.by_sku[sku] = offer.offer_id
            return offer

    def legacy_add(self, sku: str, quantity: int, **flags: bool) -> Legacy:
        with self.lock:
            listing = Legacy(listing_id=str(next(self.listing_ids)), sku=sku, quantity=quantity, **flags)
            self.legacy[listing.listing_id] = listing
            return listing

    # --- OAuth -----------------------------------------------------------------------------------
    def code_issue(self, scopes: frozenset[str]) -> str:
        with self.lock:
            code = "v^1.1#i^1#r^1#f^0#I^3#p^3#t^" + secrets.token_urlsafe(24)
            self.codes[code] = (scopes, self.clock() + CODE_TTL)
            return code

    def _access(self, kind: str, scopes: frozenset[str]) -> dict:
        token = "v^1.1#i^1#p^3#I^3#r^0#t^" + secrets.token_urlsafe(32)
        self.tokens[token] = Token(kind=kind, scopes=scopes, expires_at=self.clock() + ACCESS_TTL)
        return {"access_token": token, "expires_in": ACCESS_TTL}

    def token_grant(self, form: dict[str, str]) -> dict:
        """The token endpoint for a verified client; Refused 400 invalid_grant / invalid_scope."""
        grant_type = form.get("grant_type", "")
        with self.lock:
            if grant_type in OAUTH_DAILY:
                key = (f"oauth:{grant_type}", self.day())
                if self.calls[key] >= OAUTH_DAILY[grant_type]:
                    raise OAuthRefused(429, "too_many_requests", "daily limit of the grant type reached")
                self.calls[key] += 1
            if grant_type == "authorization_code":
                found = self.codes.pop(form.get("code", ""), None)
                if found is None or found[1] < self.clock() or form.get("redirect_uri") != self.ru_name:
                    raise OAuthRefused(
                        400,
                        "invalid_grant",
                        "the provided authorization grant code is invalid or was issued to another client",
                    )
                refresh = "v^1.1#i^1#r^1#p^3#I^3#f^0#t^" + secrets.token_urlsafe(40)
                self.grants[refresh] = Grant(scopes=found[0], expires_at=self.clock() + REFRESH_TTL)
                answer = self._access("user", found[0])
                return {
                    **answer,
                    "refresh_token": refresh,
                    "refresh_token_expires_in": REFRESH_TTL,
                    "token_type": "User Access Token",
                }
            if grant_type == "refresh_token":
                grant = self.grants.get(form.get("refresh_token", ""))
                if grant is None or grant.revoked or grant.expires_at < self.clock():
                    raise OAuthRefused(
                        400,
                        "invalid_grant",
                        "the provided authorization refresh token is invalid or was issued to another client",
                    )
                wanted = frozenset(form.get("scope", "").split()) or grant.scopes
                if not wanted <= grant.scopes:
                    raise OAuthRefused(
                        400,
                        "invalid_scope",
                        "the requested scope is invalid, unknown, malformed, or exceeds the scope granted",
                    )
                return {**self._access("user", wanted), "token_type": "User Access Token"}
            if grant_type == "client_credentials":
                return {
                    **self._access("app", frozenset({SCOPE_BASE})),
                    "token_type": "Application Access Token",
                }
        raise OAuthRefused(400, "unsupported_grant_type", "the grant type is not supported")

    def bearer(self, authorization: str, *, kind: str | None, scope: str | None) -> Token:
        """The token of an API call; Refused 400 1002 / 401 1001 / 403 1100."""
        if not authorization:
            raise Refused(400, 1002, "Missing access token", domain="OAuth")
        if not authorization.startswith("Bearer "):
            raise Refused(
                400,
                1003,
                "Token type in the Authorization header is invalid:" + authorization.split(" ")[0],
                domain="OAuth",
            )
        with self.lock:
            token = self.tokens.get(authorization[7:])
            if token is None or token.expires_at <= self.clock():
                raise Refused(401, 1001, "Invalid access token", domain="OAuth")
            if (kind and token.kind != kind) or (scope and scope not in token.scopes):
                raise Refused(403, 1100, "Access denied", domain="ACCESS")
            return token

    def revoke_all(self) -> None:
        """The seller revoked the app's access (every refresh token refused from now on)."""
        with self.lock:
            for grant in self.grants.values():
                grant.revoked = True


class OAuthRefused(Exception):
    """An OAuth error answer (RFC 6749 shape)."""

    def __init__(self, status: int, code: str, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.body = {"error": code, "error_description": description}
