"""The export log: every document with what was sent, the answer and errors; retry action."""

from __future__ import annotations

import json

from django.contrib import admin, messages
from django.utils.html import format_html

from accounting_app.models import DocumentStatus, ExportDocument, ExportRun
from accounting_app.services.schedule import document_retry_enqueue
from inventory_app.admin.base import ReadOnlyAdmin


@admin.register(ExportDocument)
class ExportDocumentAdmin(ReadOnlyAdmin):
    """Read-only log; "Retry" enqueues unposted documents again (posted ones are never resent)."""

    list_display = [
        "reference",
        "kind",
        "connection",
        "document_date",
        "amount",
        "status",
        "total_check",
        "external_id",
        "attempts",
    ]
    list_filter = ["status", "total_check", "kind", "connection"]
    search_fields = ["reference", "source_key", "external_id"]
    actions = ["retry"]
    fields = [
        "connection",
        "kind",
        "source_key",
        "reference",
        "document_date",
        "amount",
        "status",
        "external_id",
        "recovered",
        "total_check",
        "expected_total",
        "vendor_total",
        "attempts",
        "corrects",
        "error",
        "payload_pretty",
        "response_pretty",
        "posted_at",
        "run",
    ]
    readonly_fields = fields

    @admin.display(description="Request body")
    def payload_pretty(self, obj: ExportDocument) -> str:
        return format_html("<pre>{}</pre>", json.dumps(obj.payload, indent=2))

    @admin.display(description="Vendor answer")
    def response_pretty(self, obj: ExportDocument) -> str:
        return format_html("<pre>{}</pre>", json.dumps(obj.response, indent=2))

    @admin.action(description="Retry the selected documents that are not posted", permissions=["operator"])
    def retry(self, request, queryset):
        """Enqueue the selected unposted documents (after commit)."""
        pending = list(queryset.exclude(status=DocumentStatus.POSTED).values_list("pk", flat=True))
        for document_id in pending:
            document_retry_enqueue(document_id=document_id)
        skipped = queryset.count() - len(pending)
        self.message_user(
            request,
            f"{len(pending)} enqueued for retry; {skipped} already posted (never sent again).",
            messages.INFO,
        )


@admin.register(ExportRun)
class ExportRunAdmin(ReadOnlyAdmin):
    """Read-only runs: period, trigger, counts and the error that stopped a run."""

    list_display = [
        "pk",
        "connection",
        "date_from",
        "date_to",
        "trigger",
        "posted",
        "skipped",
        "failed",
        "flagged",
        "started_at",
    ]
    list_filter = ["connection", "trigger"]
