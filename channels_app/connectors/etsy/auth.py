"""Etsy Open API v3 authentication: the x-api-key header, the OAuth 2.0 authorization code grant
with PKCE, and the access token refreshed before it expires.

* ``x-api-key: <keystring>:<shared_secret>`` on every request (Etsy's current required form,
  enforced since 9 February 2026; the keystring alone is refused with 403).
* Consent: ``https://www.etsy.com/oauth/connect?response_type=code&redirect_uri=&scope=&client_id=
  <keystring>&state=&code_challenge=<base64url(SHA256(verifier))>&code_challenge_method=S256``.
  The verifier is derived from the single-use ``state`` with an HMAC keyed by the shared secret
  (:func:`pkce_verifier`), so it needs no storage between the two steps and nobody without the
  secret can compute it.
* Token: ``POST /v3/public/oauth/token`` (form body) with ``grant_type=authorization_code,
  client_id, redirect_uri, code, code_verifier``, or ``grant_type=refresh_token, client_id,
  refresh_token``. The answer's ``access_token`` is ``<user_id>.<token>``, sent as issued in
  ``Authorization: Bearer``; it lives ``expires_in`` seconds (3600); the refresh token 90 days and
  is replaced on every refresh.

The token is kept in the engine's shared store (``connectors.tokens``), renewed
:data:`RENEW_MARGIN` seconds before it expires and once when the API answers 401; never per call.
A refusal of the token endpoint (400 ``invalid_grant``...) marks the account "Reconnect Etsy".
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from urllib.parse import urlencode

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

# listings_r: getListingsByShop, getListingInventory, the batch inventory read; listings_w:
# updateListingInventory, updateListing (state); transactions_r: getShopReceipts, getShopReceipt;
# transactions_w: createReceiptShipment. Nothing else.
SCOPES = ("listings_r", "listings_w", "transactions_r", "transactions_w")
TOKEN_PATH = "v3/public/oauth/token"  # noqa: S105 - a URL path, not a secret
RENEW_MARGIN = 300.0
REFRESH_LIFETIME = 90 * 86400.0
RECONNECT = "Reconnect Etsy"


def api_key_header(*, keystring: str, shared_secret: str) -> str:
    """The ``x-api-key`` value: ``keystring:shared_secret``."""
    return f"{keystring}:{shared_secret}"


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def pkce_verifier(*, shared_secret: str, state: str) -> str:
    """The code verifier of the flow started with ``state`` (43 characters of [A-Za-z0-9_-])."""
    digest = hmac.new(shared_secret.encode(), f"stockmaster-etsy-pkce:{state}".encode(), hashlib.sha256)
    return _b64url(digest.digest())


def pkce_challenge(verifier: str) -> str:
    """``base64url(SHA256(verifier))`` without padding (method S256)."""
    return _b64url(hashlib.sha256(verifier.encode()).digest())


def consent_url(
    *, connect_url: str, keystring: str, shared_secret: str, redirect_uri: str, state: str
) -> str:
    """Where the seller approves the app (step 1)."""
    query = urlencode(
        {
            "response_type": "code",
            "redirect_uri": redirect_uri,
            "scope": " ".join(SCOPES),
            "client_id": keystring,
            "state": state,
            "code_challenge": pkce_challenge(pkce_verifier(shared_secret=shared_secret, state=state)),
            "code_challenge_method": "S256",
        }
    )
    return f"{connect_url}?{query}"


def token_request(
    *, http: ChannelHttp, data: Mapping[str, str], api_key: str, now: float, what: str
) -> StoredToken:
    """POST the form ``data`` to the token endpoint; the token it answers.

    RetryableError for 429/5xx/timeouts; ReconnectRequired (not yet recorded) for a refusal.
    """
    try:
        response = http.request(
            "POST",
            TOKEN_PATH,
            data=urlencode(dict(data)).encode(),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/json",
                "x-api-key": api_key,
            },
        )
    except RetryableError:
        raise
    except ConnectorError as exc:
        if exc.status is None:
            raise
        raise ReconnectRequired(
            f"{RECONNECT}: Etsy refused the {what} ({oauth_error_text(exc.body)})."
        ) from None
    try:
        answer = response.json()
        token = StoredToken(
            access_token=str(answer["access_token"]),
            expires_at=now + float(answer["expires_in"]),
            refresh_token=str(answer["refresh_token"]),
            refresh_expires_at=now + REFRESH_LIFETIME,
        )
    except (ValueError, KeyError, TypeError):
        raise ConnectorError("Etsy's token endpoint answered without a usable token") from None
    if not token.access_token or not token.refresh_token:
        raise ConnectorError("Etsy's token endpoint answered an empty token")
    return token


class EtsyAuth(RenewingToken):
    """The account's access token (see the module)."""

    reconnect = RECONNECT
    not_connected = "Etsy is not connected yet: use 'Connect Etsy' on the account"
    renew_margin = RENEW_MARGIN

    def __init__(
        self, *, http: ChannelHttp, credentials: Mapping[str, str], tokens: TokenStore | None = None
    ) -> None:
        self.http = http
        self.keystring = credentials.get("keystring", "")
        self.shared_secret = credentials.get("shared_secret", "")
        self.api_key = api_key_header(keystring=self.keystring, shared_secret=self.shared_secret)
        self.tokens: TokenStore = tokens if tokens is not None else MemoryTokenStore()
        self._held: StoredToken | None = None

    def _refresh(self, current: StoredToken | None) -> StoredToken:
        if current is None or not current.refresh_token:
            raise ConnectorError("Etsy is not connected yet: use 'Connect Etsy' on the account")
        return token_request(
            http=self.http,
            data={
                "grant_type": "refresh_token",
                "client_id": self.keystring,
                "refresh_token": current.refresh_token,
            },
            api_key=self.api_key,
            now=self.tokens.now(),
            what="refresh token - the seller revoked access or changed their password; connect again",
        )

    def code_exchange(self, *, code: str, redirect_uri: str, state: str) -> StoredToken:
        """Exchange the consent's code (step 3) with the flow's PKCE verifier."""
        return token_request(
            http=self.http,
            data={
                "grant_type": "authorization_code",
                "client_id": self.keystring,
                "redirect_uri": redirect_uri,
                "code": code,
                "code_verifier": pkce_verifier(shared_secret=self.shared_secret, state=state),
            },
            api_key=self.api_key,
            now=self.tokens.now(),
            what="authorization code",
        )
