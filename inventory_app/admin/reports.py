"""Admin page of the cost reports: valuation per SKU and location (now or as of a moment) and COGS
per SKU, location and channel over a period, each with CSV export. Reads selectors only.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib import admin
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from inventory_app.admin.base import ReadOnlyAdmin
from inventory_app.models import CostReport
from inventory_app.selectors.reports import (
    CogsReportRow,
    ValuationReportRow,
    cogs_report,
    cogs_report_page,
    report_csv,
    valuation_report,
    valuation_report_page,
)

COGS_DEFAULT_DAYS = 30  # the COGS page without dates: the last 30 days
REPORT_ROWS_SHOWN = 500  # a page of 100,000 rows takes seconds to draw; the CSV has them all
COGS_ROWS_PER_PAGE = 200  # the COGS page pages on (Next page): a shorter page, drawn faster


def _csv(text: str, name: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


@admin.register(CostReport)
class CostReportAdmin(ReadOnlyAdmin):
    """Valuation (?report=valuation&as_of=...) and COGS (?report=cogs&date_from=&date_to=&after=)
    pages; ``export=csv`` downloads every row."""

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            return super().changelist_view(request, extra_context)  # Django answers 403
        params = request.GET
        report = params.get("report", "valuation")
        export = params.get("export") == "csv"
        note, more = "", []
        if report == "cogs":
            date_from, date_to = (
                parse_date(params.get("date_from") or ""),
                parse_date(params.get("date_to") or ""),
            )
            if date_from is None and date_to is None:
                # A bounded window by default (an indexed range of the ledger), not all of history.
                date_from = timezone.localdate() - timedelta(days=COGS_DEFAULT_DAYS)
            if export:
                rows = cogs_report(date_from=date_from, date_to=date_to)
                return _csv(report_csv(rows=rows, row_type=CogsReportRow), "cogs")
            # A page of whole SKUs by code; the totals are the whole period's, summed in SQL.
            page = cogs_report_page(
                date_from=date_from,
                date_to=date_to,
                after_sku_code=params.get("after", ""),
                limit=COGS_ROWS_PER_PAGE,
            )
            headers = [
                "SKU",
                "Location",
                "Channel",
                "Shipped",
                "Returned",
                "Cost shipped",
                "Cost returned",
                "COGS",
            ]
            table = [
                (
                    r.sku_code,
                    r.location_code,
                    r.channel_code,
                    r.units_shipped,
                    r.units_returned,
                    r.cost_shipped,
                    r.cost_returned,
                    r.cogs,
                )
                for r in page.rows
            ]
            totals = [
                "Total",
                "",
                "",
                page.units_shipped,
                page.units_returned,
                page.cost_shipped,
                page.cost_returned,
                page.cogs,
            ]
            rows_total = len(table)
            filters = [
                ("date_from", "From", date_from.isoformat() if date_from else "", "date"),
                ("date_to", "To", params.get("date_to"), "date"),
            ]
            note = "Rows by SKU code, a page at a time; the totals and the CSV export cover the whole period."
            if page.next_after is not None:
                following = request.GET.copy()
                following["after"] = page.next_after
                more = [(f"?{following.urlencode()}", "Next page")]
        else:
            report = "valuation"
            raw = params.get("as_of") or ""
            # A date first (the end of that day): parse_datetime takes "2026-11-20" for its midnight.
            as_of = parse_date(raw) or parse_datetime(raw)
            if isinstance(as_of, datetime) and timezone.is_naive(as_of):
                as_of = timezone.make_aware(as_of)  # in the current time zone, as dates are
            if as_of is None and not export:
                # Now: the first rows and the totals from the levels' kept values (no ledger read).
                rows, rows_total, value_total = valuation_report_page(limit=REPORT_ROWS_SHOWN)
            else:
                rows = valuation_report(as_of=as_of)
                rows_total, value_total = len(rows), sum((r.value for r in rows), Decimal("0.00"))
            if export:
                return _csv(report_csv(rows=rows, row_type=ValuationReportRow), "valuation")
            headers = ["SKU", "Location", "Units", "Value", "Unit cost", "Currency"]
            table = [
                (r.sku_code, r.location_code, r.quantity, r.value, r.unit_cost, r.currency) for r in rows
            ]
            totals = ["Total", "", "", value_total, "", ""]
            filters = [("as_of", "As of (date or date-time)", raw, "text")]
        query = request.GET.copy()
        query.pop("after", None)
        query["export"] = "csv"
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Inventory valuation" if report == "valuation" else "Cost of goods sold",
            "report": report,
            "filters": filters,
            "links": [
                ("?report=valuation", "Valuation"),
                ("?report=cogs", "COGS"),
                (f"?{query.urlencode()}", "Export CSV"),
                *more,
            ],
            "note": note,
            "headers": headers,
            "rows": table[:REPORT_ROWS_SHOWN],
            "rows_total": rows_total,
            "rows_hidden": rows_total > REPORT_ROWS_SHOWN,
            "totals": totals,
        }
        return TemplateResponse(request, "admin/inventory_app/report.html", context)
