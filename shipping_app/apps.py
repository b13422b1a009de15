"""Shipping integrations: shipping apps and label purchase."""

from django.apps import AppConfig


class ShippingAppConfig(AppConfig):
    """App config of the shipping integrations."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "shipping_app"
    verbose_name = "Shipping"
