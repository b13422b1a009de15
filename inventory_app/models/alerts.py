"""Alerts staff are told about by e-mail: one row per condition currently true."""

from __future__ import annotations

from django.db import models


class AlertState(models.Model):
    """A condition seen by the alert check (a failing channel, oversold orders, low stock).

    ``first_seen_at`` is kept while the condition lasts (a sync failure is mailed only once it
    has persisted); ``sent_at`` marks it mailed. The row goes when the condition clears.
    """

    key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=32)
    text = models.TextField()
    first_seen_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["kind", "key"]

    def __str__(self) -> str:
        return self.key
