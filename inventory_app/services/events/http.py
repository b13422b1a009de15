"""Outbound webhook HTTP, through the egress guard (``config/egress.py``)."""

from __future__ import annotations

from django.conf import settings

from config.egress import ConfinedHttp


class WebhookHttp(ConfinedHttp):
    """An endpoint's host only, public addresses only (``WEBHOOKS_ALLOW_PRIVATE_HOSTS``: tests
    and benchmarks may use loopback over http); redirects are not followed (a 3xx is a failure)."""

    label = "webhook"
    max_redirects = 0


def webhook_http(*, url: str) -> WebhookHttp:
    """The guarded session for ``url``; raises HostRefused for a URL the guard refuses."""
    timeout = settings.WEBHOOKS_TIMEOUT_SECONDS
    return WebhookHttp(
        base_url=url,
        allow_private=settings.WEBHOOKS_ALLOW_PRIVATE_HOSTS,
        connect_timeout=min(timeout, 5.0),
        read_timeout=timeout,
    )
