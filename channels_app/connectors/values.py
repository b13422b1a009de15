"""Typed values out of channel payloads: a quantity is a whole number, or the payload is refused."""

from __future__ import annotations

from typing import Any

from channels_app.connectors.errors import WebhookPayloadError

MAX_UNITS = 1_000_000


def whole_number(value: Any, *, what: str = "quantity", maximum: int = MAX_UNITS) -> int:
    """``value`` as an int from 0 to ``maximum``: a JSON integer (or 2.0), or a string of ASCII
    digits. 1.5, "1.5", other scripts' digits, true and anything else raise WebhookPayloadError:
    a quantity is never truncated."""
    if isinstance(value, bool):
        raise WebhookPayloadError(f"The {what} {value!r} is not a whole number")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int):
        raise WebhookPayloadError(f"The {what} {value!r} is not a whole number")
    if not 0 <= value <= maximum:
        raise WebhookPayloadError(f"The {what} {value} is out of range (0 to {maximum:,})")
    return value
