"""Admin API access tokens: the legacy static token, the client credentials grant, and the
authorization code grant with expiring offline tokens (rotating refresh tokens).

Modes (account option ``auth``; without it, ``access_token`` when the credentials hold one, else
``client_credentials``):

``access_token``
    A legacy custom app's static Admin API token (apps created in the store admin before
    1 January 2026). Credentials ``access_token`` and ``webhook_secret`` (its API secret key).
``client_credentials``
    A Dev Dashboard app of the seller's own organization installed on the seller's own store.
    Credentials ``client_id`` and ``client_secret``; the token (``expires_in`` ~86399 s, no
    refresh token) comes from ``POST /admin/oauth/access_token`` with
    ``grant_type=client_credentials`` (form-encoded, as Shopify's page shows it).
``authorization_code``
    A Dev Dashboard app of another organization (an agency's), installed by the merchant through
    the install flow (``oauth``); credentials ``client_id`` and ``client_secret``. The code is
    exchanged with ``expiring=1`` for an access token of ~1 h and a refresh token (~90 days) that
    Shopify replaces on every ``grant_type=refresh_token``.

The token is kept in the engine's shared store (``connectors.tokens``) and renewed
:data:`RENEW_MARGIN` seconds before it expires, and once when the Admin API answers 401 with it;
never per call. A token endpoint refusal (HTTP 4xx other than 429: ``invalid_grant``,
``invalid_client``, ``shop_not_permitted``...) marks the account "Reconnect Shopify"
(:class:`~channels_app.connectors.tokens.ReconnectRequired`): nothing retries it until staff
reconnect or fix the credentials. Webhooks of Dev Dashboard apps are signed with the client secret.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

from channels_app.connectors.errors import ConnectorError, RetryableError
from channels_app.connectors.http import ChannelHttp
from channels_app.connectors.tokens import (
    MemoryTokenStore,
    ReconnectRequired,
    StoredToken,
    TokenStore,
    oauth_error_text,
)

MODES = ("access_token", "client_credentials", "authorization_code")
MODE_CREDENTIALS = {
    "access_token": ("access_token", "webhook_secret"),
    "client_credentials": ("client_id", "client_secret"),
    "authorization_code": ("client_id", "client_secret"),
}
# What the connector calls needs exactly these (a write scope includes its read scope):
# productVariants -> read_products; locations -> read_locations; orders, order webhooks ->
# read_orders; inventoryItem levels + inventorySetQuantities -> write_inventory; an order's
# fulfillmentOrders + fulfillmentCreate -> write_merchant_managed_fulfillment_orders.
SCOPES = (
    "read_products",
    "read_locations",
    "read_orders",
    "write_inventory",
    "write_merchant_managed_fulfillment_orders",
)
TOKEN_PATH = "admin/oauth/access_token"  # noqa: S105 - a URL path, not a secret
RENEW_MARGIN = 300.0
RECONNECT = "Reconnect Shopify"


def auth_mode(*, credentials: Mapping[str, str], options: Mapping[str, object]) -> str:
    """The account's mode (see the module)."""
    chosen = str(options.get("auth") or "")
    if chosen:
        return chosen
    return "access_token" if credentials.get("access_token") else "client_credentials"


def credentials_problems(*, credentials: Mapping[str, str], options: Mapping[str, object]) -> list[str]:
    """What is wrong with these credentials for the account's mode (empty: nothing)."""
    mode = auth_mode(credentials=credentials, options=options)
    if mode not in MODES:
        return [f"Unknown Shopify auth mode {mode!r}; one of {', '.join(MODES)}"]
    wanted = MODE_CREDENTIALS[mode]
    problems = [f"{name} is required for {mode}" for name in wanted if not credentials.get(name)]
    extra = sorted(set(credentials) - set(wanted))
    if extra:
        problems.append(f"{', '.join(extra)} not used by {mode}")
    return problems


def _token_from(answer: object, *, now: float) -> StoredToken:
    if not isinstance(answer, dict) or not isinstance(answer.get("access_token"), str):
        raise ConnectorError("Shopify's token endpoint answered without an access token")
    try:
        expires_in = answer.get("expires_in")
        refresh_in = answer.get("refresh_token_expires_in")
        return StoredToken(
            access_token=answer["access_token"],
            expires_at=now + float(expires_in) if expires_in is not None else None,
            refresh_token=str(answer.get("refresh_token") or ""),
            refresh_expires_at=now + float(refresh_in) if refresh_in is not None else None,
            scope=str(answer.get("scope") or ""),
        )
    except (TypeError, ValueError):
        raise ConnectorError("Shopify's token endpoint answered an unreadable expiry") from None


def token_request(*, http: ChannelHttp, data: Mapping[str, str], now: float, what: str) -> StoredToken:
    """POST the form ``data`` to the shop's token endpoint; the token it answers.

    RetryableError for 429/5xx/timeouts; ReconnectRequired (not yet recorded) for a refusal.
    """
    try:
        response = http.request(
            "POST",
            TOKEN_PATH,
            data=urlencode(dict(data)).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
        )
    except RetryableError:
        raise
    except ConnectorError as exc:
        if exc.status is None:
            raise
        raise ReconnectRequired(
            f"{RECONNECT}: Shopify refused the {what} ({oauth_error_text(exc.body)})."
        ) from None
    try:
        answer = response.json()
    except ValueError:
        raise ConnectorError("Shopify's token endpoint answered something other than JSON") from None
    return _token_from(answer, now=now)


class ShopifyAuth:
    """The Admin API token of one account in its mode; see the module for the rules."""

    def __init__(
        self,
        *,
        http: ChannelHttp,
        credentials: Mapping[str, str],
        options: Mapping[str, object],
        tokens: TokenStore | None = None,
    ) -> None:
        self.http = http
        self.mode = auth_mode(credentials=credentials, options=options)
        if self.mode not in MODES:
            raise ConnectorError(f"Unknown Shopify auth mode {self.mode!r}")
        self.credentials = credentials
        self.tokens: TokenStore = tokens if tokens is not None else MemoryTokenStore()
        self._held: StoredToken | None = None

    @property
    def webhook_secret(self) -> str:
        """The key of the webhooks' HMAC: the API secret key (legacy) or the app's client secret."""
        key = "webhook_secret" if self.mode == "access_token" else "client_secret"
        return self.credentials.get(key, "")

    def _usable(self, token: StoredToken | None) -> bool:
        return token is not None and (
            token.expires_at is None or token.expires_at - self.tokens.now() > RENEW_MARGIN
        )

    def token(self) -> StoredToken:
        """A token to call the Admin API with now (renewed when missing or about to expire)."""
        if self.mode == "access_token":
            return StoredToken(access_token=self.credentials.get("access_token", ""))
        if self._usable(self._held):
            return self._held  # type: ignore[return-value]
        held = self.tokens.read()
        for _ in range(3):
            if self._usable(held):
                break
            held = self._renew(stale=held)
        self._held = held
        if held is None:
            raise ConnectorError("Shopify gave no access token")
        return held

    def refused(self, token: StoredToken) -> bool:
        """The Admin API answered 401 to ``token``: renew it once. False when there is nothing to
        renew (a legacy token) - the caller reports the 401."""
        if self.mode == "access_token":
            return False
        self._held = self._renew(stale=token)
        return True

    def _renew(self, *, stale: StoredToken | None) -> StoredToken:
        fetch = self._client_credentials if self.mode == "client_credentials" else self._refresh
        try:
            return self.tokens.renew(stale_version=stale.version if stale else None, fetch=fetch)
        except ReconnectRequired as exc:
            self._held = None
            if str(exc).startswith(RECONNECT):
                self.tokens.reconnect_required(reason=str(exc))
            raise

    def _client_credentials(self, current: StoredToken | None) -> StoredToken:
        data = {
            "grant_type": "client_credentials",
            "client_id": self.credentials.get("client_id", ""),
            "client_secret": self.credentials.get("client_secret", ""),
        }
        return token_request(
            http=self.http,
            data=data,
            now=self.tokens.now(),
            what="client credentials - check the client ID and secret and that the app is installed",
        )

    def _refresh(self, current: StoredToken | None) -> StoredToken:
        if current is None or not current.refresh_token:
            raise ConnectorError("Shopify is not connected yet: use 'Connect Shopify' on the account")
        data = {
            "grant_type": "refresh_token",
            "client_id": self.credentials.get("client_id", ""),
            "client_secret": self.credentials.get("client_secret", ""),
            "refresh_token": current.refresh_token,
        }
        return token_request(
            http=self.http,
            data=data,
            now=self.tokens.now(),
            what="refresh token - the app was uninstalled or its access revoked; connect it again",
        )
