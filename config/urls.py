"""URL configuration: "/" to the admin dashboard, admin, REST API v1, OpenAPI schema and docs, probes."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from config import health
from inventory_app.admin import attention, counting, receiving, return_pages
from inventory_app.admin.dashboard import dashboard_view

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False), name="home"),
    path("admin/", admin.site.admin_view(dashboard_view), name="dashboard"),  # before the stock index
    *attention.urlpatterns,
    *receiving.urlpatterns,
    *return_pages.urlpatterns,
    *counting.urlpatterns,
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
