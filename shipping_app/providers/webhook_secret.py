"""The shared-secret check for vendors whose webhooks carry no signature (ShipStation V1, Shippo)."""

from __future__ import annotations

import hmac
from collections.abc import Mapping

from shipping_app.providers.base import WebhookSignatureError


def webhook_secret_check(*, expected: str, query: Mapping[str, str]) -> None:
    """Require ``?secret=<expected>`` (constant-time compare) when the account has a webhook secret."""
    if not expected:
        return
    supplied = query.get("secret", "")
    if not supplied or not hmac.compare_digest(supplied.encode(), expected.encode()):
        raise WebhookSignatureError("Missing or wrong webhook secret")
