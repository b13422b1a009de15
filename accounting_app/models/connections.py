"""Accounting connections (one Xero organisation or QuickBooks company), their OAuth tokens,
what they post, and how our figures map to the seller's chart of accounts.

Secrets (client secret, access and refresh tokens) are stored only encrypted
(``accounting_app.crypto``); reads and writes go through ``services.connections``.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class ConnectionStatus(models.TextChoices):
    """Where a connection is in its life."""

    NEW = "new", "Not connected yet"
    CONNECTED = "connected", "Connected"
    NEEDS_RECONNECT = "needs_reconnect", "Needs to be connected again"
    DISABLED = "disabled", "Disabled"


class SalesMode(models.TextChoices):
    """How sales are posted."""

    NONE = "none", "Do not post sales"
    INVOICE = "invoice", "One invoice per order"
    SALES_RECEIPT = "sales_receipt", "One sales receipt per order (QuickBooks)"
    DAILY_SUMMARY = "daily_summary", "One daily summary invoice per channel"


class CogsMode(models.TextChoices):
    """How the cost of goods sold is posted."""

    NONE = "none", "Do not post COGS"
    PER_ORDER = "per_order", "One journal per order"
    DAILY = "daily", "One journal per day"
    MONTHLY = "monthly", "One journal per month (once the month is over)"


class CustomerMode(models.TextChoices):
    """Which customer/contact a sale is posted against."""

    PER_CHANNEL = "per_channel", "One contact per channel (e.g. 'Shopify customers')"
    BY_EMAIL = "by_email", "Look the customer up by e-mail (created once)"


class AccountingConnection(models.Model):
    """One connected company in an accounting system, and what we post to it."""

    kind = models.CharField(max_length=32, help_text="Exporter kind: xero or quickbooks.")
    name = models.CharField(max_length=255)
    status = models.CharField(max_length=20, choices=ConnectionStatus.choices, default=ConnectionStatus.NEW)
    client_id = models.CharField(max_length=255)
    secrets_encrypted = models.TextField(blank=True, help_text="Client secret and tokens (encrypted).")
    access_expires_at = models.DateTimeField(null=True, blank=True)
    refresh_expires_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the refresh token stops working unless used.",
    )
    tenant_id = models.CharField(
        max_length=64, blank=True, help_text="Xero tenant id, or QuickBooks realm (company) id."
    )
    tenant_name = models.CharField(max_length=255, blank=True)
    # Vendor endpoints: empty means the vendor's production URLs (tests point them at fakes).
    api_base_url = models.URLField(blank=True)
    auth_base_url = models.URLField(blank=True, help_text="Authorisation page URL.")
    token_url = models.URLField(blank=True)
    oauth_state_hash = models.CharField(max_length=64, blank=True)
    oauth_state_expires_at = models.DateTimeField(null=True, blank=True)
    sales_mode = models.CharField(max_length=20, choices=SalesMode.choices, default=SalesMode.INVOICE)
    cogs_mode = models.CharField(max_length=20, choices=CogsMode.choices, default=CogsMode.PER_ORDER)
    customer_mode = models.CharField(
        max_length=20, choices=CustomerMode.choices, default=CustomerMode.PER_CHANNEL
    )
    post_purchases = models.BooleanField(default=True, help_text="A bill per purchase receipt.")
    post_adjustments = models.BooleanField(
        default=True, help_text="A daily journal of stock adjustments, counts and write-offs."
    )
    use_item_codes = models.BooleanField(
        default=False,
        help_text="Xero: sales lines carry the SKU code as an (untracked) Item, created once if missing.",
    )
    reference_prefix = models.CharField(
        max_length=6, default="SM", help_text="Starts every reference we write (look-up before create)."
    )
    export_from = models.DateField(help_text="Nothing dated before this day is posted.")
    exported_through = models.DateField(
        null=True, blank=True, help_text="The scheduled export has posted every day up to this one."
    )
    schedule_enabled = models.BooleanField(default=True)
    last_error = models.TextField(blank=True)
    # One export at a time (services.exports): a lease taken by one conditional UPDATE.
    export_leased_until = models.DateTimeField(null=True, blank=True, editable=False)
    export_leased_by = models.CharField(max_length=255, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.kind})"


class AccountRole(models.TextChoices):
    """What an external account (or QuickBooks item) is used for."""

    SALES_INCOME = "sales_income", "Sales income (QuickBooks: an item)"
    SHIPPING_INCOME = "shipping_income", "Shipping income (QuickBooks: an item)"
    DISCOUNTS = "discounts", "Discounts given"
    TAX = "tax", "Sales tax collected (QuickBooks: an item)"
    COGS = "cogs", "Cost of goods sold"
    INVENTORY_ASSET = "inventory_asset", "Inventory asset"
    INVENTORY_ADJUSTMENT = "inventory_adjustment", "Inventory adjustments / write-offs"
    ACCOUNTS_PAYABLE = "accounts_payable", "Accounts payable"
    DEPOSIT = "deposit", "Deposit / clearing account for sales receipts"


class AccountMapping(models.Model):
    """Role -> external account code (Xero) or id (QuickBooks), for all channels or one."""

    connection = models.ForeignKey(AccountingConnection, on_delete=models.CASCADE, related_name="mappings")
    role = models.CharField(max_length=32, choices=AccountRole.choices)
    channel = models.ForeignKey(
        "inventory_app.SalesChannel",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty: every channel without its own mapping.",
    )
    external_code = models.CharField(max_length=64)

    class Meta:
        ordering = ["connection_id", "role", "channel_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["connection", "role", "channel"], name="account_mapping_unique_per_channel"
            ),
            models.UniqueConstraint(
                fields=["connection", "role"],
                condition=Q(channel__isnull=True),
                name="account_mapping_unique_default",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.role}={self.external_code}"


class TaxKind(models.TextChoices):
    """Which side a tax code is used on."""

    SALES = "sales", "Sales"
    PURCHASES = "purchases", "Purchases"


class TaxMapping(models.Model):
    """The vendor tax type/code put on lines (Xero TaxType, QuickBooks TaxCodeRef)."""

    connection = models.ForeignKey(
        AccountingConnection, on_delete=models.CASCADE, related_name="tax_mappings"
    )
    kind = models.CharField(max_length=16, choices=TaxKind.choices)
    channel = models.ForeignKey(
        "inventory_app.SalesChannel", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    external_code = models.CharField(max_length=64)

    class Meta:
        ordering = ["connection_id", "kind", "channel_id"]
        constraints = [
            models.UniqueConstraint(fields=["connection", "kind", "channel"], name="tax_mapping_unique"),
            models.UniqueConstraint(
                fields=["connection", "kind"], condition=Q(channel__isnull=True), name="tax_mapping_default"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}={self.external_code}"


class ExternalContact(models.Model):
    """A contact/customer/vendor we found or created in the accounting system, by our key.

    Keys: ``channel:<id>`` (one contact per channel), ``email:<address>``, ``supplier:<id>``.
    """

    connection = models.ForeignKey(AccountingConnection, on_delete=models.CASCADE, related_name="contacts")
    key = models.CharField(max_length=320)
    name = models.CharField(max_length=255)
    external_id = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["connection_id", "key"]
        constraints = [
            models.UniqueConstraint(fields=["connection", "key"], name="external_contact_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.key} -> {self.external_id}"
