"""The one egress guard of every outbound vendor call (channels, shipping, accounting, labels).

Vendor and store URLs are typed in by users, so a :class:`ConfinedHttp` only talks to the host of
its ``base_url``:

* https only (``allow_private`` - tests, the benchmark, the demo - also allows plain http, and
  then only to loopback);
* public addresses only: every address the host resolves to must pass :func:`address_refused`
  (loopback, private, link-local, reserved, multicast, unspecified, CGNAT 100.64.0.0/10,
  IPv4-mapped/compatible IPv6, 6to4 with a non-public IPv4 inside, Teredo, NAT64, site-local,
  ULA...); ``allow_private`` lifts this;
* the connection goes to the address that was checked: the host is resolved once per hop and
  :class:`PinnedAdapter` connects to that address, keeping the host name for SNI, certificate
  verification and the Host header, so a rebinding DNS server cannot swap the address between
  the check and the connect;
* redirects are followed only to the same scheme, host and port (at most ``max_redirects``; 0
  returns a 3xx as it came), each hop checked and pinned again.

Every request has connect and read timeouts and ignores proxies and netrc from the environment.
Log lines carry method, host and path only - never headers, query strings or bodies - and known
secret values are scrubbed from error messages. This module imports no app: channels, shipping
and accounting all build on it.
"""

from __future__ import annotations

import email.utils
import ipaddress
import logging
import socket
import time
from collections.abc import Sequence
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter

logger = logging.getLogger(__name__)

MAX_REDIRECTS = 3
MAX_RETRY_AFTER = 3600.0

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Ranges refused on top of the ``ipaddress`` flags (which miss some of them, depending on the
# Python version): shared address space, IETF/benchmark/reserved IPv4, and the IPv6 forms that
# carry or translate to an IPv4 address.
_REFUSED_NETWORKS = tuple(
    ipaddress.ip_network(net)
    for net in (
        "0.0.0.0/8",
        "100.64.0.0/10",  # carrier-grade NAT (RFC 6598)
        "192.0.0.0/24",
        "198.18.0.0/15",
        "240.0.0.0/4",
        "::/96",  # IPv4-compatible (deprecated)
        "::ffff:0:0/96",  # IPv4-mapped
        "64:ff9b::/96",  # NAT64 well-known prefix
        "64:ff9b:1::/48",  # NAT64 local-use prefix
        "2001::/32",  # Teredo
        "2001:db8::/32",
        "fc00::/7",  # unique local
        "fec0::/10",  # site-local (deprecated)
    )
)
_SIX_TO_FOUR = ipaddress.ip_network("2002::/16")


class HostRefused(Exception):
    """The URL's host is not the confined host, or resolves to a refused address."""


class HostUnresolved(HostRefused):
    """The host name does not resolve (DNS failed): maybe transient, never called."""


def address_refused(ip: IPAddress) -> bool:
    """Whether ``ip`` is not a public unicast address a vendor could be on."""
    if (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_reserved
        or ip.is_multicast
        or ip.is_unspecified
        or any(ip.version == net.version and ip in net for net in _REFUSED_NETWORKS)
    ):
        return True
    if ip.version == 6 and ip in _SIX_TO_FOUR:
        return address_refused(ip.sixtofour)  # type: ignore[union-attr,arg-type]
    return False


def retry_after_parse(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or HTTP date), capped at
    :data:`MAX_RETRY_AFTER`; None if absent or bad."""
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
    if seconds != seconds:  # NaN
        return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


def host_root(url: str) -> tuple[str, str]:
    """(``scheme://host[:port]/``, the rest of the URL without its leading slash)."""
    parts = urlsplit(url)
    rest = parts.path.lstrip("/") + (f"?{parts.query}" if parts.query else "")
    return f"{parts.scheme}://{parts.netloc}/", rest


def _default_port(scheme: str) -> int:
    return 443 if scheme == "https" else 80


class PinnedAdapter(HTTPAdapter):
    """A transport adapter that connects to the address pinned for a (host, port), never to a
    fresh DNS answer. TLS still verifies the certificate for the host name and sends it as SNI;
    the Host header names the host. A request for a host with no pin is refused."""

    def __init__(self) -> None:
        self.pins: dict[tuple[str, int], str] = {}
        super().__init__(max_retries=0)

    def pin(self, *, host: str, port: int, address: str) -> None:
        """Connect to ``address`` for ``host:port`` from now on."""
        self.pins[(host.lower(), port)] = address

    def _pinned(self, url: str) -> tuple[str, str]:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        address = self.pins.get((host, parts.port or _default_port(parts.scheme)))
        if address is None:
            raise HostRefused(f"Refused to call {host!r}: its address was not checked")
        return host, address

    def build_connection_pool_key_attributes(
        self, request: requests.PreparedRequest, verify: Any, cert: Any = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """The pool of the pinned address; TLS checks the certificate against the host name."""
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(request, verify, cert)
        host, address = self._pinned(request.url or "")
        host_params["host"] = address
        if host_params["scheme"] == "https":
            pool_kwargs["server_hostname"] = host
            pool_kwargs["assert_hostname"] = host
        return host_params, pool_kwargs

    def add_headers(self, request: requests.PreparedRequest, **kwargs: Any) -> None:
        """Host: the URL's host (and port), not the pinned address."""
        netloc = urlsplit(request.url or "").netloc.rpartition("@")[2]
        request.headers["Host"] = netloc


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
        try:
            port = parts.port
        except ValueError:
            raise self.refused(f"The {self.label} URL has a bad port") from None
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.scheme = parts.scheme
        self.host = parts.hostname.lower()
        self.port = port
        self.timeout = (connect_timeout, read_timeout)
        self._secrets = [s for s in secrets if s]
        self.session = requests.Session()
        self.session.trust_env = False  # no proxies or netrc credentials from the environment
        self.adapter = PinnedAdapter()
        self.session.mount("https://", self.adapter)
        self.session.mount("http://", self.adapter)
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
        """Raise :class:`HostRefused` unless ``url`` has the confined scheme, host and port."""
        parts = urlsplit(url)
        try:
            port = parts.port
        except ValueError:
            port = -1
        if (parts.hostname or "").lower() != self.host or parts.scheme != self.scheme or port != self.port:
            raise HostRefused(f"Refused to call {parts.hostname!r}: not the account's host")

    def _check_target(self, url: str) -> str:
        """Check ``url`` and resolve its host once; the checked address to connect to."""
        self.host_check(url)
        port = self.port or _default_port(self.scheme)
        try:
            infos = socket.getaddrinfo(self.host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            raise HostUnresolved(f"Cannot resolve {self.host}") from exc
        addresses = [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]
        if not addresses:
            raise HostUnresolved(f"Cannot resolve {self.host}")
        if not self.allow_private and any(address_refused(ip) for ip in addresses):
            raise HostRefused(f"Refused to call {self.host}: it resolves to a non-public address")
        if self.scheme == "http" and not all(ip.is_loopback for ip in addresses):
            raise HostRefused("Plain http is allowed to loopback only")
        pinned = str(min(addresses, key=lambda ip: ip.version))  # the first IPv4 answer, else IPv6
        self.adapter.pin(host=self.host, port=port, address=pinned)
        return pinned

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

        ``kwargs`` go to ``requests`` (json, params, data, headers, auth). Returns the last
        answer, whatever its status; ``last_url`` is the URL of the hop sent last. Raises
        HostRefused ("Too many redirects" past ``max_redirects``) and
        requests.Timeout/ConnectionError.
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
