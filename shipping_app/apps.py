"""Shipping integrations: shipping apps and label purchase."""

from importlib import import_module

from django.apps import AppConfig
from django.conf import settings


class ShippingAppConfig(AppConfig):
    """App config of the shipping integrations: loads the provider modules (registry)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "shipping_app"
    verbose_name = "Shipping"

    def ready(self) -> None:
        for module in settings.SHIPPING_PROVIDER_MODULES:
            import_module(module)
        import_module("shipping_app.tasks")  # registered by name in every process (task_enqueue)
