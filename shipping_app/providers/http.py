"""The shipping vendors' flavour of the confined HTTP wrapper: vendor errors and bounded retries.

A ``ProviderHttp`` is a :class:`~config.egress.ConfinedHttp` (host, scheme and
address checks, timeouts, scrubbed secrets, logs with method, host and path only) confined to
the account's base URL: https, and plain http to loopback only when
``settings.SHIPPING_ALLOW_PRIVATE_HOSTS`` is set, as in tests. Redirects are not followed: a 3xx
is an error. 429, 5xx, timeouts and connection errors are retried a bounded number of times,
waiting what the vendor asked (``Retry-After`` or a vendor-specific header read by
``wait_from``) when that is short; a longer wait, or retries exhausted, raises
RetryableProviderError with ``retry_after`` so the Celery task retries later instead of
sleeping. Other non-2xx answers and refused hosts raise ProviderError with the vendor's error text.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from django.conf import settings

# shipping_app's one import of the egress guard (host_root re-exported for the providers).
from config.egress import ConfinedHttp, HostRefused, HostUnresolved, host_root, retry_after_parse  # noqa: F401
from shipping_app.providers.base import ProviderError, RetryableProviderError

logger = logging.getLogger(__name__)

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")


class ProviderHttp(ConfinedHttp):
    """A requests session confined to one vendor host, with bounded retries."""

    label = "vendor"
    max_redirects = 0

    def __init__(
        self,
        *,
        base_url: str,
        auth_headers: Mapping[str, str] | None = None,
        secrets: Sequence[str] = (),
        max_retries: int | None = None,
        max_inline_wait: float | None = None,
        wait_from: Callable[[requests.Response], float | None] | None = None,
        error_text: Callable[[requests.Response], str] | None = None,
    ):
        parts = urlsplit(base_url)
        allow_private = bool(settings.SHIPPING_ALLOW_PRIVATE_HOSTS)
        if parts.hostname and parts.scheme == "http" and parts.hostname not in LOOPBACK_NAMES:
            raise self.refused("Vendor URLs must use https")
        super().__init__(
            base_url=base_url,
            allow_private=allow_private,
            connect_timeout=float(settings.SHIPPING_HTTP_CONNECT_TIMEOUT),
            read_timeout=float(settings.SHIPPING_HTTP_READ_TIMEOUT),
            secrets=secrets,
        )
        self.auth_headers = dict(auth_headers or {})
        self.max_retries = max_retries if max_retries is not None else int(settings.SHIPPING_HTTP_RETRIES)
        self.max_inline_wait = (
            max_inline_wait if max_inline_wait is not None else float(settings.SHIPPING_HTTP_MAX_INLINE_WAIT)
        )
        self.wait_from = wait_from
        self.error_text = error_text or (lambda r: r.text[:500])
        self.last_response: requests.Response | None = None

    def refused(self, message: str) -> Exception:
        """A refused vendor URL is a permanent :class:`ProviderError`."""
        return ProviderError(message)

    def log_answer(self, method: str, path: str, response: requests.Response, elapsed: float) -> None:
        """Log one answer: method, host, path and status."""
        logger.info("%s %s%s -> %s", method, self.host, path, response.status_code)

    def url_for(self, path_or_url: str) -> str:
        """An absolute URL on the account's host; raises ProviderError for any other host."""
        url = path_or_url if "://" in path_or_url else urljoin(self.base_url, path_or_url.lstrip("/"))
        try:
            self.host_check(url)
        except HostRefused as exc:
            raise ProviderError(str(exc)) from None
        return url

    def _wait_for(self, response: requests.Response) -> float | None:
        wait = self.wait_from(response) if self.wait_from and response.status_code == 429 else None
        if wait is None:
            wait = retry_after_parse(response.headers.get("Retry-After"))
        return wait

    def request(
        self,
        method: str,
        path_or_url: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        data: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool = True,
    ) -> requests.Response:
        """Send one request (retrying transient failures) and return the 2xx response.

        ``idempotent=False`` (a purchase): only 429 is retried inline - the vendor refused it before
        doing anything; after a timeout or 5xx the outcome is unknown and the caller must look
        before trying again. A host that does not resolve counts as a connection error.
        """
        url = self.url_for(path_or_url)
        send_headers = {**self.auth_headers, **(headers or {})}
        path = urlsplit(url).path
        attempt = 0
        while True:
            attempt += 1
            wait: float | None
            try:
                response = self.send(method, url, json=json, params=params, data=data, headers=send_headers)
            except (requests.Timeout, requests.ConnectionError, HostUnresolved) as exc:
                logger.warning("%s %s%s failed: %s", method, self.host, path, type(exc).__name__)
                wait, message = None, f"{method} {path}: {type(exc).__name__}"
                if not idempotent:
                    raise RetryableProviderError(message) from None
            except HostRefused as exc:
                raise ProviderError(str(exc)) from None
            else:
                self.last_response = response
                if 200 <= response.status_code < 300:
                    return response
                if response.status_code != 429 and response.status_code < 500:
                    raise ProviderError(
                        self.scrub(f"{method} {path}: {response.status_code} {self.error_text(response)}")
                    )
                wait = self._wait_for(response)
                message = self.scrub(f"{method} {path}: {response.status_code} {self.error_text(response)}")
                if not idempotent and response.status_code != 429:
                    raise RetryableProviderError(message, retry_after=wait)
            if attempt > self.max_retries or (wait is not None and wait > self.max_inline_wait):
                raise RetryableProviderError(message, retry_after=wait)
            time.sleep(wait if wait is not None else min(0.5 * 2 ** (attempt - 1), self.max_inline_wait))
