"""Webhook routes: mounted under webhooks/channels/ by config/urls.py."""

from django.urls import path

from channels_app.webhooks.ebay import ebay_account_deletion, ebay_notifications
from channels_app.webhooks.views import channel_webhook

app_name = "channels_webhooks"
urlpatterns = [
    path("ebay/account-deletion/", ebay_account_deletion, name="ebay_account_deletion"),
    path("ebay/<str:token>/", ebay_notifications, name="ebay_notifications"),
    path("<str:token>/", channel_webhook, name="receive"),
]
