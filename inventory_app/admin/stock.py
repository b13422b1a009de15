"""Admin of stock figures and the ledger: everything here is read-only.

Stock levels change only through the ledger service (use a SKU's "Stock operations" page);
operations and movements are the append-only ledger and are never added, changed or deleted.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, F, OuterRef, Subquery
from django.urls import reverse
from django.utils.html import format_html

from inventory_app.admin.base import ReadOnlyAdmin
from inventory_app.admin.paging import EstimatedCountPaginator
from inventory_app.models import StockLevel, StockMovement, StockOperation

MOVEMENT_FIELDS = (
    "sku",
    "location",
    "reason",
    "on_hand_delta",
    "committed_delta",
    "on_hand_after",
    "committed_after",
    "unit_cost",
    "value_delta",
    "order_line",
    "created_at",
)


@admin.register(StockLevel)
class StockLevelAdmin(ReadOnlyAdmin):
    """Current on hand / committed / available per SKU and location."""

    list_display = (
        "sku_code",
        "sku_name",
        "location",
        "on_hand",
        "committed",
        "available",
        "allow_backorder",
        "updated_at",
        "operations",
    )
    list_filter = (
        ("location", admin.RelatedOnlyFieldListFilter),
        "location__is_sellable",
        "allow_backorder",
        "sku__is_active",
    )
    search_fields = ("sku__code", "sku__barcode", "sku__name", "location__code")
    list_select_related = ("sku", "location")
    fields = ("sku", "location", "on_hand", "committed", "available", "allow_backorder", "updated_at")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(available_units=F("on_hand") - F("committed"))

    @admin.display(description="SKU", ordering="sku__code")
    def sku_code(self, obj: StockLevel) -> str:
        return obj.sku.code

    @admin.display(description="Name", ordering="sku__name")
    def sku_name(self, obj: StockLevel) -> str:
        return obj.sku.name

    @admin.display(description="Available", ordering="available_units")
    def available(self, obj: StockLevel) -> int:
        return obj.available

    @admin.display(description="Stock operations")
    def operations(self, obj: StockLevel) -> str:
        url = reverse("admin:inventory_app_sku_stock", args=[obj.sku_id])
        return format_html('<a href="{}?location={}">adjust / count / transfer</a>', url, obj.location_id)


class StockMovementInline(admin.TabularInline):
    """The movements of one operation."""

    model = StockMovement
    fields = MOVEMENT_FIELDS
    readonly_fields = MOVEMENT_FIELDS
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return True


@admin.register(StockOperation)
class StockOperationAdmin(ReadOnlyAdmin):
    """One ledger call each: why, who, reference, and its movements."""

    list_display = ("id", "created_at", "reason", "reason_detail", "reference", "user", "movement_count")
    # A date filter, not a date hierarchy (its DISTINCT month scan of the table costs seconds at
    # a million rows); the free-text detail is searched, not listed as DISTINCT filter values.
    list_filter = ("reason", "created_at")
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    search_fields = ("reference", "reason_detail", "note", "idempotency_key", "movements__sku__code")
    list_select_related = ("user",)
    fields = ("uid", "reason", "reason_detail", "reference", "note", "user", "idempotency_key", "created_at")
    readonly_fields = fields
    inlines = [StockMovementInline]

    def get_queryset(self, request):
        # A correlated count: computed for the page's rows only (a join + GROUP BY would count all).
        per_operation = (
            StockMovement.objects.filter(operation=OuterRef("pk"))
            .order_by()
            .values("operation")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return super().get_queryset(request).annotate(movement_total=Subquery(per_operation))

    @admin.display(description="Movements", ordering="movement_total")
    def movement_count(self, obj: StockOperation) -> int:
        return obj.movement_total


@admin.register(StockMovement)
class StockMovementAdmin(ReadOnlyAdmin):
    """The append-only stock ledger."""

    list_display = ("id", "operation", *MOVEMENT_FIELDS)
    list_filter = ("reason", "location")
    search_fields = ("sku__code", "sku__barcode", "sku__name", "operation__reference")
    list_select_related = ("operation", "sku", "location", "order_line")
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    fields = ("operation", *MOVEMENT_FIELDS)
    readonly_fields = fields
