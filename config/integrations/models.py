"""The abstract vendor account: what every connection to a vendor (a sales channel, a shipping
service) stores, whatever the app.

Each concrete model adds the registry key of its vendor class under its own field name
(``ChannelAccount.kind``, ``ShippingAccount.provider``; :attr:`VendorAccount.kind_field` names
it) and its own fields. Fields a concrete model declares again (help text) keep their column.
"""

from __future__ import annotations

import secrets
from typing import ClassVar

from django.db import models


def webhook_token_new() -> str:
    """A fresh unguessable webhook token (the per-account webhook URL's secret part)."""
    return secrets.token_urlsafe(24)


class VendorAccount(models.Model):
    """One connection to one vendor account.

    ``credentials_encrypted`` holds the vendor's credentials as Fernet ciphertext (the app's
    ``crypto`` module, on :mod:`config.integrations.crypto`); it is never shown in the admin or
    the API. ``options`` holds non-secret settings. ``webhook_token`` makes the account's webhook
    URL unguessable (:mod:`config.integrations.webhooks` looks accounts up by it).
    """

    kind_field: ClassVar[str] = "kind"

    name = models.CharField(max_length=255)
    base_url = models.URLField(max_length=500, help_text="The vendor's API root")
    credentials_encrypted = models.TextField(blank=True, editable=False)
    options = models.JSONField(default=dict, blank=True, help_text="Non-secret options")
    enabled = models.BooleanField(default=True)
    webhook_token = models.CharField(max_length=64, unique=True, default=webhook_token_new, editable=False)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering: ClassVar[list[str]] = ["name", "pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.vendor_kind})"

    @property
    def vendor_kind(self) -> str:
        """The registry key of this account's vendor class, whatever the concrete field is called."""
        return getattr(self, self.kind_field)
