"""Admin of background catalog imports: read-only status, progress and report (manager role)."""

from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html, format_html_join

from inventory_app.admin.base import ReadOnlyAdmin
from inventory_app.models import ImportJob


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdmin):
    """Imports queued from the catalog import page or the API; a worker runs them."""

    view_role = "manager"
    list_display = (
        "id",
        "filename",
        "status",
        "progress",
        "dry_run",
        "rows_total",
        "created_by",
        "created_at",
    )
    list_filter = ("status", "dry_run")
    list_select_related = ("created_by",)
    fields = (
        "filename", "status", "progress", "dry_run", "rows_total", "created_by", "created_at",
        "started_at", "finished_at", "outcome", "errors_found", "error",
    )  # fmt: skip
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).defer("content")

    @admin.display(description="Outcome")
    def outcome(self, obj: ImportJob) -> str:
        report = obj.result or {}
        if not report:
            return "-"
        return (
            f"{'applied' if report.get('applied') else 'not applied'}; rows {report.get('rows', 0)}, "
            f"SKUs created {report.get('skus_created', 0)}, updated {report.get('skus_updated', 0)}, "
            f"stock rows {report.get('stock_rows', 0)}"
        )

    @admin.display(description="Row errors")
    def errors_found(self, obj: ImportJob) -> str:
        errors = (obj.result or {}).get("errors") or []
        if not errors:
            return "-"
        items = format_html_join(
            "", "<li>row {}, {}: {}</li>", ((e["row"], e["column"], e["message"]) for e in errors[:200])
        )
        return format_html("<ul>{}</ul>", items)
