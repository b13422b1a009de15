"""Webhook deliveries: signature check and the headers Shopify sends with each delivery.

Shopify signs the raw body: ``X-Shopify-Hmac-Sha256`` is the base64 HMAC-SHA256 of the body keyed
with the app's secret (https://shopify.dev/docs/apps/build/webhooks/verify-deliveries). The same
event may arrive more than once (retries keep ``X-Shopify-Webhook-Id`` and ``X-Shopify-Event-Id``;
https://shopify.dev/apps/build/webhooks/ignore-duplicates) and out of order.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass

from channels_app.connectors.errors import WebhookPayloadError, WebhookSignatureError


def header(headers: Mapping[str, str], name: str) -> str:
    """The value of header ``name`` in any letter case ("" when absent)."""
    lowered = name.lower()
    for key, value in headers.items():
        if key.lower() == lowered:
            return str(value)
    return ""


def webhook_signature(*, secret: str, body: bytes) -> str:
    """The ``X-Shopify-Hmac-Sha256`` value Shopify sends for ``body``."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def webhook_signature_check(*, secret: str, headers: Mapping[str, str], body: bytes) -> None:
    """Compare the delivery's signature with ours in constant time; raise WebhookSignatureError."""
    given = header(headers, "X-Shopify-Hmac-Sha256").strip()
    if not secret or not given:
        raise WebhookSignatureError("Missing Shopify webhook signature or secret")
    expected = webhook_signature(secret=secret, body=body)
    if not hmac.compare_digest(given.encode(), expected.encode()):
        raise WebhookSignatureError("Bad Shopify webhook signature")


@dataclass(frozen=True)
class DeliveryHeaders:
    """The delivery's Shopify headers."""

    topic: str
    webhook_id: str
    event_id: str
    triggered_at: str
    api_version: str
    shop_domain: str

    @property
    def dedupe_id(self) -> str:
        """Our event id: one per (topic, Shopify event); retries and duplicates share it."""
        return f"{self.topic}:{self.event_id or self.webhook_id}"

    def as_dict(self) -> dict[str, str]:
        """JSON form, kept with the stored payload."""
        return {
            "topic": self.topic,
            "webhook_id": self.webhook_id,
            "event_id": self.event_id,
            "triggered_at": self.triggered_at,
            "api_version": self.api_version,
            "shop_domain": self.shop_domain,
        }


def delivery_headers(headers: Mapping[str, str]) -> DeliveryHeaders:
    """Read the Shopify headers; WebhookPayloadError when the topic or both ids are missing."""
    meta = DeliveryHeaders(
        topic=header(headers, "X-Shopify-Topic").strip(),
        webhook_id=header(headers, "X-Shopify-Webhook-Id").strip(),
        event_id=header(headers, "X-Shopify-Event-Id").strip(),
        triggered_at=header(headers, "X-Shopify-Triggered-At").strip(),
        api_version=header(headers, "X-Shopify-API-Version").strip(),
        shop_domain=header(headers, "X-Shopify-Shop-Domain").strip(),
    )
    if not meta.topic:
        raise WebhookPayloadError("No X-Shopify-Topic header")
    if not (meta.event_id or meta.webhook_id):
        raise WebhookPayloadError("No X-Shopify-Event-Id or X-Shopify-Webhook-Id header")
    return meta
