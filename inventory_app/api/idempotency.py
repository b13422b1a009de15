"""The ``Idempotency-Key`` request header: read, scope per user and endpoint, answer replays.

A key is scoped to the user and the kind of request, so one client's key can never replay another
client's operation, nor a receipt answer a transfer. The first call answers 201; a repeat with the
same key and body answers 200 with the first result and ``Idempotent-Replayed: true``; the same key
with another body answers 422 (IETF idempotency-key draft), changing nothing.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers, status
from rest_framework.request import Request

from inventory_app.services.idempotency import idempotency_fingerprint_claim, request_fingerprint

HEADER = "Idempotency-Key"
REPLAY_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 128

IDEMPOTENCY_PARAMETER = OpenApiParameter(
    name=HEADER,
    type=OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        "Any unique string (e.g. a UUID) up to 128 characters. Repeating a request with the same key "
        "applies it once: the repeat answers 200 with the first result and Idempotent-Replayed: true. "
        "The same key with another request body answers 422."
    ),
)


def idempotency_key_scoped(*, request: Request, scope: str) -> str | None:
    """The request's idempotency key scoped to its user and ``scope``; None without the header.

    The key is bound to the request body on first use: another body raises IdempotencyKeyReused.
    """
    raw = request.headers.get(HEADER, "").strip()
    if not raw:
        return None
    if len(raw) > MAX_KEY_LENGTH or not raw.isprintable():
        raise serializers.ValidationError({HEADER: [f"At most {MAX_KEY_LENGTH} printable characters."]})
    key = f"api:{request.user.pk}:{scope}:{raw}"
    idempotency_fingerprint_claim(key=key, fingerprint=request_fingerprint(data=request.data))
    return key


def replay_status_headers(*, replayed: bool) -> tuple[int, dict[str, str]]:
    """HTTP status and headers for a (possibly replayed) write."""
    if replayed:
        return status.HTTP_200_OK, {REPLAY_HEADER: "true"}
    return status.HTTP_201_CREATED, {REPLAY_HEADER: "false"}
