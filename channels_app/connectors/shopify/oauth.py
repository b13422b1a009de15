"""The install/connect flow of the authorization code grant (an agency's Dev Dashboard app).

https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/authorization-code-grant

1. Staff start it from the account: we redirect the browser to the shop's
   ``/admin/oauth/authorize?client_id=&scope=&redirect_uri=&state=`` (offline access: no
   ``grant_options[]=per-user``), ``state`` a single-use nonce kept in the staff session.
2. The merchant approves; Shopify redirects to ``redirect_uri`` with ``code, hmac, host, shop,
   state, timestamp``. We check, before anything else: ``state`` is ours, ``hmac`` is the hex
   HMAC-SHA256 (client secret) of every other parameter as ``key=value`` sorted by key and joined
   with ``&``, compared in constant time; ``shop`` is a ``<name>.myshopify.com`` host name and is
   the account's shop.
3. The code is exchanged at the account's host (never at a host taken from the query) with
   ``expiring=1`` for an expiring offline token and its refresh token.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from urllib.parse import urlencode, urlsplit

from channels_app.connectors.errors import ConnectorError
from channels_app.connectors.http import ChannelHttp
from channels_app.connectors.shopify.auth import SCOPES, token_request
from channels_app.connectors.tokens import StoredToken

SHOP_DOMAIN = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9-]*\.myshopify\.com$")


class ConnectRefused(ConnectorError):
    """The callback is not a genuine answer of the account's shop (state, HMAC or shop wrong)."""


def account_shop_domain(*, base_url: str, options: Mapping[str, object]) -> str:
    """The account's ``<shop>.myshopify.com``: option ``shop_domain``, else the base URL's host."""
    return str(options.get("shop_domain") or urlsplit(base_url).hostname or "").lower()


def authorize_url(*, base_url: str, client_id: str, redirect_uri: str, state: str) -> str:
    """Where to send the merchant's browser to approve the app (step 1)."""
    query = urlencode(
        {"client_id": client_id, "scope": ",".join(SCOPES), "redirect_uri": redirect_uri, "state": state}
    )
    return f"{base_url.rstrip('/')}/admin/oauth/authorize?{query}"


def callback_hmac(*, secret: str, params: Mapping[str, str]) -> str:
    """The ``hmac`` Shopify computes for a redirect's other parameters."""
    message = "&".join(f"{k}={v}" for k, v in sorted(params.items()) if k != "hmac")
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def callback_check(
    *, params: Mapping[str, str], expected_state: str, client_secret: str, shop_domain: str
) -> str:
    """Check a callback (step 2); return its ``code``. Raises ConnectRefused saying what failed."""
    state = params.get("state", "")
    if not expected_state or not hmac.compare_digest(state.encode(), expected_state.encode()):
        raise ConnectRefused("The connect request expired or was not started here (state mismatch)")
    given = params.get("hmac", "")
    expected = callback_hmac(secret=client_secret, params=params)
    if not given or not hmac.compare_digest(given.lower().encode(), expected.encode()):
        raise ConnectRefused("The callback's HMAC does not verify with the app's client secret")
    shop = params.get("shop", "").lower()
    if not SHOP_DOMAIN.fullmatch(shop):
        raise ConnectRefused("The callback's shop is not a *.myshopify.com domain")
    if shop != shop_domain:
        raise ConnectRefused(f"The callback is for {shop}, not this account's shop {shop_domain}")
    code = params.get("code", "")
    if not code:
        raise ConnectRefused("The callback carries no authorization code")
    return code


def code_exchange(
    *, http: ChannelHttp, client_id: str, client_secret: str, code: str, now: float
) -> StoredToken:
    """Exchange the code for an expiring offline token and its refresh token (step 3)."""
    token = token_request(
        http=http,
        data={"client_id": client_id, "client_secret": client_secret, "code": code, "expiring": "1"},
        now=now,
        what="authorization code",
    )
    if not token.refresh_token or token.expires_at is None:
        raise ConnectorError("Shopify answered a non-expiring token; expiring offline tokens are required")
    return token
