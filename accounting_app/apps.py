"""Accounting integrations: sales and COGS journals to Xero and QuickBooks Online."""

from django.apps import AppConfig


class AccountingAppConfig(AppConfig):
    """App config of the accounting integrations."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "accounting_app"
    verbose_name = "Accounting"
