"""ShipStation V1 webhooks: no signature exists, so trust comes from elsewhere.

ShipStation V1 signs nothing; a delivery is only ``{"resource_url", "resource_type"}``. We accept
it on the account's unguessable URL, optionally with a shared ``secret`` query parameter put in
the subscribed target URL (checked in constant time), and we never trust its content: the
resource URL must be on the account's ShipStation host and is fetched with the account's own
credentials, so a forged delivery can at most make us re-read real shipments.
"""

from __future__ import annotations

import hashlib
from urllib.parse import urlsplit

from config.safejson import json_loads_bounded
from shipping_app.providers.base import WebhookPayloadError
from shipping_app.providers.dto import WebhookDelivery

SHIPMENT_TOPICS = {"SHIP_NOTIFY", "ITEM_SHIP_NOTIFY"}


def webhook_delivery_parse(*, body: bytes, base_url: str) -> WebhookDelivery:
    """Parse a delivery; its resource URL must be on the account's host (else 400)."""
    try:
        data = json_loads_bounded(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise WebhookPayloadError(f"Malformed JSON: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("resource_url"), str):
        raise WebhookPayloadError("Expected an object with resource_url and resource_type")
    url = data["resource_url"]
    topic = str(data.get("resource_type") or "")
    expected, got = urlsplit(base_url), urlsplit(url)
    if (got.hostname or "").lower() != (expected.hostname or "").lower() or got.scheme != expected.scheme:
        raise WebhookPayloadError("resource_url is not on the account's ShipStation host")
    if got.port != expected.port:
        raise WebhookPayloadError("resource_url is not on the account's ShipStation host")
    key = hashlib.sha256(f"{topic}|{url}".encode()).hexdigest()
    return WebhookDelivery(
        event_key=key,
        topic=topic,
        kind="shipments" if topic in SHIPMENT_TOPICS else "ignored",
        payload={"resource_url": url, "resource_type": topic},
        resource_url=url,
    )
