"""Admin of purchasing: suppliers and their prices, purchase orders (send, receive, close, cancel),
PO landed costs, receipts (reverse) and reorder rules (with the "needs reordering" list).

Every write goes through the purchasing and reorder services; receipts and lines are read-only.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.options import ModelAdmin
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html

from inventory_app.admin.base import (
    NoSaveOnChangeMixin,
    ReadOnlyAdmin,
    Refused,
    RoleAdmin,
    ServiceSaveAdmin,
    role_allows,
)
from inventory_app.admin.base import model_fields as _fields
from inventory_app.admin.reorder_views import needs_reordering_view
from inventory_app.errors import StockError
from inventory_app.models import (
    LandedCost,
    PurchaseOrder,
    PurchaseOrderLine,
    Receipt,
    ReceiptLine,
    ReorderRule,
    Supplier,
    SupplierItem,
)
from inventory_app.services import purchasing as services
from inventory_app.services.reorder import reorder_rule_set


class ReadOnlyInline(admin.TabularInline):
    """A read-only inline (rows change through services only)."""

    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return True


@admin.register(Supplier)
class SupplierAdmin(ServiceSaveAdmin):
    """Suppliers (manager role)."""

    list_display = ("code", "name", "currency", "lead_time_days", "email", "is_active")
    list_filter = ("is_active", "currency")
    search_fields = ("code", "name", "contact_name", "email")

    def service_save(self, request, obj, form, change):
        if change:
            ModelAdmin.save_model(self, request, obj, form, change)  # contact details, no stock effect
        else:
            names = (
                "code",
                "name",
                "currency",
                "lead_time_days",
                "contact_name",
                "email",
                "phone",
                "address",
            )
            obj.pk = services.supplier_create(**_fields(form, (*names, "note"))).pk


@admin.register(SupplierItem)
class SupplierItemAdmin(ServiceSaveAdmin):
    """A supplier's code and price per SKU (manager role)."""

    list_display = ("supplier", "sku", "supplier_sku", "unit_price", "min_order_quantity", "is_preferred")
    list_filter = ("supplier", "is_preferred")
    search_fields = ("sku__code", "supplier_sku", "supplier__name")
    autocomplete_fields = ("sku",)

    def service_save(self, request, obj, form, change):
        names = ("supplier_sku", "unit_price", "min_order_quantity", "lead_time_days", "is_preferred")
        item = services.supplier_item_set(
            supplier=form.cleaned_data["supplier"], sku=form.cleaned_data["sku"], **_fields(form, names)
        )
        obj.pk = item.pk


class PurchaseOrderLineInline(admin.TabularInline):
    """Lines: entered when the draft is created, read-only afterwards."""

    model = PurchaseOrderLine
    fields = ("sku", "supplier_sku", "quantity_ordered", "unit_cost", "quantity_received")
    extra = 3
    autocomplete_fields = ("sku",)

    def get_readonly_fields(self, request, obj=None):
        return self.fields if obj is not None else ("supplier_sku", "quantity_received")

    def _may_write(self, request) -> bool:
        return role_allows(request, "operator") or request.user.has_perm("inventory_app.add_purchaseorder")

    def has_change_permission(self, request, obj=None):
        return obj is None and self._may_write(request)

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request, obj=None):
        return obj is None and self._may_write(request)

    def has_view_permission(self, request, obj=None):
        return True


class LandedCostInline(ReadOnlyInline):
    model = LandedCost
    fields = ("kind", "basis", "amount", "receipt", "description")


class ReceiptInline(ReadOnlyInline):
    model = Receipt
    fields = ("id", "location", "document_date", "reference", "operation", "reversal_operation", "created_at")
    show_change_link = True


@admin.register(PurchaseOrder)
class PurchaseOrderAdmin(NoSaveOnChangeMixin, RoleAdmin):
    """Purchase orders: add a draft with its lines; send, receive what is open, close or cancel."""

    write_role = "operator"
    list_display = ("number", "supplier", "status", "location", "expected_date", "currency", "created_at")
    list_filter = ("status", "supplier")
    search_fields = ("number", "supplier__name", "lines__sku__code")
    list_select_related = ("supplier", "location")
    inlines = [PurchaseOrderLineInline, LandedCostInline, ReceiptInline]
    actions = ["send", "receive_open", "close", "cancel"]

    class Media:
        css = {"all": ("inventory_app/cockpit.css",)}  # wide line tables scroll inside their box on a phone

    fields = (
        "number",
        "supplier",
        "status",
        "location",
        "expected_date",
        "exchange_rate",
        "over_receipt_tolerance_percent",
        "note",
    )

    def get_readonly_fields(self, request, obj=None):
        return self.fields if obj is not None else ("number", "status")

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        return  # the draft is created with its lines in save_related, through the service

    def save_related(self, request, form, formsets, change):
        if change:
            return
        lines = [
            services.PurchaseLineInput(
                sku_id=row["sku"].pk, quantity=row["quantity_ordered"], unit_cost=row.get("unit_cost")
            )
            for formset in formsets
            if formset.model is PurchaseOrderLine
            for row in formset.cleaned_data
            if row and not row.get("DELETE") and row.get("sku")
        ]
        names = ("location", "expected_date", "exchange_rate", "over_receipt_tolerance_percent", "note")
        try:
            order = services.purchase_order_create(
                supplier=form.cleaned_data["supplier"], lines=lines, user=request.user, **_fields(form, names)
            )
        except StockError as exc:
            raise Refused(str(exc)) from exc
        form.instance.pk, form.instance.number = order.pk, order.number
        for formset in formsets:  # saved by the service above; the admin's change message reads these
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except Refused as exc:
            self.message_user(request, f"Nothing was saved: {exc}", messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def _each(self, request, queryset, call, verb: str) -> None:
        for order in queryset.order_by("pk"):
            try:
                call(order)
            except StockError as exc:
                self.message_user(request, f"{order.number} not {verb}: {exc}", messages.ERROR)
            else:
                self.message_user(request, f"{order.number} {verb}.", messages.SUCCESS)

    @admin.action(description="Send selected drafts to their suppliers", permissions=["operator"])
    def send(self, request, queryset):
        self._each(request, queryset, lambda o: services.purchase_order_send(purchase_order=o), "sent")

    @admin.action(
        description="Receive everything still open into each PO's location", permissions=["operator"]
    )
    def receive_open(self, request, queryset):
        def receive(order: PurchaseOrder) -> None:
            if order.location is None:
                raise services.PurchasingError("the PO has no delivery location; receive it through the API")
            quantities = {line.pk: line.quantity_open for line in order.lines.all() if line.quantity_open}
            if not quantities:
                raise services.PurchasingError("nothing is open")
            services.purchase_order_receive(
                purchase_order=order, location=order.location, quantities=quantities, user=request.user
            )

        self._each(request, queryset, receive, "received")

    @admin.action(description="Close selected (part-)received orders", permissions=["operator"])
    def close(self, request, queryset):
        self._each(request, queryset, lambda o: services.purchase_order_close(purchase_order=o), "closed")

    @admin.action(description="Cancel selected orders (nothing received yet)", permissions=["operator"])
    def cancel(self, request, queryset):
        self._each(request, queryset, lambda o: services.purchase_order_cancel(purchase_order=o), "cancelled")


@admin.register(LandedCost)
class LandedCostAdmin(ServiceSaveAdmin):
    """Landed charges; a new one is a PO-level charge (before receiving), added through the service."""

    write_role = "operator"
    list_display = ("purchase_order", "receipt", "kind", "basis", "amount", "created_at")
    list_filter = ("kind", "basis")
    fields = ("purchase_order", "kind", "basis", "amount", "description")

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def service_save(self, request, obj, form, change):
        charge = services.ChargeInput(**_fields(form, ("kind", "basis", "amount", "description")))
        obj.pk = services.landed_cost_add(
            purchase_order=form.cleaned_data["purchase_order"], charge=charge
        ).pk


class ReceiptLineInline(ReadOnlyInline):
    model = ReceiptLine
    fields = (
        "po_line",
        "quantity",
        "base_value",
        "po_landed_value",
        "receipt_landed_value",
        "value",
        "unit_cost",
    )


@admin.register(Receipt)
class ReceiptAdmin(ReadOnlyAdmin):
    """Receipts, read-only; reversing one appends a counter-operation (operator role)."""

    list_display = (
        "id",
        "purchase_order",
        "location",
        "document_date",
        "reference",
        "is_reversed",
        "created_at",
    )
    list_filter = ("location",)
    search_fields = ("purchase_order__number", "reference")
    inlines = [ReceiptLineInline]
    actions = ["reverse"]

    @admin.action(description="Reverse selected receipts (counter-movement)", permissions=["operator"])
    def reverse(self, request, queryset):
        for receipt in queryset.order_by("pk"):
            try:
                services.receipt_reverse(receipt=receipt, user=request.user, note="admin")
            except StockError as exc:
                self.message_user(request, f"Receipt {receipt.pk} not reversed: {exc}", messages.ERROR)
            else:
                self.message_user(request, f"Receipt {receipt.pk} reversed.", messages.SUCCESS)


@admin.register(ReorderRule)
class ReorderRuleAdmin(ServiceSaveAdmin):
    """Reorder rules (manager role) and the "needs reordering" list with draft-PO action."""

    list_display = ("sku", "location", "reorder_point", "reorder_quantity", "supplier", "is_active")
    list_select_related = ("sku", "location", "supplier")
    list_filter = ("location", "is_active")
    search_fields = ("sku__code",)
    autocomplete_fields = ("sku",)

    def service_save(self, request, obj, form, change):
        names = ("sku", "location", "reorder_point", "reorder_quantity", "supplier", "is_active")
        obj.pk = reorder_rule_set(**_fields(form, names)).pk

    def get_urls(self):
        # POST drafts purchase orders: operator, as POST /api/v1/reorder/suggestions/.
        needs = self.role_path(
            "needs-reordering/",
            self.needs_reordering_view,
            name="inventory_app_reorderrule_needs",
            read="viewer",
            write="operator",
        )
        return [needs, *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        link = format_html(
            '<a href="{}">Needs reordering</a>', reverse("admin:inventory_app_reorderrule_needs")
        )
        return super().changelist_view(
            request, {"title": format_html("Reorder rules — {}", link), **(extra_context or {})}
        )

    def needs_reordering_view(self, request):
        """The suggestions (GET) and, for operators, drafting purchase orders from them (POST)."""
        return needs_reordering_view(self, request)
