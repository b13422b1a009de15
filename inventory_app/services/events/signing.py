"""The webhook signature scheme (the Standard Webhooks one).

Every delivery carries three headers:

* ``Webhook-Id``: the event id (``evt_...``), the same on every retry: deduplicate on it;
* ``Webhook-Timestamp``: Unix seconds when this try was sent;
* ``Webhook-Signature``: space-separated ``v1,<base64 signature>`` entries, one per secret in
  use (two while a rotated secret's overlap lasts); accept the delivery if any one matches.

The signature is ``base64(HMAC-SHA256(key, "<Webhook-Id>.<Webhook-Timestamp>.<body>"))`` where
``key`` is the base64-decoded part of the secret after ``whsec_`` and ``body`` the raw bytes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Sequence

PREFIX = "whsec_"


def webhook_secret_generate() -> str:
    """A new endpoint secret: ``whsec_`` and 32 random bytes in base64."""
    return PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def webhook_signature(*, secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """The ``v1,<base64>`` signature of one delivery under ``secret``."""
    key = base64.b64decode(secret.removeprefix(PREFIX))
    signed = f"{msg_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def webhook_signature_header(*, secrets_: Sequence[str], msg_id: str, timestamp: int, body: bytes) -> str:
    """The ``Webhook-Signature`` value: one signature per secret, space-separated."""
    return " ".join(
        webhook_signature(secret=s, msg_id=msg_id, timestamp=timestamp, body=body) for s in secrets_
    )


def webhook_signature_verify(*, secret: str, msg_id: str, timestamp: int, body: bytes, header: str) -> bool:
    """Whether one of the header's signatures is ``secret``'s (what a receiver does)."""
    expected = webhook_signature(secret=secret, msg_id=msg_id, timestamp=timestamp, body=body)
    return any(hmac.compare_digest(expected, given) for given in header.split())
