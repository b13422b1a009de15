"""Idempotency keys bound to the request they were first used with, and the answer it got."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.core.files import File
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction

from inventory_app.errors import IdempotencyKeyReused
from inventory_app.models import IdempotencyFingerprint

MAX_DIFFERENCES = 50
HASH_PREFIX = 16


def _plain(value: Any) -> Any:
    """A JSON-friendly stand-in: uploaded files and raw bytes count by their content's hash."""
    if isinstance(value, File):
        digest = hashlib.sha256()
        for chunk in value.chunks():
            digest.update(chunk)
        value.seek(0)
        return {"sha256": digest.hexdigest()}
    if isinstance(value, bytes | bytearray):
        return {"sha256": hashlib.sha256(value).hexdigest()}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "lists") and hasattr(value, "getlist"):  # a QueryDict of a form body
        return {k: _plain(v[0] if len(v) == 1 else v) for k, v in value.lists()}
    return value


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), cls=DjangoJSONEncoder, default=str)


def request_fingerprint(*, data: Any) -> str:
    """SHA-256 of a request body in canonical JSON (sorted keys), so key order does not count."""
    return hashlib.sha256(_canonical(_plain(data)).encode()).hexdigest()


def request_field_hashes(*, data: Any) -> dict[str, str]:
    """A short SHA-256 of every leaf of a request body by path (``lines[0].quantity``): enough to
    say which fields of a later body differ without keeping (or echoing) their values."""
    hashes: dict[str, str] = {}

    def walk(value: Any, path: str) -> None:
        if isinstance(value, dict) and value:
            for key, item in value.items():
                walk(item, f"{path}.{key}" if path else str(key))
        elif isinstance(value, list) and value:
            for index, item in enumerate(value):
                walk(item, f"{path}[{index}]")
        else:
            hashes[path or "$"] = hashlib.sha256(_canonical(value).encode()).hexdigest()[:HASH_PREFIX]

    walk(_plain(data), "")
    return hashes


def request_differences(*, first: dict[str, str], sent: dict[str, str]) -> list[dict[str, str | None]]:
    """The paths whose value differs between two bodies' field hashes (at most 50), with both hashes
    (None where the path is absent)."""
    paths = sorted(p for p in first.keys() | sent.keys() if first.get(p) != sent.get(p))
    return [{"path": p, "first": first.get(p), "sent": sent.get(p)} for p in paths[:MAX_DIFFERENCES]]


def idempotency_key_claim(*, key: str, data: Any) -> IdempotencyFingerprint:
    """Bind ``key`` to the request body ``data`` on first use and return its record (with the
    stored answer, once there is one). Raise IdempotencyKeyReused, with the differing fields, when
    the key is bound to another body. Concurrent first uses serialise on the key's unique index."""
    fingerprint, hashes = request_fingerprint(data=data), request_field_hashes(data=data)
    try:
        with transaction.atomic():
            record, created = IdempotencyFingerprint.objects.get_or_create(
                key=key, defaults={"fingerprint": fingerprint, "field_hashes": hashes}
            )
    except IntegrityError:
        record, created = IdempotencyFingerprint.objects.get(key=key), False
    if not created and record.fingerprint != fingerprint:
        raise IdempotencyKeyReused(
            "This Idempotency-Key was already used with a different request body; use a new key.",
            differences=request_differences(first=record.field_hashes, sent=hashes),
        )
    return record


def idempotency_response_store(*, record: IdempotencyFingerprint, status: int, body: Any) -> None:
    """Keep the answer to the key's first request, for its replays."""
    record.response_status, record.response_body = status, body
    record.save(update_fields=["response_status", "response_body"])
