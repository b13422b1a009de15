"""Authenticating BigCommerce webhook deliveries, and the hooks we register.

Two documented checks, both in constant time (README "Webhook authentication" has the sources):

* the headers we set on the hook (``headers`` of ``POST /v3/hooks``: "BigCommerce will send the
  specified headers when making callback requests"): ``X-Stockmaster-Hook`` carries a token
  derived from the account's access token and id, so it is never stored and a new token changes it;
* the Standard Webhooks signature BigCommerce adds: ``webhook-signature`` is a space-separated
  list of ``v1,<base64 HMAC-SHA256>`` over ``"<webhook-id>.<webhook-timestamp>.<raw body>"``,
  keyed with the UTF-8 bytes of the API account's client secret; ``webhook-timestamp`` (unix
  seconds) must be within :data:`TOLERANCE_SECONDS` of now (replays).

Duplicates: ``webhook-id`` is the same on every retry of one event (Standard Webhooks); without
it, the body's ``hash`` ("SHA-1 of the payload data ... to detect duplicate events") with its
``created_at`` and ``scope`` names the event.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Mapping

from requests.structures import CaseInsensitiveDict

from channels_app.connectors.errors import WebhookPayloadError, WebhookSignatureError

HOOK_HEADER = "X-Stockmaster-Hook"
TOLERANCE_SECONDS = 300
ORDER_SCOPES = ("store/order/created", "store/order/updated", "store/order/statusUpdated")


def header(headers: Mapping[str, str], name: str) -> str:
    """The value of header ``name`` in any letter case ("" when absent)."""
    return str(CaseInsensitiveDict(headers).get(name) or "")


def hook_token(*, access_token: str, account_id: int) -> str:
    """The value of :data:`HOOK_HEADER` we set on the account's hooks."""
    message = f"stockmaster-bigcommerce-hook:{account_id}".encode()
    return hmac.new(access_token.encode(), message, hashlib.sha256).hexdigest()


def signature(*, client_secret: str, webhook_id: str, timestamp: str, body: bytes) -> str:
    """The base64 HMAC-SHA256 Standard Webhooks signature (without the ``v1,`` prefix)."""
    signed = webhook_id.encode() + b"." + timestamp.encode() + b"." + body
    return base64.b64encode(hmac.new(client_secret.encode(), signed, hashlib.sha256).digest()).decode()


def hook_header_check(*, expected: str, headers: Mapping[str, str]) -> None:
    """The secret header we set on the hook, compared in constant time."""
    given = header(headers, HOOK_HEADER).strip()
    if not expected or not given or not hmac.compare_digest(given.encode(), expected.encode()):
        raise WebhookSignatureError(f"Missing or wrong {HOOK_HEADER} header")


def signature_check(
    *, client_secret: str, headers: Mapping[str, str], body: bytes, now: float | None = None
) -> None:
    """The Standard Webhooks signature and timestamp; WebhookSignatureError when they fail."""
    webhook_id = header(headers, "webhook-id").strip()
    timestamp = header(headers, "webhook-timestamp").strip()
    given = header(headers, "webhook-signature").strip()
    if not client_secret or not webhook_id or not timestamp or not given:
        raise WebhookSignatureError("Missing webhook-id, webhook-timestamp or webhook-signature")
    try:
        stamp = int(timestamp)
    except ValueError:
        raise WebhookSignatureError("Malformed webhook-timestamp") from None
    current = time.time() if now is None else now
    if abs(current - stamp) > TOLERANCE_SECONDS:
        raise WebhookSignatureError("webhook-timestamp outside the tolerance")
    expected = signature(
        client_secret=client_secret, webhook_id=webhook_id, timestamp=timestamp, body=body
    ).encode()
    for entry in given.split():
        version, _, value = entry.partition(",")
        if version == "v1" and hmac.compare_digest(value.encode(), expected):
            return
    raise WebhookSignatureError("Bad webhook signature")


def delivery_event_id(*, headers: Mapping[str, str], data: Mapping[str, object]) -> str:
    """Our event id of a delivery: ``webhook-id``, else ``scope:hash:created_at`` of the body."""
    webhook_id = header(headers, "webhook-id").strip()
    if webhook_id:
        return f"bc:{webhook_id}"
    digest = str(data.get("hash") or "")
    if not digest:
        raise WebhookPayloadError("Neither webhook-id nor hash: the delivery cannot be recognised")
    return f"bc:{data.get('scope')}:{digest}:{data.get('created_at')}"
