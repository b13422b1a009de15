"""Admin of sales channels and orders. Orders are read-only here; cancel and ship go through services."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import ModelAdmin
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from inventory_app.admin.base import NoSaveOnChangeMixin, RoleAdmin, ServiceSaveAdmin, model_fields
from inventory_app.admin.filters import AttentionFilter
from inventory_app.admin.paging import EstimatedCountPaginator
from inventory_app.admin.search import IndexedSearchMixin
from inventory_app.errors import OrderError, StockError
from inventory_app.models import Allocation, Order, OrderLine, SalesChannel
from inventory_app.selectors.orders import orders_search_filter
from inventory_app.services import catalog
from inventory_app.services.orders import order_cancel_by_seller, order_ship, tracking_clean

LINE_FIELDS = (
    "external_line_id",
    "external_sku",
    "sku",
    "title",
    "quantity",
    "quantity_shipped",
    "quantity_cancelled",
    "unit_price",
    "backordered",
)


@admin.register(SalesChannel)
class SalesChannelAdmin(ServiceSaveAdmin):
    """Where orders come from."""

    list_display = ("code", "name", "kind", "is_active", "created_at")
    list_filter = ("kind", "is_active")
    search_fields = ("code", "name")

    def service_save(self, request, obj, form, change):
        if change:
            ModelAdmin.save_model(self, request, obj, form, change)  # plain attributes, no stock effect
        else:
            fields = model_fields(form, ("code", "name", "kind", "is_active"))
            obj.pk = catalog.sales_channel_create(**fields).pk


class OrderLineInline(admin.TabularInline):
    """An order's lines, read-only."""

    model = OrderLine
    fields = LINE_FIELDS
    readonly_fields = LINE_FIELDS
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


@admin.register(Order)
class OrderAdmin(IndexedSearchMixin, NoSaveOnChangeMixin, RoleAdmin):
    """Orders of every channel: read-only, with cancel and ship-all actions (operator role)."""

    write_role = "operator"
    list_display = (
        "external_ref",
        "channel",
        "status",
        "customer_name",
        "total",
        "currency",
        "attention",
        "placed_at",
    )
    # A date filter (placed_at__gte/__lt, the dashboard's links), not a date hierarchy: its
    # DISTINCT month scan of the order table costs more than the page at 200,000 orders.
    list_filter = (AttentionFilter, "status", "channel", "needs_attention", "is_paid", "placed_at")
    # Searched by ``orders_search_filter`` (each word): reference, customer name and e-mail, a line's
    # SKU code or channel SKU.
    search_fields = ("external_ref",)
    search_help_text = "Order reference, customer name or e-mail, SKU code or channel SKU of a line."
    list_select_related = ("channel",)
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    inlines = [OrderLineInline]
    actions = ["cancel_orders", "ship_all"]

    class Media:
        css = {"all": ("inventory_app/cockpit.css",)}  # wide line tables scroll inside their box on a phone

    def has_add_permission(self, request):
        return False  # orders come from channels and the API

    def search_filter(self, *, term: str):
        return orders_search_filter(term=term)

    @admin.display(description="Attention", ordering="needs_attention")
    def attention(self, obj: Order) -> str:
        """The reason an order needs attention (red), with the link to acknowledge or resolve it."""
        if not obj.needs_attention:
            return "-"
        return format_html(
            '<span class="attention-reason" style="white-space: pre-wrap; color: #ba2121">{}</span> '
            '<a href="{}">acknowledge / resolve</a>',
            obj.attention_reason or "flagged",
            reverse("admin-order-attention", args=[obj.pk]),
        )

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Order._meta.fields] + ["allocations"]

    @admin.display(description="Allocations (reserved stock)")
    def allocations(self, obj: Order) -> str:
        rows = (
            Allocation.objects.filter(line__order=obj)
            .select_related("sku", "location", "line")
            .order_by("line_id", "location__priority", "pk")
        )
        body = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            ((a.line_id, a.sku.code, a.location.code, a.quantity, a.quantity_shipped) for a in rows),
        )
        if not body:
            return "-"
        return format_html(
            "<table><thead><tr><th>Line</th><th>SKU</th><th>Location</th><th>Reserved</th><th>Shipped</th>"
            "</tr></thead><tbody>{}</tbody></table>",
            body,
        )

    def save_model(self, request, obj, form, change):
        return  # every field is read-only

    def _each(self, request, queryset, action, verb: str) -> None:
        done, failed = 0, []
        for order in queryset.select_related("channel").order_by("pk"):
            try:
                action(order)
            except (OrderError, StockError) as exc:
                failed.append(f"{order.external_ref}: {exc}")
            else:
                done += 1
        if done:
            self.message_user(request, f"{done} order(s) {verb}.", messages.SUCCESS)
        for text in failed:
            self.message_user(request, f"Not {verb}: {text}", messages.ERROR)

    @admin.action(description="Cancel selected orders (release their stock)", permissions=["operator"])
    def cancel_orders(self, request, queryset):
        notices = []

        def cancel(order: Order) -> None:
            notices.extend(order_cancel_by_seller(order=order, user=request.user, reason="admin")[1])

        self._each(request, queryset, cancel, "cancelled")
        for notice in notices:
            self.message_user(
                request, notice.text, messages.WARNING if notice.action_needed else messages.INFO
            )

    @admin.action(
        description="Ship everything still open on selected orders (asks for carrier and tracking)",
        permissions=["operator"],
    )
    def ship_all(self, request, queryset):
        """A page asking each order's carrier and tracking number; shipping them on "Ship"."""
        submitted = "ship" in request.POST
        rows = [
            (order, ShipForm(request.POST if submitted else None, prefix=f"order-{order.pk}"))
            for order in queryset.select_related("channel").order_by("pk")
        ]
        if submitted and all(form.is_valid() for _, form in rows):
            tracking = {order.pk: form.cleaned_data["tracking"] for order, form in rows}

            def ship(order: Order) -> None:
                order_ship(
                    order=order,
                    quantities=None,
                    user=request.user,
                    reference=f"admin:order:{order.pk}",
                    tracking=tracking[order.pk],
                )

            self._each(request, queryset, ship, "shipped")
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Ship orders",
            "opts": self.model._meta,
            "rows": rows,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/inventory_app/order/ship.html", context)


class ShipForm(forms.Form):
    """Carrier and tracking of one order's shipment (optional, checked by ``tracking_clean``)."""

    carrier = forms.CharField(max_length=64, required=False)
    tracking_number = forms.CharField(max_length=160, required=False)
    tracking_url = forms.CharField(max_length=1000, required=False, label="Tracking URL")

    def clean(self) -> dict:
        data = super().clean()
        try:
            data["tracking"] = tracking_clean(
                carrier=data.get("carrier", ""),
                number=data.get("tracking_number", ""),
                url=data.get("tracking_url", ""),
            )
        except OrderError as exc:
            raise forms.ValidationError(str(exc)) from None
        return data


__all__ = ["OrderAdmin", "SalesChannelAdmin"]
