"""REST API routes: version 1 under ``api/v1/``, the OpenAPI schema, Swagger UI and Redoc under ``api/``."""

from __future__ import annotations

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.permissions import AllowAny
from rest_framework.routers import DefaultRouter

from inventory_app.api import schema  # noqa: F401 - registers the token scheme with drf-spectacular
from inventory_app.api.bulk import OrderBulkView, StockBulkView
from inventory_app.api.catalog import LocationViewSet, ProductViewSet, SKUViewSet
from inventory_app.api.docs import RedocDocsView, SwaggerDocsView
from inventory_app.api.events import EventListView, WebhookDeliveryViewSet, WebhookEndpointViewSet
from inventory_app.api.imports import CatalogImportView, ImportJobViewSet
from inventory_app.api.index import ApiIndexView
from inventory_app.api.orders import OrderViewSet, SalesChannelViewSet
from inventory_app.api.problems import ProblemTypeView
from inventory_app.api.stock import (
    AvailabilityView,
    StockActionViewSet,
    StockLevelViewSet,
    StockMovementViewSet,
    StockOperationViewSet,
)
from inventory_app.api.tokens import ApiTokenViewSet

router = DefaultRouter()
router.include_root_view = False
router.trailing_slash = "/?"  # /api/v1/stock/receive and /api/v1/stock/receive/ both work
router.register("products", ProductViewSet, basename="product")
router.register("skus", SKUViewSet, basename="sku")
router.register("locations", LocationViewSet, basename="location")
router.register("levels", StockLevelViewSet, basename="level")
router.register("movements", StockMovementViewSet, basename="movement")
router.register("operations", StockOperationViewSet, basename="operation")
router.register("stock", StockActionViewSet, basename="stock")
router.register("orders", OrderViewSet, basename="order")
router.register("channels", SalesChannelViewSet, basename="channel")
router.register("tokens", ApiTokenViewSet, basename="token")
router.register("imports/jobs", ImportJobViewSet, basename="import-job")
router.register("webhook-endpoints", WebhookEndpointViewSet, basename="webhook-endpoint")
router.register("webhook-deliveries", WebhookDeliveryViewSet, basename="webhook-delivery")

v1 = [
    path("", ApiIndexView.as_view(), name="index"),
    re_path(r"^availability/?$", AvailabilityView.as_view(), name="availability"),
    re_path(r"^stock/bulk/?$", StockBulkView.as_view(), name="stock-bulk"),
    re_path(r"^orders/bulk/?$", OrderBulkView.as_view(), name="order-bulk"),
    re_path(r"^events/?$", EventListView.as_view(), name="events"),
    re_path(r"^imports/catalog/?$", CatalogImportView.as_view(), name="import-catalog"),
    *router.urls,
]

urlpatterns = [
    path("v1/", include((v1, "api-v1"), namespace="api-v1")),
    path("schema/", SpectacularAPIView.as_view(permission_classes=[AllowAny]), name="api-schema"),
    path("docs/", SwaggerDocsView.as_view(url_name="api-schema"), name="api-docs"),
    path("redoc/", RedocDocsView.as_view(url_name="api-schema"), name="api-redoc"),
    path("problems/<slug:code>", ProblemTypeView.as_view(), name="api-problem"),
]
