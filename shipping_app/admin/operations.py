"""Read-only admin of the exports and inbound notifications, with retries."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db import transaction

from inventory_app.admin.base import ReadOnlyAdmin
from shipping_app.models import OrderExport, ShippingWebhookEvent


@admin.register(OrderExport)
class OrderExportAdmin(ReadOnlyAdmin):
    """Orders sent to shipping apps; "send again" re-queues the export."""

    list_display = ["order_key", "account", "order", "state", "exported_at", "attempts", "last_error"]
    list_filter = ["state", "account"]
    search_fields = ["order_key", "external_id", "order__external_ref"]
    actions = ["send_again"]

    @admin.action(description="Send again", permissions=["operator"])
    def send_again(self, request, queryset):
        from shipping_app.tasks import order_export_task

        queryset.update(payload_digest="")
        for account_id, order_id in queryset.values_list("account_id", "order_id"):
            transaction.on_commit(lambda a=account_id, o=order_id: order_export_task.delay(a, o))
        messages.info(request, "Exports queued.")


@admin.register(ShippingWebhookEvent)
class ShippingWebhookEventAdmin(ReadOnlyAdmin):
    """Notifications as received; "process again" re-queues failed or ignored ones."""

    list_display = ["received_at", "account", "topic", "status", "attempts", "error"]
    list_filter = ["status", "account", "topic"]
    actions = ["process_again"]

    @admin.action(description="Process again", permissions=["operator"])
    def process_again(self, request, queryset):
        from shipping_app.tasks import webhook_event_process_task

        ids = list(queryset.exclude(status="processed").values_list("pk", flat=True))
        queryset.filter(pk__in=ids).update(status="pending")
        for event_id in ids:
            transaction.on_commit(lambda e=event_id: webhook_event_process_task.delay(e))
        messages.info(request, f"{len(ids)} notification(s) queued.")
