"""Admin of the catalog: products, SKUs (with kits, stock per location, stock operations), locations."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Prefetch
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from inventory_app.admin.base import (
    Refused,
    RoleAdmin,
    ServiceSaveAdmin,
    changed_fields,
    model_fields,
    refusal_text,
    role_allows,
)
from inventory_app.admin.filters import StockStateFilter
from inventory_app.admin.paging import EstimatedCountPaginator
from inventory_app.admin.sku_views import sku_import_view, sku_stock_view
from inventory_app.errors import StockError
from inventory_app.models import SKU, KitComponent, Location, Product, StockLevel
from inventory_app.selectors.availability import sku_available_to_sell
from inventory_app.selectors.dashboard import skus_with_stock_figures
from inventory_app.services import catalog

PRODUCT_FIELDS = ("name", "description", "brand")
LOCATION_FIELDS = ("code", "name", "is_sellable", "is_active", "priority", "address")


class SKUInline(admin.TabularInline):
    """The product's SKUs, read-only here: a SKU is edited on its own page (through the services)."""

    model = SKU
    fields = ("code", "name", "barcode", "is_kit", "backorder_policy", "is_active")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Product)
class ProductAdmin(ServiceSaveAdmin):
    """Products with their SKUs."""

    list_display = ("name", "brand", "sku_count", "updated_at")
    search_fields = ("name", "brand", "skus__code")
    inlines = [SKUInline]

    @admin.display(description="SKUs")
    def sku_count(self, obj: Product) -> int:
        return len(obj.skus.all())

    def get_queryset(self, request):
        return (
            super().get_queryset(request).prefetch_related(Prefetch("skus", queryset=SKU.objects.only("pk")))
        )

    def service_save(self, request, obj, form, change):
        if not change:
            obj.pk = catalog.product_create(**model_fields(form, PRODUCT_FIELDS)).pk
        elif changes := changed_fields(form, PRODUCT_FIELDS):
            catalog.product_update(product=obj, **changes)


class KitComponentInline(admin.TabularInline):
    """Components of a kit; saved through ``kit_component_set`` (which refuses cycles)."""

    model = KitComponent
    fk_name = "kit"
    fields = ("component", "quantity")
    autocomplete_fields = ("component",)
    extra = 0

    def _editable(self, request, obj):
        return role_allows(request, "manager") or request.user.has_perm("inventory_app.change_sku")

    def has_add_permission(self, request, obj=None):
        return self._editable(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(request, obj)

    def has_view_permission(self, request, obj=None):
        return True


def _levels_prefetch() -> Prefetch:
    return Prefetch(
        "levels", queryset=StockLevel.objects.select_related("location").order_by("location__priority", "pk")
    )


@admin.register(SKU)
class SKUAdmin(ServiceSaveAdmin):
    """SKUs: search, filters, kit components, stock per location, stock operations and CSV import.

    The changelist costs a fixed number of queries whatever the page size: levels are prefetched
    and available-to-sell is computed for the whole page by one selector call.
    """

    list_display = (
        "code",
        "name",
        "on_hand",
        "committed",
        "available_to_sell",
        "incoming",
        "stock_by_location",
        "is_kit",
        "product",
        "barcode",
        "backorder_policy",
        "is_active",
    )
    list_filter = (
        StockStateFilter,
        "is_active",
        "is_kit",
        "backorder_policy",
        ("product", admin.RelatedOnlyFieldListFilter),
    )
    search_fields = ("code", "barcode", "name")
    list_select_related = ("product",)
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    autocomplete_fields = ("product",)
    inlines = [KitComponentInline]
    readonly_fields = ("stock_table", "available_to_sell", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("code", "name", "product", "barcode", "is_active")}),
        (
            "Selling",
            {"fields": ("backorder_policy", "is_kit", "default_unit_cost", "weight_grams", "attributes")},
        ),
        ("Stock", {"fields": ("stock_table", "available_to_sell", "created_at", "updated_at")}),
    )
    change_list_template = "admin/inventory_app/sku/change_list.html"

    def get_queryset(self, request):
        return skus_with_stock_figures(super().get_queryset(request).prefetch_related(_levels_prefetch()))

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        page = list(changelist.result_list)
        available = sku_available_to_sell(sku_ids=[sku.pk for sku in page])
        for sku in page:
            sku.available_units = available.get(sku.pk, 0)
        changelist.result_list = page
        return changelist

    def get_urls(self):
        urls = [
            # The catalog import creates and changes SKUs: manager, as POST /api/v1/import/catalog/.
            self.role_path("import/", self.import_view, name="inventory_app_sku_import", read="manager"),
            # Stock operations: operator, as the API's stock operations.
            self.role_path(
                "<path:object_id>/stock/",
                self.stock_view,
                name="inventory_app_sku_stock",
                read="viewer",
                write="operator",
            ),
        ]
        return urls + super().get_urls()

    def import_view(self, request):
        return sku_import_view(self, request)

    def stock_view(self, request, object_id):
        return sku_stock_view(self, request, object_id)

    def has_import_permission(self, request) -> bool:
        """Importing creates and changes SKUs and sets stock: it needs both add and change."""
        return self.has_add_permission(request) and self.has_change_permission(request)

    def has_stock_permission(self, request) -> bool:
        """Stock operations: the operator role, or Django's change permission on stock levels."""
        return role_allows(request, "operator") or request.user.has_perm("inventory_app.change_stocklevel")

    def changelist_view(self, request, extra_context=None):
        extra = {"has_import_permission": self.has_import_permission(request), **(extra_context or {})}
        return super().changelist_view(request, extra)

    @admin.display(description="On hand", ordering="on_hand_total")
    def on_hand(self, obj: SKU) -> int | str:
        return "kit" if obj.is_kit else obj.on_hand_total

    @admin.display(description="Committed", ordering="committed_total")
    def committed(self, obj: SKU) -> int | str:
        return "kit" if obj.is_kit else obj.committed_total

    # Not sortable: open purchase order lines per SKU are summed for the rows shown only.
    @admin.display(description="Incoming")
    def incoming(self, obj: SKU) -> int:
        return obj.incoming_total

    @admin.display(description="By location (on hand / committed)")
    def stock_by_location(self, obj: SKU) -> str:
        levels = [lv for lv in obj.levels.all() if lv.on_hand or lv.committed]
        return ", ".join(f"{lv.location.code}: {lv.on_hand}/{lv.committed}" for lv in levels) or "-"

    @admin.display(description="Available to sell", ordering="available_total")
    def available_to_sell(self, obj: SKU | None) -> int | str:
        if obj is None or obj.pk is None:
            return "-"
        units = getattr(obj, "available_units", None)
        return sku_available_to_sell(sku_ids=[obj.pk]).get(obj.pk, 0) if units is None else units

    @admin.display(description="Stock per location")
    def stock_table(self, obj: SKU | None) -> str:
        if obj is None or obj.pk is None:
            return "-"
        link = format_html(
            '<p><a class="button" href="{}">Stock operations (adjust, count, transfer)</a></p>',
            reverse("admin:inventory_app_sku_stock", args=[obj.pk]),
        )
        if obj.is_kit:
            return mark_safe("<p>A kit holds no stock: its availability comes from its components.</p>")
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (lv.location.code, lv.location.name, lv.on_hand, lv.committed, lv.available)
                for lv in obj.levels.all()
            ),
        )
        return format_html(
            "<table><thead><tr><th>Location</th><th>Name</th><th>On hand</th><th>Committed</th>"
            "<th>Available</th></tr></thead><tbody>{}</tbody></table>{}",
            rows or mark_safe('<tr><td colspan="5">No stock recorded.</td></tr>'),
            link,
        )

    def service_save(self, request, obj, form, change):
        if not change:
            obj.pk = catalog.sku_create(**model_fields(form, catalog.SKU_FIELDS)).pk
            obj._state.adding = False
        elif changes := changed_fields(form, catalog.SKU_FIELDS):
            catalog.sku_update(sku=obj, **changes)

    def save_formset(self, request, form, formset, change):
        if formset.model is not KitComponent:
            return super().save_formset(request, form, formset, change)
        formset.save(commit=False)  # fills the change lists for the history message; writes nothing
        kit = SKU.objects.get(pk=form.instance.pk)
        try:
            for item in formset.deleted_objects:
                catalog.kit_component_set(kit=kit, component=item.component, quantity=0)
            for item_form in formset.forms:
                if item_form in formset.deleted_forms or not item_form.has_changed():
                    continue
                if not item_form.cleaned_data:
                    continue
                previous = item_form.initial.get("component")
                component = item_form.cleaned_data["component"]
                if item_form.instance.pk and previous and previous != component.pk:
                    old = SKU.objects.get(pk=previous)
                    catalog.kit_component_set(kit=kit, component=old, quantity=0)
                catalog.kit_component_set(
                    kit=kit, component=component, quantity=item_form.cleaned_data["quantity"]
                )
        except StockError as exc:
            raise Refused(refusal_text(exc)) from exc


@admin.register(Location)
class LocationAdmin(ServiceSaveAdmin):
    """Stock locations; created and updated through the catalog services."""

    list_display = ("code", "name", "is_sellable", "is_active", "priority")
    list_filter = ("is_sellable", "is_active")
    search_fields = ("code", "name")

    def service_save(self, request, obj, form, change):
        if not change:
            fields = model_fields(form, LOCATION_FIELDS)
            is_active = fields.pop("is_active", True)
            location = catalog.location_create(**fields)
            if not is_active:
                catalog.location_update(location=location, is_active=False)
            obj.pk = location.pk
        elif changes := changed_fields(form, LOCATION_FIELDS):
            catalog.location_update(location=obj, **changes)


__all__ = ["LocationAdmin", "ProductAdmin", "RoleAdmin", "SKUAdmin"]
