"""One HTTP helper for the vendor clients: bearer auth, timeouts, bounded 429 waits, 401 refresh.

* Every request has connect and read timeouts; proxies/netrc from the environment are ignored.
* 401: the token provider refreshes once (rotating the refresh token) and the request is sent
  again; a second 401 is an :class:`AuthorizationError`.
* 429: wait what ``Retry-After`` says (both vendors send it) and send again, at most
  ``max_retries`` times and never longer than ``max_wait`` seconds per wait; beyond that a
  :class:`RetryableError` carries the wait to the task, which retries later. A 429 means the
  request was not processed, so sending it again is safe.
* 5xx, timeouts, dropped connections: :class:`RetryableError` (outcome unknown: the caller looks
  the document up before sending it again).
* Other 4xx: the vendor's ``error_raiser`` turns the body into ValidationRejected/ExporterError.
* Every call goes through the egress guard (:class:`~.endpoints.VendorConfinedHttp`): the
  vendor's host over https, public addresses only, connected to the checked address, no
  redirects; a refused host is an :class:`~.endpoints.EndpointRefused`, one that does not
  resolve a :class:`RetryableError`.
Logs carry method, host and path only: never headers, query strings or bodies.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

import requests

from accounting_app.exporters.base import TokenProvider
from accounting_app.exporters.endpoints import (
    EndpointRefused,
    HostRefused,
    HostUnresolved,
    VendorConfinedHttp,
    retry_after_parse,
)
from accounting_app.exporters.errors import AuthorizationError, ExporterError, RetryableError

ErrorRaiser = Callable[[requests.Response], None]


def json_or_empty(response: requests.Response) -> dict:
    """The JSON object of a response, {} when it is not JSON (or a list wrapped as {"items": ...})."""
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {"items": body}


class VendorHttp:
    """Authenticated JSON requests to one vendor API for one connection."""

    def __init__(
        self,
        *,
        base_url: str,
        tokens: TokenProvider,
        error_raiser: ErrorRaiser,
        default_headers: Mapping[str, str] | None = None,
        connect_timeout: float = 5.0,
        read_timeout: float = 30.0,
        max_retries: int = 3,
        max_wait: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.base_url = base_url.rstrip("/")
        self.tokens = tokens
        self.error_raiser = error_raiser
        self.default_headers = dict(default_headers or {})
        self.max_retries = max_retries
        self.max_wait = max_wait
        self.sleep = sleep
        self.http = VendorConfinedHttp(
            base_url=self.base_url + "/", connect_timeout=connect_timeout, read_timeout=read_timeout
        )

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> requests.Response:
        """Send one request (see the module docstring for retries); return the 2xx response."""
        url = f"{self.base_url}/{path.lstrip('/')}"
        where = f"{method} {urlsplit(url).path}"
        token = self.tokens.access_token()
        refreshed = False
        waits = 0
        while True:
            sent_headers = {
                **self.default_headers,
                **(headers or {}),
                "Authorization": f"Bearer {token}",
                "Accept": "application/json",
            }
            try:
                response = self.http.send(method, url, params=params, json=json, headers=sent_headers)
            except HostUnresolved:
                raise RetryableError(f"{where}: the host does not resolve") from None
            except HostRefused as exc:
                raise EndpointRefused(str(exc)) from None
            except requests.Timeout:
                raise RetryableError(f"{where}: timed out") from None
            except requests.ConnectionError:
                raise RetryableError(f"{where}: connection failed or dropped") from None
            status = response.status_code
            if status == 401:
                if refreshed:
                    raise AuthorizationError(
                        f"{where}: HTTP 401 after a token refresh", status=401, body=json_or_empty(response)
                    )
                token = self.tokens.refresh(rejected=token)
                refreshed = True
                continue
            if status == 429:
                wait = retry_after_parse(response.headers.get("Retry-After"))
                if waits < self.max_retries and (wait if wait is not None else 1.0) <= self.max_wait:
                    waits += 1
                    self.sleep(wait if wait is not None else float(2 ** (waits - 1)))
                    continue
                raise RetryableError(
                    f"{where}: HTTP 429 ({response.headers.get('X-Rate-Limit-Problem', 'throttled')})",
                    retry_after=wait,
                    body=json_or_empty(response),
                    status=429,
                )
            if status >= 500:
                raise RetryableError(f"{where}: HTTP {status}", body=json_or_empty(response), status=status)
            if status >= 300:
                self.error_raiser(response)
                raise ExporterError(f"{where}: HTTP {status}", body=json_or_empty(response), status=status)
            return response
