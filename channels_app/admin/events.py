"""Inbound events, pushes and drift: read-only, with a retry action for failed events."""

from __future__ import annotations

from django.contrib import admin, messages

from channels_app.models import DriftRecord, InboundEvent, InboundEventStatus, PushRecord
from channels_app.services.actions import inbound_event_retry
from inventory_app.admin.base import ReadOnlyAdmin
from inventory_app.admin.paging import EstimatedCountPaginator


@admin.register(InboundEvent)
class InboundEventAdmin(ReadOnlyAdmin):
    """Every webhook delivery and polled record, as received."""

    list_display = (
        "event_id",
        "account",
        "source",
        "topic",
        "status",
        "received_at",
        "processed_at",
        "error",
    )
    list_filter = ("account", "status", "source")
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    search_fields = ("event_id",)
    actions = ("retry",)

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description="Retry failed events", permissions=["operator"])
    def retry(self, request, queryset):
        failed = queryset.filter(status=InboundEventStatus.FAILED)
        for event in failed:
            inbound_event_retry(event=event)
        self.message_user(request, f"{failed.count()} event(s) queued", messages.SUCCESS)


@admin.register(PushRecord)
class PushRecordAdmin(ReadOnlyAdmin):
    """Every push, failed attempt and dry-run push."""

    list_display = (
        "created_at",
        "account",
        "listing",
        "quantity",
        "previous_quantity",
        "outcome",
        "dry_run",
        "error",
    )
    list_filter = ("account", "outcome", "dry_run")
    paginator = EstimatedCountPaginator
    show_full_result_count = False


@admin.register(DriftRecord)
class DriftRecordAdmin(ReadOnlyAdmin):
    """Drift found by reconciliation."""

    list_display = ("found_at", "account", "listing", "expected_qty", "seen_qty", "corrected")
    list_filter = ("account",)
