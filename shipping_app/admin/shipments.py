"""Shipments in the admin: read-only, plus "rate an order" and "buy the label" pages (Shippo)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from inventory_app.admin.base import ReadOnlyAdmin
from inventory_app.models import Order
from shipping_app.errors import ShippingError
from shipping_app.models import Shipment, ShipmentEvent, ShipmentLine, ShipmentRate, ShippingAccount
from shipping_app.providers.base import ProviderError
from shipping_app.services.labels import RateRule, shipment_draft_create, shipment_label_buy


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ShipmentLineInline(_ReadOnlyInline):
    model = ShipmentLine
    fields = ["order_line", "quantity"]
    readonly_fields = fields


class ShipmentRateInline(_ReadOnlyInline):
    model = ShipmentRate
    fields = ["carrier", "service_name", "amount", "currency", "estimated_days", "external_id"]
    readonly_fields = fields


class ShipmentEventInline(_ReadOnlyInline):
    model = ShipmentEvent
    fields = ["occurred_at", "status", "description"]
    readonly_fields = fields


class RateOrderForm(forms.Form):
    """Which order, through which label account."""

    account = forms.ModelChoiceField(queryset=ShippingAccount.objects.filter(enabled=True, provider="shippo"))
    order = forms.IntegerField(help_text="Order id")


class BuyForm(forms.Form):
    """Pick a rate, or leave it empty to buy the cheapest matching the carriers given."""

    rate = forms.ChoiceField(required=False, choices=())
    carriers = forms.CharField(required=False, help_text="Comma-separated, for the cheapest-rate rule")


@admin.register(Shipment)
class ShipmentAdmin(ReadOnlyAdmin):
    """Every shipment (from a shipping app or bought here) with its lines, rates and events."""

    list_display = [
        "pk",
        "order",
        "account",
        "status",
        "carrier",
        "tracking_number",
        "rate_amount",
        "label_link",
    ]
    list_filter = ["status", "account", "carrier"]
    search_fields = ["external_id", "tracking_number", "order__external_ref"]
    inlines = [ShipmentLineInline, ShipmentRateInline, ShipmentEventInline]
    change_list_template = "admin/shipping_app/shipment/change_list.html"

    @admin.display(description="Label")
    def label_link(self, obj: Shipment) -> str:
        if not obj.label:
            return ""
        return format_html('<a href="{}">label</a>', reverse("shipping_api:shipment-label", args=[obj.pk]))

    def get_urls(self):
        return [
            # Rating and buying labels: operator, as the shipping API's rates and buy endpoints.
            self.role_path("rate-order/", self.rate_order_view, name="shipping_rate_order", read="operator"),
            self.role_path("<int:pk>/buy/", self.buy_view, name="shipping_buy_label", read="operator"),
            *super().get_urls(),
        ]

    def rate_order_view(self, request: HttpRequest) -> HttpResponse:
        """Create a draft shipment of an order at Shippo (rates are shown on the next page)."""
        form = RateOrderForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            order = Order.objects.filter(pk=form.cleaned_data["order"]).first()
            if order is None:
                form.add_error("order", "No such order")
            else:
                try:
                    shipment = shipment_draft_create(account=form.cleaned_data["account"], order=order)
                except (ShippingError, ProviderError) as exc:
                    form.add_error(None, str(exc))
                else:
                    return HttpResponseRedirect(reverse("admin:shipping_buy_label", args=[shipment.pk]))
        context = {**self.admin_site.each_context(request), "form": form, "title": "Rate an order"}
        return TemplateResponse(request, "admin/shipping_app/shipment/form.html", context)

    def buy_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Buy the label of a draft shipment: the chosen rate or the cheapest matching carriers."""
        shipment = get_object_or_404(Shipment, pk=pk)
        form = BuyForm(request.POST or None)
        form.fields["rate"].choices = [("", "(cheapest matching)")] + [
            (r.external_id, f"{r.carrier} {r.service_name}: {r.amount} {r.currency} ({r.estimated_days} d)")
            for r in shipment.rates.all()
        ]
        if request.method == "POST" and form.is_valid():
            carriers = [c.strip() for c in form.cleaned_data["carriers"].split(",") if c.strip()]
            try:
                shipment_label_buy(
                    shipment=shipment,
                    rate_id=form.cleaned_data["rate"] or None,
                    rule=RateRule(carriers=carriers),
                    user=request.user,
                )
            except (ShippingError, ProviderError) as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, "Label bought.")
                return HttpResponseRedirect(reverse("admin:shipping_app_shipment_change", args=[pk]))
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "title": f"Buy the label of shipment {shipment.pk} (order {shipment.order.external_ref})",
        }
        return TemplateResponse(request, "admin/shipping_app/shipment/form.html", context)
