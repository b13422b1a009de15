"""The counting page: scan what is on the shelf at a location, then post the counts as one ledger
operation (``stock_count_batch``, one idempotency key per page). Built for a USB barcode scanner
and a phone: each scan looks the SKU up on our server (by barcode or code) and adds one.
Viewers may look SKUs up; operators (or change_stocklevel) post counts.
"""

from __future__ import annotations

import uuid

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse

from inventory_app.admin.base import role_allows
from inventory_app.errors import StockError
from inventory_app.models import SKU, Location, StockLevel
from inventory_app.selectors.dashboard import location_sole_active
from inventory_app.services.counting import stock_count_batch


def _can_act(request) -> bool:
    return role_allows(request, "operator") or request.user.has_perm("inventory_app.change_stocklevel")


def _can_view(request) -> bool:
    return role_allows(request, "viewer") or request.user.has_perm("inventory_app.view_stocklevel")


def stock_count_lookup_view(request):
    """GET ?code=&location=: the stock SKU with that barcode or code, and its on hand there."""
    if not _can_view(request):
        raise PermissionDenied
    code = request.GET.get("code", "").strip()
    sku = SKU.objects.filter(Q(barcode=code) | Q(code__iexact=code), is_active=True).first() if code else None
    if sku is None:
        return JsonResponse({"error": f"No SKU with barcode or code {code}"}, status=404)
    if sku.is_kit:
        return JsonResponse({"error": f"{sku.code} is a kit: count its components"}, status=400)
    level = StockLevel.objects.filter(sku=sku, location_id=request.GET.get("location") or 0).first()
    on_hand = level.on_hand if level else 0
    return JsonResponse(
        {"id": sku.pk, "code": sku.code, "barcode": sku.barcode, "name": sku.name, "on_hand": on_hand}
    )


def _counts(request) -> tuple[dict[int, int], list[str]]:
    counts, errors = {}, []
    for name, raw in request.POST.items():
        if not name.startswith("qty-"):
            continue
        if not name[4:].isdigit() or not raw.strip().isdigit():
            errors.append(f"{raw!r} is not a whole number of units")
            continue
        counts[int(name[4:])] = int(raw)
    return counts, errors


def stock_count_view(request):
    """GET: the counting page. POST ``location``, ``qty-<sku id>``, ``token``: the batch of counts."""
    if not _can_view(request):
        raise PermissionDenied
    if request.method == "POST":
        if not _can_act(request):
            raise PermissionDenied
        counts, errors = _counts(request)
        location = Location.objects.filter(pk=request.POST.get("location") or 0, is_active=True).first()
        if location is None:
            errors.append("choose the location counted")
        token = request.POST.get("token", "")
        if not errors:
            try:
                operation = stock_count_batch(
                    location=location,
                    counts=counts,
                    reference="admin count",
                    user=request.user,
                    idempotency_key=f"admin-count:{uuid.UUID(token)}",
                )
            except (StockError, ValueError) as exc:
                errors.append(str(exc) or "the page is out of date; reload it")
            else:
                messages.success(
                    request, f"{len(counts)} SKU(s) counted at {location.code} (operation {operation.pk})."
                )
                return HttpResponseRedirect(reverse("admin-stock-count"))
        for error in errors:
            messages.error(request, f"Nothing was counted: {error}.")
    sole = location_sole_active()
    context = {
        **admin.site.each_context(request),
        "title": "Count stock",
        "locations": Location.objects.filter(is_active=True).order_by("priority", "code"),
        "default_location": sole.pk if sole else None,
        "can_act": _can_act(request),
        "token": uuid.uuid4(),
        "codes": {},
        "labels": {},
        "lookup_url": reverse("admin-stock-count-lookup"),
    }
    return TemplateResponse(request, "admin/inventory_app/stocklevel/count.html", context)


urlpatterns = [
    path(
        "admin/inventory_app/stocklevel/count/",
        admin.site.admin_view(stock_count_view),
        name="admin-stock-count",
    ),
    path(
        "admin/inventory_app/stocklevel/count/lookup/",
        admin.site.admin_view(stock_count_lookup_view),
        name="admin-stock-count-lookup",
    ),
]
