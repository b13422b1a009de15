"""Which URLs an accounting connection may point at, and the egress-guarded session it uses.

A vendor's endpoints are fixed: the token endpoint and consent page are the vendor's constants
(Xero and Intuit each have one, for every region and for sandboxes), and the API root is one of
the vendor's documented hosts over https (QuickBooks: production or sandbox). A connection's
``api_base_url`` / ``auth_base_url`` / ``token_url`` are empty (the vendor's) or one of those;
only with ``settings.ACCOUNTING_ALLOW_PRIVATE_HOSTS`` (tests, the fakes on 127.0.0.1) may they
name a loopback host, over http or https. Every call then goes through
:class:`config.egress.ConfinedHttp` (public addresses only, pinned address, no redirects).
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from django.conf import settings

from accounting_app.exporters.errors import ExporterError

# accounting_app's one import of the egress guard; the others import these names from here.
from config.egress import ConfinedHttp, HostRefused, HostUnresolved, retry_after_parse  # noqa: F401

LOOPBACK_NAMES = ("localhost",)


class EndpointRefused(ExporterError):
    """A connection URL is not one of the vendor's endpoints."""


def allow_private() -> bool:
    """Whether loopback endpoints are allowed (``settings.ACCOUNTING_ALLOW_PRIVATE_HOSTS``)."""
    return bool(settings.ACCOUNTING_ALLOW_PRIVATE_HOSTS)


def _loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def endpoint_check(*, url: str, hosts: tuple[str, ...], what: str) -> str:
    """``url`` when it is https on one of ``hosts`` (or loopback while private hosts are allowed).

    Raises :class:`EndpointRefused` naming ``what`` ("API base URL") otherwise.
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise EndpointRefused(f"The {what} is not a valid URL") from None
    host = (parts.hostname or "").lower()
    if allow_private() and _loopback(host) and parts.scheme in ("http", "https"):
        return url
    if parts.scheme != "https" or host not in hosts or port not in (None, 443):
        raise EndpointRefused(f"The {what} must be https://{' or https://'.join(hosts)}")
    if parts.username or parts.password:
        raise EndpointRefused(f"The {what} must not carry credentials")
    return url


def fixed_url(*, configured: str, constant: str, what: str) -> str:
    """The vendor's ``constant`` URL; ``configured`` may only repeat it, or name a loopback
    fake while private hosts are allowed. Raises :class:`EndpointRefused` otherwise."""
    if not configured or configured == constant:
        return constant
    host = (urlsplit(configured).hostname or "").lower()
    if allow_private() and _loopback(host):
        return configured
    raise EndpointRefused(f"The {what} is fixed for this vendor: {constant}")


class VendorConfinedHttp(ConfinedHttp):
    """The egress guard confined to one vendor host: no redirects; a refused URL is an
    :class:`EndpointRefused`. ``allow_private`` follows ``ACCOUNTING_ALLOW_PRIVATE_HOSTS``."""

    label = "accounting"
    max_redirects = 0

    def __init__(
        self,
        *,
        base_url: str,
        connect_timeout: float = 5.0,
        read_timeout: float = 30.0,
        secrets: tuple[str, ...] = (),
    ):
        super().__init__(
            base_url=base_url,
            allow_private=allow_private(),
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            secrets=secrets,
        )

    def refused(self, message: str) -> Exception:
        """A refused URL is a permanent :class:`EndpointRefused`."""
        return EndpointRefused(message)
