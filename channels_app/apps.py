"""Sales channel integrations: channel accounts, listings, order intake, quantity push."""

from importlib import import_module

from django.apps import AppConfig
from django.conf import settings


class ChannelsAppConfig(AppConfig):
    """App config of the channel integrations: loads connectors, subscribes to the core's hooks
    (availability, shipments, cancellations made here)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "channels_app"
    verbose_name = "Sales channels"

    def ready(self) -> None:
        from channels_app.logs import rescue_log_filter_install
        from channels_app.order_reports.pushes import order_cancelled_listener, shipment_recorded_listener
        from channels_app.push.outbox import availability_changed_listener
        from channels_app.selectors.credentials import channel_credentials_expiry
        from channels_app.selectors.dashboard import channel_health_rows
        from inventory_app.dashboard_hooks import channel_health_provider_register
        from inventory_app.hooks import (
            availability_listener_register,
            credentials_provider_register,
            order_cancel_listener_register,
            shipment_listener_register,
        )

        for module in settings.CHANNELS_CONNECTOR_MODULES:
            import_module(module)
        import_module("channels_app.tasks")  # every flow's tasks, registered by name in every process
        availability_listener_register(availability_changed_listener)
        shipment_listener_register(shipment_recorded_listener)
        order_cancel_listener_register(order_cancelled_listener)
        channel_health_provider_register(channel_health_rows)
        credentials_provider_register(channel_credentials_expiry)
        rescue_log_filter_install()
