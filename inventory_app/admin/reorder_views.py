"""The "needs reordering" page of the reorder rules' admin: the suggestions (a snapshot, see
``services.dashboard``) and, for operators, drafting purchase orders from them."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.utils import timezone

from inventory_app.admin.reports import REPORT_ROWS_SHOWN
from inventory_app.models import SKU, Location, Supplier
from inventory_app.selectors.reorder import reorder_suggestions
from inventory_app.services.dashboard import SUGGESTION_DAYS, dashboard_figures_get
from inventory_app.services.reorder import purchase_orders_from_suggestions


def _explain_left_out(model_admin, request, suggestions) -> None:
    """Say which suggestions no purchase order could be drafted for, and why."""
    if not suggestions:
        model_admin.message_user(
            request, "Nothing to order: no reorder rule calls for buying now.", messages.WARNING
        )
        return
    unsupplied = [s.sku_id for s in suggestions if s.supplier_id is None]
    if unsupplied:
        codes = ", ".join(sorted(SKU.objects.filter(pk__in=unsupplied).values_list("code", flat=True)))
        model_admin.message_user(
            request,
            f"Left out, no supplier: {codes}. Add a supplier item for the SKU (or a supplier on its "
            "reorder rule) and draft again.",
            messages.WARNING,
        )


def needs_reordering_view(model_admin, request):
    """The suggestions (GET) and, for operators, drafting purchase orders from them (POST)."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    days = SUGGESTION_DAYS
    if request.method == "POST":
        suggestions = reorder_suggestions(days=days)
        orders = purchase_orders_from_suggestions(suggestions=suggestions, user=request.user)
        model_admin.message_user(
            request,
            f"{len(orders)} draft purchase order(s) created.",
            messages.SUCCESS if orders else messages.WARNING,
        )
        _explain_left_out(model_admin, request, suggestions)
        rows, as_of = reorder_suggestions(days=days), timezone.now()
    else:
        # Reading: the dashboard's snapshot (every rule's velocity is a read of the month's
        # shipments); drafting above recomputes them first.
        figures = dashboard_figures_get()
        rows, as_of = figures.suggestions, figures.as_of
    shown = rows[:REPORT_ROWS_SHOWN]  # names are read for the rows shown only
    skus = dict(SKU.objects.filter(pk__in={r.sku_id for r in shown}).values_list("pk", "code"))
    places = dict(Location.objects.filter(pk__in={r.location_id for r in shown}).values_list("pk", "code"))
    suppliers = dict(Supplier.objects.filter(pk__in={r.supplier_id for r in shown}).values_list("pk", "name"))
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": f"Needs reordering (velocity over {days} days)",
        "note": f"Figures as of {timezone.localtime(as_of):%H:%M:%S}"
        + (
            f" (recomputed every {settings.DASHBOARD_CACHE_SECONDS} s; drafting recomputes them)."
            if settings.DASHBOARD_CACHE_SECONDS > 0
            else "."
        ),
        "headers": [
            "SKU",
            "Location",
            "Available",
            "Incoming",
            "Per day",
            "Lead time",
            "Suggest",
            "Supplier",
        ],
        "rows": [
            (
                skus[r.sku_id],
                places[r.location_id],
                r.available,
                r.incoming,
                r.velocity_per_day,
                r.lead_time_days,
                r.suggested_quantity,
                suppliers.get(r.supplier_id, "-"),
            )
            for r in shown
        ],
        "rows_total": len(rows),
        "rows_hidden": len(rows) > REPORT_ROWS_SHOWN,
        "post_label": "Draft purchase orders from these suggestions" if rows else "",
    }
    return TemplateResponse(request, "admin/inventory_app/report.html", context)
