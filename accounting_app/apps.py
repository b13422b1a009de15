"""Accounting integrations: sales, COGS, bills and adjustments posted to Xero and QuickBooks."""

from importlib import import_module

from django.apps import AppConfig
from django.conf import settings


class AccountingAppConfig(AppConfig):
    """App config of the accounting integrations: imports (and so registers) the exporters."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "accounting_app"
    verbose_name = "Accounting"

    def ready(self) -> None:
        for module in settings.ACCOUNTING_EXPORTER_MODULES:
            import_module(module)
        import_module("accounting_app.tasks")  # registered by name in every process (task_enqueue)
        from accounting_app.selectors.credentials import accounting_credentials_expiry
        from inventory_app.hooks import credentials_provider_register

        credentials_provider_register(accounting_credentials_expiry)
