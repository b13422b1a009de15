"""Shipping accounts: one connection to one shipping app or label service."""

from __future__ import annotations

import secrets

from django.db import models


def _webhook_token() -> str:
    return secrets.token_urlsafe(24)


class ShippingAccount(models.Model):
    """A connection to one ShipStation, ShippingEasy or Shippo account.

    ``provider`` is the registry key of its provider class. ``credentials_encrypted`` holds the
    provider's credentials as Fernet ciphertext (``shipping_app.crypto``); it is never shown in the
    admin or the API. ``options`` holds non-secret settings (ship-from address, default parcel,
    store id, rate rule). ``webhook_token`` makes the account's webhook URL unguessable.
    ``shipments_synced_at`` is the poll cursor: every shipment created at the vendor before it has
    been taken in.
    """

    provider = models.CharField(max_length=32, help_text="Provider registry key")
    name = models.CharField(max_length=255)
    base_url = models.URLField(max_length=500, help_text="The vendor's API root")
    credentials_encrypted = models.TextField(blank=True, editable=False)
    options = models.JSONField(default=dict, blank=True, help_text="Non-secret provider options")
    enabled = models.BooleanField(default=True)
    export_orders = models.BooleanField(default=True, help_text="Send open orders to this shipping app")
    sales_channels = models.ManyToManyField(
        "inventory_app.SalesChannel",
        blank=True,
        related_name="+",
        help_text="Orders of these channels are exported (none: every channel)",
    )
    webhook_token = models.CharField(max_length=64, unique=True, default=_webhook_token, editable=False)
    shipments_synced_at = models.DateTimeField(null=True, blank=True)
    last_poll_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.provider})"
