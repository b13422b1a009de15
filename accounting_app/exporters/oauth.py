"""The OAuth 2.0 token endpoint call both vendors share (RFC 6749 sections 4.1.3 and 6).

Xero and Intuit both take the client credentials as HTTP Basic auth and a form-encoded body, and
answer ``access_token``, ``refresh_token``, ``expires_in`` (seconds). Errors are RFC 6749
section 5.2 bodies (``{"error": "invalid_grant"}``): a refused code or refresh token is an
:class:`AuthorizationError`; 5xx, timeouts and dropped connections are retryable. The call goes
through the egress guard (:class:`~.endpoints.VendorConfinedHttp`: https, public address
pinned, no redirects) with the client secret scrubbed from any error.
"""

from __future__ import annotations

from datetime import timedelta

import requests
from django.utils import timezone

from accounting_app.exporters.dto import TokenSet
from accounting_app.exporters.endpoints import (
    EndpointRefused,
    HostRefused,
    HostUnresolved,
    VendorConfinedHttp,
)
from accounting_app.exporters.errors import AuthorizationError, ExporterError, RetryableError
from accounting_app.exporters.http import json_or_empty


def token_request(
    *, token_url: str, client_id: str, client_secret: str, data: dict[str, str], timeout: float = 20.0
) -> TokenSet:
    """POST ``data`` to the token endpoint with client Basic auth; the answer as a TokenSet."""
    http = VendorConfinedHttp(base_url=token_url, read_timeout=timeout, secrets=(client_secret,))
    try:
        response = http.send(
            "POST",
            token_url,
            data=data,
            auth=(client_id, client_secret),
            headers={"Accept": "application/json"},
        )
    except HostUnresolved:
        raise RetryableError("Token endpoint: the host does not resolve") from None
    except HostRefused as exc:
        raise EndpointRefused(f"Token endpoint: {exc}") from None
    except (requests.Timeout, requests.ConnectionError):
        raise RetryableError("Token endpoint: timed out or connection failed") from None
    body = json_or_empty(response)
    if response.status_code >= 500 or response.status_code == 429:
        raise RetryableError(f"Token endpoint: HTTP {response.status_code}", status=response.status_code)
    if response.status_code in (400, 401):
        error = body.get("error", "")
        raise AuthorizationError(
            f"Token endpoint refused the grant: {error or response.status_code}",
            body=body,
            status=response.status_code,
        )
    if response.status_code != 200 or not body.get("access_token"):
        raise ExporterError(f"Token endpoint: unexpected answer (HTTP {response.status_code})")
    return TokenSet(
        access_token=body["access_token"],
        refresh_token=body.get("refresh_token") or data.get("refresh_token", ""),
        expires_at=timezone.now() + timedelta(seconds=int(body.get("expires_in") or 0)),
        scope=str(body.get("scope", "")),
        refresh_expires_at=(
            timezone.now() + timedelta(seconds=int(body["x_refresh_token_expires_in"]))
            if str(body.get("x_refresh_token_expires_in") or "").isdigit()
            else None
        ),
    )
