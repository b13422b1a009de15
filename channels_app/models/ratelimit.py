"""Database-backed token buckets: the shared rate limiter when no Redis is configured."""

from __future__ import annotations

from django.db import models


class RateLimitBucket(models.Model):
    """Tokens left in one bucket and when they were counted; updated under a row lock."""

    key = models.CharField(max_length=200, unique=True)
    tokens = models.FloatField()
    updated_at = models.FloatField(help_text="Epoch seconds of the last refill")

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return f"{self.key}: {self.tokens:.2f}"
