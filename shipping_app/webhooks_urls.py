"""Webhook routes: mounted under webhooks/shipping/ by config/urls.py."""

from django.urls import path

from shipping_app.webhooks_views import shipping_webhook

app_name = "shipping_webhooks"
urlpatterns = [path("<str:token>/", shipping_webhook, name="receive")]
