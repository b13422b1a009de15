"""Routes of purchasing, returns, reorder and cost reports, mounted under ``/api/v1/``."""

from __future__ import annotations

from django.urls import re_path
from rest_framework.routers import DefaultRouter

from inventory_app.api.purchasing.purchasing import PurchaseOrderViewSet, ReceiptViewSet, SupplierViewSet
from inventory_app.api.purchasing.reports import (
    CogsReportView,
    IncomingView,
    OrderCogsView,
    ReorderRuleViewSet,
    ReorderSuggestionView,
    ValuationReportView,
)
from inventory_app.api.purchasing.returns import ReturnAuthorizationViewSet

app_name = "api-purchasing"

router = DefaultRouter()
router.include_root_view = False
router.trailing_slash = "/?"
router.register("suppliers", SupplierViewSet, basename="supplier")
router.register("purchase-orders", PurchaseOrderViewSet, basename="purchase-order")
router.register("receipts", ReceiptViewSet, basename="receipt")
router.register("returns", ReturnAuthorizationViewSet, basename="return")
router.register("reorder-rules", ReorderRuleViewSet, basename="reorder-rule")

urlpatterns = [
    re_path(r"^reorder-suggestions/?$", ReorderSuggestionView.as_view(), name="reorder-suggestions"),
    re_path(r"^incoming/?$", IncomingView.as_view(), name="incoming"),
    re_path(r"^reports/valuation/?$", ValuationReportView.as_view(), name="report-valuation"),
    re_path(r"^reports/cogs/?$", CogsReportView.as_view(), name="report-cogs"),
    re_path(r"^reports/orders/(?P<pk>\d+)/cogs/?$", OrderCogsView.as_view(), name="report-order-cogs"),
    *router.urls,
]
