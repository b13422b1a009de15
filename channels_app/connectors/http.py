"""The one confined HTTP wrapper of the integrations: confined host, timeouts, status checks, no leaks.

Store and vendor URLs are typed in by users, so a :class:`ConfinedHttp` only talks to the host of
the account's ``base_url`` over https; it refuses private, loopback, link-local, reserved and
multicast addresses (``allow_private`` lifts this for tests and the benchmark, and then also
allows plain http to loopback), follows a redirect only to that same host (at most
``max_redirects``; 0 returns a 3xx as it came), and checks the target again before every hop.
Every request has connect and read timeouts and ignores proxies and netrc from the environment.
Log lines carry method, host and path only - never headers, query strings or bodies - and any
known secret value is scrubbed from error messages.

:class:`ChannelHttp` is the channel connectors' flavour: errors are mapped to the connector
exceptions: 429, 5xx, timeouts and connection errors are retryable (with the channel's
Retry-After), other non-2xx are permanent; an error from an answer carries its ``status``, safe
``headers`` and a truncated, scrubbed ``body``. The shipping providers' flavour (bounded inline
retries) is ``shipping_app.providers.http.ProviderHttp``, built on the same class.
"""

from __future__ import annotations

import email.utils
import ipaddress
import logging
import socket
import time
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests

logger = logging.getLogger(__name__)

MAX_REDIRECTS = 3
MAX_RETRY_AFTER = 3600.0
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
)


def safe_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """The :data:`SAFE_HEADERS` of an answer, by lower-case name."""
    return {name.lower(): value for name, value in headers.items() if name.lower() in SAFE_HEADERS}


def host_root(url: str) -> tuple[str, str]:
    """(``scheme://host[:port]/``, the rest of the URL without its leading slash)."""
    parts = urlsplit(url)
    rest = parts.path.lstrip("/") + (f"?{parts.query}" if parts.query else "")
    return f"{parts.scheme}://{parts.netloc}/", rest


class HostRefused(Exception):
    """The URL's host is not the account's host, or resolves to a refused address."""


class HostUnresolved(HostRefused):
    """The account's host name does not resolve (DNS failed): maybe transient, never called."""


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


def _address_refused(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_reserved
        or ip.is_multicast
        or ip.is_unspecified
    )


class ConfinedHttp:
    """A requests session confined to one host; subclasses map answers to their own errors.

    ``label`` names the kind of URL in refusals ("The channel URL has no host") and
    :meth:`refused` builds the exception a bad base URL raises; :meth:`send` raises
    :class:`HostRefused` (or :class:`HostUnresolved`) and the ``requests`` timeout and
    connection exceptions, and returns any answer, 2xx or not.
    """

    label = "channel"
    max_redirects = MAX_REDIRECTS

    def __init__(
        self,
        *,
        base_url: str,
        allow_private: bool = False,
        connect_timeout: float = 5.0,
        read_timeout: float = 20.0,
        secrets: Sequence[str] = (),
    ):
        parts = urlsplit(base_url)
        self.allow_private = allow_private
        if not parts.hostname:
            raise self.refused(f"The {self.label} URL has no host")
        if parts.scheme != "https" and not (allow_private and parts.scheme == "http"):
            raise self.refused(f"{self.label.capitalize()} URLs must use https")
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.scheme = parts.scheme
        self.host = parts.hostname.lower()
        self.port = parts.port
        self.timeout = (connect_timeout, read_timeout)
        self._secrets = [s for s in secrets if s]
        self.session = requests.Session()
        self.session.trust_env = False  # no proxies or netrc credentials from the environment
        self.last_url = self.base_url

    def refused(self, message: str) -> Exception:
        """The exception a refused base URL raises (:class:`HostRefused` here)."""
        return HostRefused(message)

    def scrub(self, text: str) -> str:
        """``text`` with every known secret value replaced by ***."""
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text

    def host_check(self, url: str) -> None:
        """Raise :class:`HostRefused` unless ``url`` has the account's scheme, host and port."""
        parts = urlsplit(url)
        if (
            (parts.hostname or "").lower() != self.host
            or parts.scheme != self.scheme
            or parts.port != self.port
        ):
            raise HostRefused(f"Refused to call {parts.hostname!r}: not the account's host")

    def _check_target(self, url: str) -> None:
        self.host_check(url)
        port = urlsplit(url).port
        try:
            infos = socket.getaddrinfo(self.host, port or (443 if self.scheme == "https" else 80))
        except socket.gaierror as exc:
            raise HostUnresolved(f"Cannot resolve {self.host}") from exc
        for info in infos:
            ip = ipaddress.ip_address(info[4][0])
            if ip.is_loopback and self.allow_private:
                continue
            if _address_refused(ip) and not self.allow_private:
                raise HostRefused(f"Refused to call {self.host}: it resolves to a non-public address")
        if self.scheme == "http" and not all(ipaddress.ip_address(i[4][0]).is_loopback for i in infos):
            raise HostRefused("Plain http is allowed to loopback only")

    def log_answer(self, method: str, path: str, response: requests.Response, elapsed: float) -> None:
        """Log one hop's answer: method, host, path, status and time - nothing else."""
        logger.debug(
            "%s %s %s%s -> %s in %.0f ms",
            self.label,
            method,
            self.host,
            path,
            response.status_code,
            elapsed * 1000,
        )

    def send(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        """Send ``method url`` (absolute, checked before every hop), following same-host redirects.

        ``kwargs`` go to ``requests`` (json, params, data, headers). Returns the last answer,
        whatever its status; ``last_url`` is the URL of the hop sent last. Raises HostRefused
        ("Too many redirects" past ``max_redirects``) and requests.Timeout/ConnectionError.
        """
        for _ in range(self.max_redirects + 1):
            self.last_url = url
            self._check_target(url)
            started = time.monotonic()
            response = self.session.request(
                method, url, timeout=self.timeout, allow_redirects=False, **kwargs
            )
            self.log_answer(method, urlsplit(url).path, response, time.monotonic() - started)
            if not (response.is_redirect and self.max_redirects):
                return response
            url = urljoin(url, response.headers.get("Location", ""))
        raise HostRefused("Too many redirects")


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
        from channels_app.connectors.base import ConnectorError, RetryableError

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
        from channels_app.connectors.base import ConnectorError

        response = self.request(method, path, **kwargs)
        try:
            return response.json()
        except ValueError:
            raise ConnectorError(f"{method} {path}: the answer is not JSON") from None
