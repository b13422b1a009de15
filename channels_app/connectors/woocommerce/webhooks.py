"""WooCommerce webhook deliveries: the signature, the ping, the secret we give our hooks.

WooCommerce signs the exact body it sends: ``X-WC-Webhook-Signature`` =
base64(HMAC-SHA256(body, hook secret)). When a hook is saved it POSTs an unsigned ping whose
body is ``webhook_id=<id>``. We choose each hook's secret ourselves at registration; it is
derived from the account's consumer secret (:func:`hook_secret`), so nothing more is stored and
every worker can verify.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Mapping

from channels_app.connectors.errors import WebhookPing, WebhookSignatureError

PING = re.compile(rb"^webhook_id=\d+$")
HOOK_NAME = "stockmaster"
TOPICS = ("order.created", "order.updated", "order.deleted", "order.restored")


def header(headers: Mapping[str, str], name: str) -> str:
    """The value of header ``name`` in any letter case ("" when absent)."""
    lowered = name.lower()
    for key, value in headers.items():
        if key.lower() == lowered:
            return str(value)
    return ""


def hook_secret(*, consumer_secret: str, base_url: str) -> str:
    """The secret of the hooks we register for the store at ``base_url`` (stable, per store)."""
    message = f"stockmaster-woocommerce-webhook:{base_url.rstrip('/')}".encode()
    return hmac.new(consumer_secret.encode(), message, hashlib.sha256).hexdigest()


def webhook_signature(*, secret: str, body: bytes) -> str:
    """The ``X-WC-Webhook-Signature`` WooCommerce sends for ``body``."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def is_ping(*, headers: Mapping[str, str], body: bytes) -> bool:
    """An unsigned ``webhook_id=<id>`` body: the ping WooCommerce sends when a hook is saved."""
    return not header(headers, "X-WC-Webhook-Signature") and bool(PING.match(body.strip()))


def webhook_signature_check(*, secret: str, headers: Mapping[str, str], body: bytes) -> None:
    """Raise WebhookPing for the ping, WebhookSignatureError unless the signature verifies
    (compared in constant time)."""
    if is_ping(headers=headers, body=body):
        raise WebhookPing("WooCommerce webhook ping")
    given = header(headers, "X-WC-Webhook-Signature").strip()
    if not secret or not given:
        raise WebhookSignatureError("Missing WooCommerce webhook signature")
    expected = webhook_signature(secret=secret, body=body)
    if not hmac.compare_digest(given.encode(), expected.encode()):
        raise WebhookSignatureError("Bad WooCommerce webhook signature")
