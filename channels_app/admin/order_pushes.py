"""Shipments and cancellations made here on their way to the order's channel: read-only, with
"try again now" for pending ones."""

from __future__ import annotations

from django.contrib import admin, messages

from channels_app.models import ChannelOrderPush, OrderPushStatus
from channels_app.order_reports.pushes import channel_order_push_retry
from inventory_app.admin.base import ReadOnlyAdmin


@admin.register(ChannelOrderPush)
class ChannelOrderPushAdmin(ReadOnlyAdmin):
    """Every fulfilment (with carrier and tracking) and cancellation owed to a channel."""

    list_display = (
        "order",
        "kind",
        "carrier",
        "tracking_number",
        "status",
        "attempts",
        "created_at",
        "delivered_at",
        "last_error",
    )
    list_filter = ("kind", "status", "order__channel")
    search_fields = ("order__external_ref", "shipment__tracking_number")
    list_select_related = ("order", "shipment")
    actions = ("try_again",)

    @admin.display(description="Carrier")
    def carrier(self, obj: ChannelOrderPush) -> str:
        return obj.shipment.carrier if obj.shipment else ""

    @admin.display(description="Tracking number")
    def tracking_number(self, obj: ChannelOrderPush) -> str:
        return obj.shipment.tracking_number if obj.shipment else ""

    @admin.action(description="Try again now", permissions=["operator"])
    def try_again(self, request, queryset):
        pending = list(
            queryset.filter(status__in=[OrderPushStatus.QUEUED, OrderPushStatus.FAILED]).values_list(
                "pk", flat=True
            )
        )
        for push_id in pending:
            channel_order_push_retry(push_id=push_id)
        self.message_user(request, f"{len(pending)} update(s) queued", messages.SUCCESS)
