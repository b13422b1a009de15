"""Intuit's OAuth 2.0 endpoints for QuickBooks Online.

Facts (developer.intuit.com, OAuth 2.0 guide; intuit/oauth-pythonclient):
* consent page ``https://appcenter.intuit.com/connect/oauth2`` (client_id, response_type=code,
  scope ``com.intuit.quickbooks.accounting``, redirect_uri, state); the redirect back carries
  ``code``, ``state`` and ``realmId`` (the company id every API path contains);
* token endpoint ``https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer``, client Basic
  auth; answers ``access_token`` (``expires_in`` 3600 s), ``refresh_token`` and
  ``x_refresh_token_expires_in``; a refresh may return a new refresh token, which must replace
  the stored one (always keep the latest).
"""

from __future__ import annotations

from urllib.parse import urlencode

AUTHORIZE_URL = "https://appcenter.intuit.com/connect/oauth2"
TOKEN_URL = "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer"  # noqa: S105 - a URL
API_ROOT = "https://quickbooks.api.intuit.com"
# The documented Accounting API hosts: production and sandbox companies (same token endpoint).
API_HOSTS = ("quickbooks.api.intuit.com", "sandbox-quickbooks.api.intuit.com")
SCOPE = "com.intuit.quickbooks.accounting"


def authorize_url(*, base: str, client_id: str, redirect_uri: str, state: str) -> str:
    """The consent page URL."""
    query = urlencode(
        {
            "client_id": client_id,
            "response_type": "code",
            "scope": SCOPE,
            "redirect_uri": redirect_uri,
            "state": state,
        }
    )
    return f"{base or AUTHORIZE_URL}?{query}"
