"""The request an API idempotency key was first used with, and the answer it got."""

from __future__ import annotations

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models


class IdempotencyFingerprint(models.Model):
    """One scoped ``Idempotency-Key``: the SHA-256 of the request body it was first sent with, a
    hash per field of that body (to say what differs when the key comes back with another body)
    and the answer given (replayed to a repeat of the same request).

    A later request with the key but another body is refused (422), as the IETF
    idempotency-key draft asks, instead of being answered with the first result.
    """

    key = models.CharField(max_length=255, unique=True)
    fingerprint = models.CharField(max_length=64)
    field_hashes = models.JSONField(default=dict, blank=True, help_text="Body path -> SHA-256 prefix")
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.key
