"""Etsy's OAuth 2.0 authorization code grant with PKCE, as the fake serves it.

``GET /oauth/connect`` (the consent page; the fake approves at once) checks ``response_type=code``,
``client_id`` = the app's keystring, a registered ``redirect_uri`` (exact string), a non-empty
``state``, ``code_challenge_method=S256``, a code challenge and scopes from Etsy's list, then
redirects 302 to ``redirect_uri?code=&state=``. ``POST /v3/public/oauth/token`` (form body):
``authorization_code`` checks client_id, the code (single use, 5 minutes), the same redirect_uri
and ``base64url(sha256(code_verifier)) == code_challenge``; ``refresh_token`` rotates the refresh
token (the old one stops working). Tokens are ``<user_id>.<random>``; the access token lives
``token_lifetime`` seconds (3600), the refresh token 90 days. Errors are RFC 6749 bodies
``{"error": "invalid_grant", "error_description": "..."}`` with 400.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
from dataclasses import dataclass
from urllib.parse import urlencode

SCOPES = {
    "address_r", "address_w", "billing_r", "cart_r", "cart_w", "email_r", "favorites_r", "favorites_w",
    "feedback_r", "listings_d", "listings_r", "listings_w", "profile_r", "profile_w", "recommend_r",
    "recommend_w", "shops_r", "shops_w", "transactions_r", "transactions_w",
}  # fmt: skip
REFRESH_LIFETIME = 90 * 86400


@dataclass
class Grant:
    scopes: frozenset[str]
    expires_at: float


class OAuthError(Exception):
    """An OAuth refusal: (status, error, description)."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.status, self.error, self.description = status, error, description


class OAuth:
    """Codes and tokens of the fake's one app and user."""

    def __init__(self, *, keystring: str, user_id: int, redirect_uris, clock, token_lifetime: int) -> None:
        self.keystring = keystring
        self.user_id = user_id
        self.redirect_uris = set(redirect_uris)
        self.clock = clock
        self.token_lifetime = token_lifetime
        self.codes: dict[str, tuple[str, str, frozenset[str], float]] = {}
        self.access: dict[str, Grant] = {}
        self.refresh: dict[str, Grant] = {}
        self.refreshes = 0
        self._lock = threading.Lock()

    def consent(self, query: dict[str, str]) -> str:
        """The redirect of an approved consent (OAuthError when the request is refused)."""
        if query.get("response_type") != "code":
            raise OAuthError("unsupported_response_type", "response_type must be code")
        if query.get("client_id") != self.keystring:
            raise OAuthError("invalid_client", "unknown client_id")
        redirect = query.get("redirect_uri", "")
        if redirect not in self.redirect_uris:
            raise OAuthError("invalid_request", "redirect_uri is not registered for this app")
        if not query.get("state"):
            raise OAuthError("invalid_request", "state is required")
        if query.get("code_challenge_method") != "S256" or not query.get("code_challenge"):
            raise OAuthError("invalid_request", "PKCE with code_challenge_method=S256 is required")
        scopes = frozenset(query.get("scope", "").split())
        if not scopes or scopes - SCOPES:
            raise OAuthError("invalid_scope", "unknown scope")
        code = secrets.token_urlsafe(24)
        with self._lock:
            self.codes[code] = (query["code_challenge"], redirect, scopes, self.clock() + 300)
        return f"{redirect}?{urlencode({'code': code, 'state': query['state']})}"

    def _issue(self, scopes: frozenset[str]) -> dict[str, object]:
        access = f"{self.user_id}.{secrets.token_urlsafe(48)}"
        refresh = f"{self.user_id}.{secrets.token_urlsafe(48)}"
        now = self.clock()
        self.access[access] = Grant(scopes, now + self.token_lifetime)
        self.refresh[refresh] = Grant(scopes, now + REFRESH_LIFETIME)
        return {
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": self.token_lifetime,
            "refresh_token": refresh,
        }

    def token(self, form: dict[str, str]) -> dict[str, object]:
        """The token endpoint (OAuthError on a refusal)."""
        if form.get("client_id") != self.keystring:
            raise OAuthError("invalid_client", "unknown client_id", status=401)
        grant = form.get("grant_type")
        with self._lock:
            if grant == "authorization_code":
                entry = self.codes.pop(form.get("code", ""), None)
                if entry is None or entry[3] < self.clock():
                    raise OAuthError("invalid_grant", "code is invalid or expired")
                challenge, redirect, scopes, _ = entry
                if form.get("redirect_uri") != redirect:
                    raise OAuthError("invalid_grant", "redirect_uri does not match")
                verifier = form.get("code_verifier", "")
                computed = (
                    base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
                )
                if not verifier or computed != challenge:
                    raise OAuthError("invalid_grant", "code_verifier does not match the code_challenge")
                return self._issue(scopes)
            if grant == "refresh_token":
                entry = self.refresh.pop(form.get("refresh_token", ""), None)
                if entry is None:
                    raise OAuthError("invalid_grant", "refresh_token is revoked")
                if entry.expires_at < self.clock():
                    raise OAuthError("invalid_grant", "refresh_token is expired")
                self.refreshes += 1
                return self._issue(entry.scopes)
        raise OAuthError("unsupported_grant_type", "grant_type must be authorization_code or refresh_token")

    def bearer(self, header: str) -> tuple[Grant | None, str]:
        """The grant of an ``Authorization: Bearer`` header, or None and why."""
        if not header.startswith("Bearer "):
            return None, "access token is missing"
        token = header[len("Bearer ") :]
        user, _, _ = token.partition(".")
        grant = self.access.get(token)
        if grant is None or user != str(self.user_id):
            return None, "access token is invalid"
        if grant.expires_at < self.clock():
            return None, "access token is expired"
        return grant, ""

    def grant_direct(self, scopes=("listings_r", "listings_w", "transactions_r", "transactions_w")) -> dict:
        """Tokens as the consent and exchange would give them (tests that are not about OAuth)."""
        with self._lock:
            return self._issue(frozenset(scopes))
