"""The core app: catalog, locations, the stock ledger, orders (and later purchasing, costing)."""

from django.apps import AppConfig


class InventoryAppConfig(AppConfig):
    """App config of the stock master core."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "inventory_app"
    verbose_name = "Stock master"
