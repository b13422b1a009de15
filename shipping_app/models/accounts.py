"""Shipping accounts: one connection to one shipping app or label service."""

from __future__ import annotations

from django.db import models

from config.integrations.models import VendorAccount, webhook_token_new

# The default of webhook_token in the app's first migration.
_webhook_token = webhook_token_new


class ShippingAccount(VendorAccount):
    """A connection to one ShipStation, ShippingEasy or Shippo account.

    ``provider`` is the registry key of its provider class. The shared fields (name, base_url,
    credentials, options, enabled, webhook token, last error) come from
    :class:`config.integrations.models.VendorAccount`; ``options`` holds the ship-from address,
    default parcel, store id and rate rule.
    ``shipments_synced_at`` is the poll cursor: every shipment created at the vendor before it has
    been taken in.
    """

    provider = models.CharField(max_length=32, help_text="Provider registry key")
    base_url = models.URLField(max_length=500, help_text="The vendor's API root")
    options = models.JSONField(default=dict, blank=True, help_text="Non-secret provider options")
    export_orders = models.BooleanField(default=True, help_text="Send open orders to this shipping app")
    sales_channels = models.ManyToManyField(
        "inventory_app.SalesChannel",
        blank=True,
        related_name="+",
        help_text="Orders of these channels are exported (none: every channel)",
    )
    shipments_synced_at = models.DateTimeField(null=True, blank=True)
    last_poll_at = models.DateTimeField(null=True, blank=True)

    kind_field = "provider"

    class Meta(VendorAccount.Meta):
        pass
