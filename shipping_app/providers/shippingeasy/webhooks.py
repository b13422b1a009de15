"""ShippingEasy signatures: API request signing and the shipment callback check."""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Mapping
from urllib.parse import urlencode

from config.safejson import json_loads_bounded
from shipping_app.providers.base import WebhookPayloadError, WebhookSignatureError
from shipping_app.providers.dto import WebhookDelivery
from shipping_app.providers.shippingeasy.mapping import shipments_from_callback

EXPIRATION_SECONDS = 10 * 60


def signature_plaintext(*, method: str, path: str, params: Mapping[str, object], body: str) -> str:
    """``METHOD&path&sorted form-encoded params&body`` (no body part when the body is empty)."""
    query = urlencode(sorted((k, str(v)) for k, v in params.items() if k != "api_signature"))
    parts = [method.upper(), path, query]
    if body:
        parts.append(body)
    return "&".join(parts)


def signature_compute(*, secret: str, method: str, path: str, params: Mapping[str, object], body: str) -> str:
    """The hex HMAC-SHA256 api_signature."""
    plaintext = signature_plaintext(method=method, path=path, params=params, body=body)
    return hmac.new(secret.encode(), plaintext.encode(), hashlib.sha256).hexdigest()


def callback_verify(
    *, secret: str, method: str, path: str, query: Mapping[str, str], body: bytes, now: float | None = None
) -> None:
    """Check a callback's api_signature (constant time) and, if it carries one, its api_timestamp."""
    supplied = query.get("api_signature", "")
    if not secret or not supplied:
        raise WebhookSignatureError("Missing api_signature")
    try:
        text = body.decode()
    except UnicodeDecodeError:
        raise WebhookSignatureError("Body is not UTF-8") from None
    expected = signature_compute(secret=secret, method=method, path=path, params=query, body=text)
    if not hmac.compare_digest(expected.encode(), supplied.encode()):
        raise WebhookSignatureError("api_signature does not match")
    if "api_timestamp" in query:
        try:
            stamp = int(query["api_timestamp"])
        except ValueError:
            raise WebhookSignatureError("Bad api_timestamp") from None
        if stamp < (now if now is not None else time.time()) - EXPIRATION_SECONDS:
            raise WebhookSignatureError("Callback expired")


def callback_parse(*, body: bytes) -> WebhookDelivery:
    """Parse a verified shipment callback."""
    try:
        data = json_loads_bounded(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise WebhookPayloadError(f"Malformed JSON: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("shipment"), dict):
        raise WebhookPayloadError("Expected an object with a shipment")
    shipment = data["shipment"]
    if shipment.get("id") in (None, ""):
        raise WebhookPayloadError("shipment without an id")
    try:
        shipments = shipments_from_callback(shipment)
    except (KeyError, TypeError, ValueError) as exc:
        raise WebhookPayloadError(f"Unexpected shipment: {exc}") from None
    return WebhookDelivery(
        event_key=f"shipment:{shipment['id']}:{shipment.get('tracking_number') or ''}",
        topic="shipment",
        kind="shipments",
        payload=data,
        shipments=shipments,
    )
