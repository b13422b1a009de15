"""The request an API idempotency key was first used with (its fingerprint)."""

from __future__ import annotations

from django.db import models


class IdempotencyFingerprint(models.Model):
    """One scoped ``Idempotency-Key`` and the SHA-256 of the request body it was first sent with.

    A later request with the key but another body is refused (422), as the IETF
    idempotency-key draft asks, instead of being answered with the first result.
    """

    key = models.CharField(max_length=255, unique=True)
    fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.key
