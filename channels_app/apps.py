"""Sales channel integrations: channel accounts, listings, order intake, quantity push."""

from django.apps import AppConfig


class ChannelsAppConfig(AppConfig):
    """App config of the channel integrations."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "channels_app"
    verbose_name = "Sales channels"
