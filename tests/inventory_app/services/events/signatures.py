"""A receiver's signature check, written from the README (not with our signing module)."""

from __future__ import annotations

import base64
import hashlib
import hmac


def signature_valid(*, secret: str, delivery: dict) -> bool:
    """The documented check, written out as a receiver would (not with our signing module)."""
    headers = delivery["headers"]
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['Webhook-Id']}.{headers['Webhook-Timestamp']}.".encode() + delivery["raw"]
    expected = "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return any(hmac.compare_digest(expected, given) for given in headers["Webhook-Signature"].split())
