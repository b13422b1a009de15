"""The expiring access token of an account (OAuth grants), shared by every worker process."""

from __future__ import annotations

from django.db import models


class ChannelToken(models.Model):
    """An account's current access token (and rotating refresh token), encrypted at rest.

    ``secrets_encrypted`` is Fernet ciphertext (``channels_app.crypto``) of the access and refresh
    tokens; ``version`` grows by one at every renewal and guards the compare-and-swap that
    replaces them. ``renewing_until``/``renewing_by`` is the lease of the one worker renewing it
    now (epoch seconds, wall clock); ``expires_at`` is on the token clock. ``reconnect_reason``
    set means the channel refused the grant and staff must reconnect the account.
    """

    account = models.OneToOneField(
        "channels_app.ChannelAccount", on_delete=models.CASCADE, related_name="token"
    )
    secrets_encrypted = models.TextField(blank=True, editable=False)
    expires_at = models.FloatField(null=True, blank=True, help_text="Epoch seconds; empty: never")
    refresh_expires_at = models.FloatField(null=True, blank=True)
    scope = models.CharField(max_length=1000, blank=True)
    version = models.PositiveBigIntegerField(default=0)
    renewing_until = models.FloatField(null=True, blank=True)
    renewing_by = models.CharField(max_length=255, blank=True)
    reconnect_reason = models.TextField(blank=True)
    renewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["account_id"]

    def __str__(self) -> str:
        return f"token of account {self.account_id} v{self.version}"
