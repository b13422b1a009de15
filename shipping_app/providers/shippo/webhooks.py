"""Shippo tracking webhooks.

Shippo's classic webhooks carry no signature; we accept them only on the account's unguessable
URL and, when the account has a ``webhook_secret``, only with ``?secret=`` equal to it (constant
time). A delivery is keyed by tracking number, status and status date, so a redelivery is stored
once.
"""

from __future__ import annotations

import hashlib

from config.safejson import json_loads_bounded
from shipping_app.providers.base import WebhookPayloadError
from shipping_app.providers.dto import WebhookDelivery
from shipping_app.providers.shippo.mapping import tracking_from_json


def webhook_delivery_parse(*, body: bytes) -> WebhookDelivery:
    """Parse a Shippo webhook; track_updated becomes a tracking delivery, others are ignored."""
    try:
        data = json_loads_bounded(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise WebhookPayloadError(f"Malformed JSON: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("data"), dict):
        raise WebhookPayloadError("Expected an object with event and data")
    event = str(data.get("event") or "")
    if event != "track_updated":
        return WebhookDelivery(
            event_key=f"{event}:{hashlib.sha256(body).hexdigest()}", topic=event, kind="ignored", payload=data
        )
    update = tracking_from_json(data["data"])
    if not update.tracking_number:
        raise WebhookPayloadError("track_updated without a tracking_number")
    when = update.occurred_at.isoformat() if update.occurred_at else ""
    return WebhookDelivery(
        event_key=f"track:{update.tracking_number}:{update.state}:{when}"[:255],
        topic=event,
        kind="tracking",
        payload=data,
        tracking=update,
    )
