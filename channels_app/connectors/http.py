"""The channel connectors' HTTP: the egress guard's :class:`ConfinedHttp` with channel errors.

:class:`ConfinedHttp` (and ``HostRefused``, ``retry_after_parse``...) live in
:mod:`config.egress`, the one egress guard of every integration (https, public addresses only,
connect to the checked address, same-host redirects); they are importable from here too.

:class:`ChannelHttp` is the channel connectors' flavour: errors are mapped to the connector
exceptions: 429, 5xx, timeouts and connection errors are retryable (with the channel's
Retry-After), other non-2xx are permanent; an error from an answer carries its ``status``, safe
``headers`` and a truncated, scrubbed ``body``. The shipping providers' flavour (bounded inline
retries) is ``shipping_app.providers.http.ProviderHttp``, built on the same class.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests

from config.egress import (  # noqa: F401 - re-exported: the connectors' import path
    MAX_REDIRECTS,
    MAX_RETRY_AFTER,
    ConfinedHttp,
    HostRefused,
    HostUnresolved,
    host_root,
    retry_after_parse,
)

BODY_KEEP = 300
# Answer headers an error may carry (lower-case): rate and retry hints and request ids, never
# cookies, authorisation or anything a channel could echo a secret in.
SAFE_HEADERS = (
    "retry-after",
    "content-type",
    "x-amzn-ratelimit-limit",
    "x-amzn-requestid",
    "x-request-id",
    "x-shopify-api-version",
    "x-shopify-shop-api-call-limit",
    "x-ratelimit-limit",
    "x-ratelimit-remaining",
    "x-ratelimit-reset",
    "x-rate-limit-requests-left",
    "x-rate-limit-requests-quota",
    "x-rate-limit-time-reset-ms",
    "x-rate-limit-time-window-ms",
    "x-retry-after",
)


def safe_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """The :data:`SAFE_HEADERS` of an answer, by lower-case name."""
    return {name.lower(): value for name, value in headers.items() if name.lower() in SAFE_HEADERS}


class ChannelHttp(ConfinedHttp):
    """A requests session confined to one channel host. Build it through the connector registry."""

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        data: bytes | None = None,
    ) -> requests.Response:
        """Send one request to ``path`` (relative to the base URL) and return a 2xx response.

        Raises RetryableError (429, 5xx, timeout, connection error) or ConnectorError (other
        statuses, refused host or redirect).
        """
        from channels_app.connectors.errors import ConnectorError, RetryableError

        url = urljoin(self.base_url, path.lstrip("/"))
        try:
            response = self.send(method, url, json=json, params=params, headers=headers, data=data)
        except HostRefused as exc:
            raise ConnectorError(str(exc)) from None
        except requests.Timeout:
            raise RetryableError(f"{method} {urlsplit(self.last_url).path}: timed out") from None
        except requests.ConnectionError:
            raise RetryableError(f"{method} {urlsplit(self.last_url).path}: connection failed") from None
        status = response.status_code
        where = f"{method} {urlsplit(self.last_url).path}"
        if status < 300:
            return response
        details = {
            "status": status,
            "headers": {k: self.scrub(v) for k, v in safe_headers(response.headers).items()},
            "body": self.scrub(response.text)[:BODY_KEEP],  # scrub first: no cut secret leaks
        }
        if status == 429 or status >= 500:
            raise RetryableError(
                f"{where}: HTTP {status}",
                retry_after=retry_after_parse(response.headers.get("Retry-After")),
                **details,
            )
        raise ConnectorError(f"{where}: HTTP {status}: {details['body']}", **details)

    def request_json(self, method: str, path: str, **kwargs: Any) -> Any:
        """:meth:`request` and decode the JSON body (ConnectorError if it is not JSON)."""
        from channels_app.connectors.errors import ConnectorError

        response = self.request(method, path, **kwargs)
        try:
            return response.json()
        except ValueError:
            raise ConnectorError(f"{method} {path}: the answer is not JSON") from None
