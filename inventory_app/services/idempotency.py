"""Idempotency keys bound to the request they were first used with."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction

from inventory_app.errors import IdempotencyKeyReused
from inventory_app.models import IdempotencyFingerprint


def request_fingerprint(*, data: Any) -> str:
    """SHA-256 of a request body in canonical JSON (sorted keys), so key order does not count."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), cls=DjangoJSONEncoder, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def idempotency_fingerprint_claim(*, key: str, fingerprint: str) -> None:
    """Bind ``key`` to ``fingerprint`` on first use; raise IdempotencyKeyReused when it is bound
    to another. Safe under concurrency: the key is unique, the loser reads the winner's row."""
    try:
        with transaction.atomic():
            record, created = IdempotencyFingerprint.objects.get_or_create(
                key=key, defaults={"fingerprint": fingerprint}
            )
    except IntegrityError:
        record, created = IdempotencyFingerprint.objects.get(key=key), False
    if not created and record.fingerprint != fingerprint:
        raise IdempotencyKeyReused(
            "This Idempotency-Key was already used with a different request body; use a new key."
        )
