"""The SKU admin's own pages: stock operations (adjust, count, transfer) and the catalog CSV import.

Both are thin: they validate a small form and call the services; a refusal from the services is
shown as an error message and changes nothing.
"""

from __future__ import annotations

import hashlib

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from inventory_app.admin.forms import AdjustForm, CatalogImportForm, CountForm, TransferForm
from inventory_app.errors import StockError
from inventory_app.models import SKU, StockLevel, StockMovement, StockOperation
from inventory_app.selectors.availability import sku_available_to_sell
from inventory_app.services import stock
from inventory_app.services.imports import catalog_import_csv
from inventory_app.services.imports.jobs import import_job_create, import_limits, import_rows_count

STOCK_FORMS = {"adjust": AdjustForm, "count": CountForm, "transfer": TransferForm}
IMPORT_SESSION_KEY = "inventory_app.catalog_import"


def _stock_operation_run(*, operation: str, sku: SKU, data: dict, key: str, user) -> StockOperation:
    common = {"sku": sku, "note": data["note"], "user": user, "reference": "admin", "idempotency_key": key}
    if operation == "adjust":
        return stock.stock_adjust(
            location=data["location"], delta=data["delta"], reason_detail=data["reason"], **common
        )
    if operation == "count":
        return stock.stock_count(location=data["location"], counted=data["counted"], **common)
    return stock.stock_transfer(
        from_location=data["from_location"],
        to_location=data["to_location"],
        quantity=data["quantity"],
        **common,
    )


def sku_stock_view(model_admin, request: HttpRequest, object_id: str) -> HttpResponse:
    """Stock of one SKU per location, its latest movements, and the three stock operation forms."""
    sku = model_admin.get_object(request, unquote(object_id))
    if sku is None:
        raise Http404("No such SKU")
    if not model_admin.has_view_permission(request, sku):
        raise PermissionDenied
    can_operate = model_admin.has_stock_permission(request) and not sku.is_kit
    location = request.GET.get("location")
    initial = {"location": location, "from_location": location}
    forms = {name: form_class(prefix=name, initial=initial) for name, form_class in STOCK_FORMS.items()}
    if request.method == "POST":
        if not can_operate:
            raise PermissionDenied
        operation = request.POST.get("operation", "")
        if operation not in STOCK_FORMS:
            return HttpResponseBadRequest("Unknown stock operation")
        form = forms[operation] = STOCK_FORMS[operation](request.POST, prefix=operation)
        if form.is_valid():
            try:
                result = _stock_operation_run(
                    operation=operation,
                    sku=sku,
                    data=form.cleaned_data,
                    key=form.idempotency_key(operation),
                    user=request.user,
                )
            except StockError as exc:
                messages.error(request, f"Nothing changed: {exc}")
            else:
                if result.replayed:
                    messages.warning(request, "This form had already been applied; nothing changed again.")
                else:
                    messages.success(
                        request, f"{operation.title()} of {sku.code} recorded (operation #{result.pk})."
                    )
                return redirect(request.get_full_path())
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "original": sku,
        "title": f"Stock operations: {sku.code}",
        "forms": forms,
        "can_operate": can_operate,
        "levels": StockLevel.objects.filter(sku=sku)
        .select_related("location")
        .order_by("location__priority"),
        "available": sku_available_to_sell(sku_ids=[sku.pk]).get(sku.pk, 0),
        "movements": StockMovement.objects.filter(sku=sku)
        .select_related("operation__user", "location")
        .order_by("-pk")[:20],
    }
    return TemplateResponse(request, "admin/inventory_app/sku/stock_operations.html", context)


def sku_import_view(model_admin, request: HttpRequest) -> HttpResponse:
    """Upload a catalog CSV; a dry run lists row errors, then one click imports the checked file."""
    if not model_admin.has_import_permission(request):
        raise PermissionDenied
    form, report, pending, filename = CatalogImportForm(), None, None, ""
    if request.method == "POST" and "apply" in request.POST:
        stored = request.session.get(IMPORT_SESSION_KEY)
        if not stored or stored["digest"] != request.POST.get("digest"):
            messages.error(request, "The checked file is no longer waiting to be imported: upload it again.")
            return redirect(request.path)
        del request.session[IMPORT_SESSION_KEY]
        filename = stored["name"]
        report = catalog_import_csv(content=stored["content"], dry_run=False, user=request.user)
    elif request.method == "POST":
        form = CatalogImportForm(request.POST, request.FILES)
        if form.is_valid():
            content, filename = form.cleaned_data["file"], request.FILES["file"].name
            if import_rows_count(content=content) > import_limits()[2]:  # a worker runs it
                job = import_job_create(
                    content=content,
                    dry_run=form.cleaned_data["dry_run"],
                    user=request.user,
                    filename=filename,
                )
                messages.info(
                    request, f"{filename}: queued as import {job.pk}; this page shows its progress."
                )
                return redirect("admin:inventory_app_importjob_change", job.pk)
            report = catalog_import_csv(
                content=content, dry_run=form.cleaned_data["dry_run"], user=request.user
            )
            if report.dry_run and report.ok:
                pending = hashlib.sha256(content.encode()).hexdigest()
                request.session[IMPORT_SESSION_KEY] = {
                    "digest": pending,
                    "content": content,
                    "name": filename,
                }
    if report is not None and report.applied:
        messages.success(
            request,
            f"{filename}: imported {report.rows} rows ({report.skus_created} SKUs created, "
            f"{report.skus_updated} updated, {report.stock_rows} stock rows).",
        )
    elif report is not None and not report.ok:
        messages.error(request, f"{filename}: {len(report.errors)} error(s); nothing was imported.")
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": "Import catalog CSV",
        "form": form,
        "report": report,
        "pending": pending,
        "filename": filename,
    }
    return TemplateResponse(request, "admin/inventory_app/sku/import.html", context)
