"""Admin of costing: the company's costing settings (through the costing service) and, read-only,
the FIFO layers, their consumptions and the moving-average pools the ledger keeps.
"""

from __future__ import annotations

from django.contrib import admin

from inventory_app.admin.base import ReadOnlyAdmin, ServiceSaveAdmin, changed_fields
from inventory_app.models import AverageCost, CostingSettings, CostLayer, LayerConsumption
from inventory_app.selectors.costing import costing_settings_get
from inventory_app.services.costing import costing_settings_update


@admin.register(CostingSettings)
class CostingSettingsAdmin(ServiceSaveAdmin):
    """The single costing settings row; the method can change only before stock is valued."""

    list_display = ("__str__", "method", "currency", "updated_at")
    fields = ("method", "currency", "updated_at")
    readonly_fields = ("updated_at",)

    def has_add_permission(self, request):
        return False  # the one row is created on first use

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        costing_settings_get()  # make sure the single row exists
        return super().changelist_view(request, extra_context)

    def service_save(self, request, obj, form, change):
        costing_settings_update(**changed_fields(form, ("method", "currency")))


@admin.register(CostLayer)
class CostLayerAdmin(ReadOnlyAdmin):
    """FIFO cost layers: one per inbound movement, consumed oldest first."""

    list_display = (
        "id",
        "sku",
        "location",
        "quantity_received",
        "quantity_remaining",
        "unit_cost",
        "value_remaining",
        "created_at",
    )
    list_filter = (("location", admin.RelatedOnlyFieldListFilter),)
    search_fields = ("sku__code", "sku__name")
    list_select_related = ("sku", "location")


@admin.register(LayerConsumption)
class LayerConsumptionAdmin(ReadOnlyAdmin):
    """Which layers each outbound movement consumed."""

    list_display = ("id", "movement", "layer", "quantity", "value", "created_at")
    search_fields = ("layer__sku__code",)
    list_select_related = ("movement", "layer")


@admin.register(AverageCost)
class AverageCostAdmin(ReadOnlyAdmin):
    """Moving weighted-average pools per SKU and location."""

    list_display = ("sku", "location", "quantity", "value", "last_unit_cost", "updated_at")
    list_filter = (("location", admin.RelatedOnlyFieldListFilter),)
    search_fields = ("sku__code", "sku__name")
    list_select_related = ("sku", "location")
