"""Webhook routes: mounted under webhooks/channels/ by config/urls.py."""

from django.urls import path

from channels_app.webhooks.views import channel_webhook

app_name = "channels_webhooks"
urlpatterns = [path("<str:token>/", channel_webhook, name="receive")]
