"""URL configuration: admin, REST API v1, OpenAPI schema and docs, health probes."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from config import health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("api/", include("inventory_app.api.urls")),
    path("api/v1/", include("inventory_app.api.purchasing.urls")),
    path("webhooks/channels/", include("channels_app.webhooks.urls")),
    path("api/v1/shipping/", include("shipping_app.api.urls")),
    path("api/v1/accounting/", include("accounting_app.api.urls")),
    path("webhooks/shipping/", include("shipping_app.webhooks_urls")),
    path("api/v1/", include("channels_app.api.urls")),
]
if settings.DEMO:  # the sandbox's buyer page (make run DEMO=1)
    urlpatterns.append(path("demo/", include("channels_app.demo.urls")))

handler404 = "config.errors.not_found"
