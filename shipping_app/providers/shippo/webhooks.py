"""Shippo tracking webhooks.

Deliveries are accepted only on the account's unguessable URL. When the account has a
``webhook_secret`` (Shippo's HMAC secret), each delivery must also carry Shippo's documented
``Shippo-Auth-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`` header,
checked in constant time, with ``t`` at most ``SIGNATURE_TOLERANCE_SECONDS`` from our clock
(a replayed old delivery is refused). A delivery is keyed by tracking number, status and status
date, so a redelivery is stored once.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Mapping

from config.safejson import json_loads_bounded
from shipping_app.providers.base import WebhookPayloadError, WebhookSignatureError
from shipping_app.providers.dto import WebhookDelivery
from shipping_app.providers.shippo.mapping import tracking_from_json

SIGNATURE_HEADER = "Shippo-Auth-Signature"
SIGNATURE_TOLERANCE_SECONDS = 300


def webhook_signature(*, secret: str, timestamp: int, body: bytes) -> str:
    """The ``v1`` value Shippo sends: hex HMAC-SHA256 with the secret of ``b"<timestamp>." + body``."""
    return hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()


def _header(headers: Mapping[str, str], name: str) -> str:
    wanted = name.lower()
    return next((str(v) for k, v in headers.items() if k.lower() == wanted), "")


def webhook_signature_check(
    *, secret: str, headers: Mapping[str, str], body: bytes, now: float | None = None
) -> None:
    """Require a valid, fresh ``Shippo-Auth-Signature`` when ``secret`` is set; raise
    WebhookSignatureError otherwise (missing, malformed, stale, or not ours)."""
    if not secret:
        return
    fields: dict[str, list[str]] = {}
    for part in _header(headers, SIGNATURE_HEADER).split(","):
        key, _, value = part.strip().partition("=")
        fields.setdefault(key, []).append(value)
    stamps, signatures = fields.get("t", []), fields.get("v1", [])
    if len(stamps) != 1 or not stamps[0].isdigit() or not signatures:
        raise WebhookSignatureError(f"Missing or malformed {SIGNATURE_HEADER}")
    timestamp = int(stamps[0])
    if abs((time.time() if now is None else now) - timestamp) > SIGNATURE_TOLERANCE_SECONDS:
        raise WebhookSignatureError(f"{SIGNATURE_HEADER} timestamp outside the tolerance")
    expected = webhook_signature(secret=secret, timestamp=timestamp, body=body)
    if not any(hmac.compare_digest(expected.encode(), given.lower().encode()) for given in signatures):
        raise WebhookSignatureError(f"Wrong {SIGNATURE_HEADER}")


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
