"""Admin of returns (RMA): authorisations read-only with their lines and receipts; actions take the
outstanding units in through the returns service (restock at the best sellable location, or
write off). Authorisations are created through the API (they need the order's lines).
"""

from __future__ import annotations

from django.contrib import admin, messages

from inventory_app.admin.base import NoSaveOnChangeMixin, RoleAdmin
from inventory_app.admin.purchasing import ReadOnlyInline
from inventory_app.errors import StockError
from inventory_app.models import (
    Location,
    ReturnAuthorization,
    ReturnDisposition,
    ReturnLine,
    ReturnStatus,
)
from inventory_app.services.returns import ReturnReceiveInput, return_authorization_cancel, return_receive


class ReturnLineInline(ReadOnlyInline):
    model = ReturnLine
    fields = ("order_line", "quantity", "quantity_received", "reason", "condition", "note")


@admin.register(ReturnAuthorization)
class ReturnAuthorizationAdmin(NoSaveOnChangeMixin, RoleAdmin):
    """Return authorisations; receive (restock or write off) and cancel through the service."""

    write_role = "operator"
    list_display = ("number", "order", "status", "created_at")
    list_filter = ("status",)
    search_fields = ("number", "order__external_ref")
    inlines = [ReturnLineInline]
    actions = ["receive_restock", "receive_write_off", "cancel"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in ReturnAuthorization._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        return

    def _receive(self, request, queryset, disposition: str) -> None:
        location = (
            Location.objects.filter(is_active=True, is_sellable=True).order_by("priority", "code").first()
        )
        for rma in queryset.filter(status=ReturnStatus.OPEN).order_by("pk"):
            items = [
                ReturnReceiveInput(
                    return_line_id=line.pk,
                    quantity=line.quantity - line.quantity_received,
                    disposition=disposition,
                    location_id=location.pk if location else 0,
                )
                for line in rma.lines.all()
                if line.quantity > line.quantity_received
            ]
            try:
                return_receive(authorization=rma, items=items, user=request.user)
            except StockError as exc:
                self.message_user(request, f"{rma.number} not received: {exc}", messages.ERROR)
            else:
                self.message_user(request, f"{rma.number} received ({disposition}).", messages.SUCCESS)

    @admin.action(description="Receive outstanding units and restock them", permissions=["operator"])
    def receive_restock(self, request, queryset):
        self._receive(request, queryset, ReturnDisposition.RESTOCK)

    @admin.action(description="Receive outstanding units and write them off", permissions=["operator"])
    def receive_write_off(self, request, queryset):
        self._receive(request, queryset, ReturnDisposition.WRITE_OFF)

    @admin.action(description="Cancel selected authorisations (nothing received)", permissions=["operator"])
    def cancel(self, request, queryset):
        for rma in queryset.order_by("pk"):
            try:
                return_authorization_cancel(authorization=rma)
            except StockError as exc:
                self.message_user(request, f"{rma.number} not cancelled: {exc}", messages.ERROR)
            else:
                self.message_user(request, f"{rma.number} cancelled.", messages.SUCCESS)
