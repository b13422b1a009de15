"""Xero's OAuth 2.0 endpoints and the connections (tenants) call.

Facts (developer.xero.com, OAuth 2.0 guide and FAQ; XeroAPI/Xero-OpenAPI xero-identity.yaml):
* consent page ``https://login.xero.com/identity/connect/authorize`` (response_type=code,
  client_id, redirect_uri, scope, state); ``offline_access`` is needed for a refresh token;
* token endpoint ``https://identity.xero.com/connect/token`` with client Basic auth;
* access tokens live 30 minutes; every refresh returns a NEW refresh token (the old one stays
  usable for a 30-minute grace period, in case the answer was lost); unused refresh tokens
  expire after 60 days;
* ``GET https://api.xero.com/connections`` lists the tenants the token may use
  (``tenantId``, ``tenantName``, ``tenantType``, ``authEventId``...). Every Accounting API call
  carries the chosen ``xero-tenant-id`` header.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings

AUTHORIZE_URL = "https://login.xero.com/identity/connect/authorize"
TOKEN_URL = "https://identity.xero.com/connect/token"  # noqa: S105 - a URL, not a secret
API_ROOT = "https://api.xero.com"
API_HOSTS = ("api.xero.com",)  # one host for every region


def xero_scope() -> str:
    """The scopes asked for (``settings.ACCOUNTING_XERO_SCOPE``)."""
    return settings.ACCOUNTING_XERO_SCOPE


def authorize_url(*, base: str, client_id: str, redirect_uri: str, state: str) -> str:
    """The consent page URL."""
    query = urlencode(
        {
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "scope": xero_scope(),
            "state": state,
        }
    )
    return f"{base or AUTHORIZE_URL}?{query}"
