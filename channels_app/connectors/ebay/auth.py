"""OAuth 2.0 tokens of an eBay account: the seller's user token and the app's own token.

The user token comes from the authorization code grant (``connect_url`` / ``code_exchange``) and
lives in the engine's shared store (``connectors.tokens``). It is renewed from the refresh token
:data:`RENEW_MARGIN` seconds before it expires and once when the API answers 401 with it, never
per call (the token endpoint has daily limits of its own). eBay does not rotate the refresh token:
the stored one keeps its expiry (about 18 months), which the account's connection shows as a
warning from :data:`REFRESH_WARN_DAYS` days before. A refusal of the token endpoint
(``invalid_grant``...) marks the account "Reconnect eBay".

The application token (client credentials, scope ``api_scope``) reads the Notification API's
public keys; it is kept in this process until it is about to expire.
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Mapping
from urllib.parse import urlencode

from channels_app.connectors.ebay.declared import APP_SCOPE, SCOPES
from channels_app.connectors.errors import ConnectorError, RetryableError
from channels_app.connectors.http import ChannelHttp
from channels_app.connectors.tokens import (
    MemoryTokenStore,
    ReconnectRequired,
    RenewingToken,
    StoredToken,
    TokenStore,
    oauth_error_text,
)

TOKEN_PATH = "identity/v1/oauth2/token"  # noqa: S105 - a URL path, not a secret
RENEW_MARGIN = 300.0
REFRESH_WARN_DAYS = 30
RECONNECT = "Reconnect eBay"

_app_tokens: dict[tuple[str, str], StoredToken] = {}
_app_lock = threading.Lock()


def consent_url(*, base: str, client_id: str, ru_name: str, state: str) -> str:
    """The consent page the seller's browser is sent to (``redirect_uri`` is the RuName)."""
    query = urlencode(
        {
            "client_id": client_id,
            "redirect_uri": ru_name,
            "response_type": "code",
            "scope": " ".join(SCOPES),
            "state": state,
        }
    )
    return f"{base}?{query}"


def _basic(client_id: str, client_secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()


def token_request(
    *, http: ChannelHttp, client_id: str, client_secret: str, form: Mapping[str, str], now: float, what: str
) -> StoredToken:
    """POST ``form`` to the token endpoint; the token it answers. RetryableError for 429/5xx;
    ReconnectRequired (not yet recorded) for a refusal."""
    try:
        response = http.request(
            "POST",
            TOKEN_PATH,
            data=urlencode(dict(form)).encode(),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Authorization": _basic(client_id, client_secret),
                "Accept": "application/json",
            },
        )
    except RetryableError:
        raise
    except ConnectorError as exc:
        if exc.status is None:
            raise
        raise ReconnectRequired(
            f"{RECONNECT}: eBay refused the {what} ({oauth_error_text(exc.body)})."
        ) from None
    try:
        answer = response.json()
        expires_in = float(answer["expires_in"])
        refresh_in = answer.get("refresh_token_expires_in")
        return StoredToken(
            access_token=str(answer["access_token"]),
            expires_at=now + expires_in,
            refresh_token=str(answer.get("refresh_token") or ""),
            refresh_expires_at=now + float(refresh_in) if refresh_in is not None else None,
            scope=" ".join(SCOPES),
        )
    except (ValueError, KeyError, TypeError):
        raise ConnectorError("eBay's token endpoint answered without a readable token") from None


class EbayAuth(RenewingToken):
    """The account's user token (shared store) and the app token (this process)."""

    reconnect = RECONNECT
    not_connected = "eBay gave no access token"
    renew_margin = RENEW_MARGIN

    def __init__(
        self, *, http: ChannelHttp, credentials: Mapping[str, str], tokens: TokenStore | None = None
    ) -> None:
        self.http = http
        self.client_id = credentials.get("client_id", "")
        self.client_secret = credentials.get("client_secret", "")
        self.ru_name = credentials.get("ru_name", "")
        self.tokens: TokenStore = tokens if tokens is not None else MemoryTokenStore()
        self._held: StoredToken | None = None

    def code_exchange(self, *, code: str) -> StoredToken:
        """Exchange an authorization code for the first user token and its refresh token."""
        token = token_request(
            http=self.http,
            client_id=self.client_id,
            client_secret=self.client_secret,
            form={"grant_type": "authorization_code", "code": code, "redirect_uri": self.ru_name},
            now=self.tokens.now(),
            what="authorization code (it lives 299 s and is single-use: connect again)",
        )
        if not token.refresh_token:
            raise ConnectorError("eBay answered no refresh token for the authorization code")
        return token

    def _refresh(self, current: StoredToken | None) -> StoredToken:
        if current is None or not current.refresh_token:
            raise ConnectorError("eBay is not connected yet: use 'Connect eBay' on the account")
        if current.refresh_expires_at is not None and current.refresh_expires_at <= self.tokens.now():
            raise ReconnectRequired(f"{RECONNECT}: the seller's 18-month refresh token has expired.")
        fresh = token_request(
            http=self.http,
            client_id=self.client_id,
            client_secret=self.client_secret,
            form={
                "grant_type": "refresh_token",
                "refresh_token": current.refresh_token,
                "scope": " ".join(SCOPES),
            },
            now=self.tokens.now(),
            what="refresh token (revoked, expired or the seller changed their user name)",
        )
        # eBay does not rotate the refresh token: keep it and its expiry.
        return StoredToken(
            access_token=fresh.access_token,
            expires_at=fresh.expires_at,
            refresh_token=current.refresh_token,
            refresh_expires_at=current.refresh_expires_at,
            scope=current.scope,
        )

    def app_token(self) -> str:
        """The application token (client credentials), kept in this process until near expiry."""
        key = (self.http.base_url, self.client_id)
        with _app_lock:
            held = _app_tokens.get(key)
            if held is not None and self._usable(held):
                return held.access_token
            held = token_request(
                http=self.http,
                client_id=self.client_id,
                client_secret=self.client_secret,
                form={"grant_type": "client_credentials", "scope": APP_SCOPE},
                now=self.tokens.now(),
                what="client credentials (check the App ID and Cert ID)",
            )
            _app_tokens[key] = held
            return held.access_token
