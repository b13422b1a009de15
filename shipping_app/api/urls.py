"""Routes of the shipping API (mounted at /api/v1/shipping/)."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from .views import (
    AccountViewSet,
    OrderExportView,
    OrderRatesView,
    OrderShippingCostView,
    ShipmentViewSet,
)

app_name = "shipping_api"
router = DefaultRouter()
router.register("accounts", AccountViewSet, basename="account")
router.register("shipments", ShipmentViewSet, basename="shipment")
urlpatterns = [
    path("orders/<int:order_id>/rates/", OrderRatesView.as_view(), name="order-rates"),
    path("orders/<int:order_id>/export/", OrderExportView.as_view(), name="order-export"),
    path("orders/<int:order_id>/shipping-cost/", OrderShippingCostView.as_view(), name="order-shipping-cost"),
    *router.urls,
]
