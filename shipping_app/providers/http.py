"""The one HTTP wrapper every vendor client uses: confined host, timeouts, bounded retries.

A ``ProviderHttp`` talks only to the host of the account's base URL (https; plain http to
loopback only when ``settings.SHIPPING_ALLOW_PRIVATE_HOSTS`` is set, as in tests). Every request
has connect and read timeouts. 429, 5xx, timeouts and connection errors are retried a bounded
number of times, waiting what the vendor asked (``Retry-After`` or a vendor-specific header read
by ``wait_from``) when that is short; a longer wait, or retries exhausted, raises
RetryableProviderError with ``retry_after`` so the Celery task retries later instead of sleeping.
Other non-2xx answers raise ProviderError with the vendor's error text. Logs carry method, host and
path only; known secrets are scrubbed from error messages.
"""

from __future__ import annotations

import email.utils
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from django.conf import settings

from shipping_app.providers.base import ProviderError, RetryableProviderError

logger = logging.getLogger(__name__)

MAX_RETRY_AFTER = 3600.0


def retry_after_parse(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or HTTP date); None if absent or bad."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        seconds = when.timestamp() - time.time()
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


class ProviderHttp:
    """A requests session confined to one vendor host, with bounded retries."""

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
        allow_private = bool(getattr(settings, "SHIPPING_ALLOW_PRIVATE_HOSTS", False))
        if not parts.hostname:
            raise ProviderError("The vendor URL has no host")
        if parts.scheme != "https" and not (
            allow_private and parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost", "::1")
        ):
            raise ProviderError("Vendor URLs must use https")
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.scheme = parts.scheme
        self.host = parts.hostname.lower()
        self.port = parts.port
        self.auth_headers = dict(auth_headers or {})
        self._secrets = [s for s in secrets if s]
        self.max_retries = (
            max_retries if max_retries is not None else int(getattr(settings, "SHIPPING_HTTP_RETRIES", 3))
        )
        self.max_inline_wait = (
            max_inline_wait
            if max_inline_wait is not None
            else float(getattr(settings, "SHIPPING_HTTP_MAX_INLINE_WAIT", 10.0))
        )
        self.timeout = (
            float(getattr(settings, "SHIPPING_HTTP_CONNECT_TIMEOUT", 5.0)),
            float(getattr(settings, "SHIPPING_HTTP_READ_TIMEOUT", 30.0)),
        )
        self.wait_from = wait_from
        self.error_text = error_text or (lambda r: r.text[:500])
        self.session = requests.Session()
        self.session.trust_env = False
        self.last_response: requests.Response | None = None

    def scrub(self, text: str) -> str:
        """``text`` with every known secret replaced by ***."""
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text

    def url_for(self, path_or_url: str) -> str:
        """An absolute URL on the account's host; raises ProviderError for any other host."""
        url = path_or_url if "://" in path_or_url else urljoin(self.base_url, path_or_url.lstrip("/"))
        parts = urlsplit(url)
        if (
            (parts.hostname or "").lower() != self.host
            or parts.scheme != self.scheme
            or parts.port != self.port
        ):
            raise ProviderError(f"Refused to call {parts.hostname!r}: not the account's host")
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
        before trying again.
        """
        url = self.url_for(path_or_url)
        send_headers = {**self.auth_headers, **(headers or {})}
        path = urlsplit(url).path
        attempt = 0
        while True:
            attempt += 1
            wait: float | None
            try:
                response = self.session.request(
                    method,
                    url,
                    json=json,
                    params=params,
                    data=data,
                    headers=send_headers,
                    timeout=self.timeout,
                    allow_redirects=False,
                )
            except (requests.Timeout, requests.ConnectionError) as exc:
                logger.warning("%s %s%s failed: %s", method, self.host, path, type(exc).__name__)
                wait, message = None, f"{method} {path}: {type(exc).__name__}"
                if not idempotent:
                    raise RetryableProviderError(message) from None
            else:
                self.last_response = response
                logger.info("%s %s%s -> %s", method, self.host, path, response.status_code)
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
