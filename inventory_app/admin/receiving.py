"""Purchasing as pages: send a draft, and receive a purchase order line by line or by scanner.

The receiving page works on a phone and with a USB barcode scanner (which types the barcode and
Enter): each scan finds the line by the SKU's barcode or code and adds one; the running totals
show on the page, and "Receive" posts the whole batch as one receipt through
``purchase_order_receive`` with one idempotency key (the page's token: a resubmitted page
receives nothing twice). Viewers read; operators (or staff with change_purchaseorder) act.
"""

from __future__ import annotations

import uuid

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse

from inventory_app.admin.base import role_allows
from inventory_app.errors import StockError
from inventory_app.models import Location, PurchaseOrder, PurchaseOrderStatus
from inventory_app.selectors.dashboard import location_sole_active
from inventory_app.services.purchasing import purchase_order_receive, purchase_order_send

RECEIVABLE = (PurchaseOrderStatus.SENT, PurchaseOrderStatus.PARTIALLY_RECEIVED)


def _can_act(request) -> bool:
    return role_allows(request, "operator") or request.user.has_perm("inventory_app.change_purchaseorder")


def _can_view(request) -> bool:
    return role_allows(request, "viewer") or request.user.has_perm("inventory_app.view_purchaseorder")


def _change_url(order: PurchaseOrder) -> str:
    return reverse("admin:inventory_app_purchaseorder_change", args=[order.pk])


def purchase_order_send_view(request, pk: int):
    """POST: send the draft to its supplier; back to the order's page with the outcome."""
    if request.method != "POST" or not _can_act(request):
        raise PermissionDenied
    order = get_object_or_404(PurchaseOrder, pk=pk)
    try:
        purchase_order_send(purchase_order=order)
    except StockError as exc:
        messages.error(request, f"{order.number} not sent: {exc}")
    else:
        messages.success(request, f"{order.number} sent: it can be received now.")
    return HttpResponseRedirect(_change_url(order))


def _quantities(request, lines) -> tuple[dict[int, int], list[str]]:
    quantities, errors = {}, []
    for line in lines:
        raw = request.POST.get(f"qty-{line.pk}", "").strip() or "0"
        try:
            units = int(raw)
        except ValueError:
            errors.append(f"{line.sku.code}: {raw!r} is not a whole number")
            continue
        if units < 0:
            errors.append(f"{line.sku.code}: a quantity cannot be negative")
        elif units:
            quantities[line.pk] = units
    if not quantities and not errors:
        errors.append("Enter or scan at least one unit")
    return quantities, errors


def _receive(request, order: PurchaseOrder, lines) -> bool:
    quantities, errors = _quantities(request, lines)
    location = Location.objects.filter(pk=request.POST.get("location") or 0, is_active=True).first()
    if location is None:
        errors.append("Choose the location the goods go into")
    if errors:
        for error in errors:
            messages.error(request, f"Nothing was received: {error}.")
        return False
    try:
        receipt = purchase_order_receive(
            purchase_order=order,
            location=location,
            quantities=quantities,
            reference=request.POST.get("reference", "").strip()[:128],
            user=request.user,
            idempotency_key=f"admin-receive:{request.POST.get('token', '')}",
        )
    except StockError as exc:
        messages.error(request, f"Nothing was received: {exc}")
        return False
    units = sum(line.quantity for line in receipt.lines.all())
    messages.success(
        request, f"{order.number}: {units} unit(s) received into {location.code} (receipt {receipt.pk})."
    )
    return True


def purchase_order_receive_view(request, pk: int):
    """GET: the open lines with quantity boxes and the scanner field. POST: receive them as one receipt."""
    if not _can_view(request):
        raise PermissionDenied
    order = get_object_or_404(PurchaseOrder.objects.select_related("supplier", "location"), pk=pk)
    lines = list(order.lines.select_related("sku").order_by("pk"))
    if request.method == "POST":
        if not _can_act(request):
            raise PermissionDenied
        token_ok = _is_uuid(request.POST.get("token", ""))
        if not token_ok:
            messages.error(request, "Nothing was received: the page is out of date; reload it.")
        elif _receive(request, order, lines):
            return HttpResponseRedirect(reverse("admin-purchaseorder-receive", args=[order.pk]))
    codes: dict[str, int] = {}
    for line in lines:
        if line.quantity_ordered > line.quantity_received:
            codes.setdefault(line.sku.code, line.pk)
            if line.sku.barcode:
                codes.setdefault(line.sku.barcode, line.pk)
    locations = Location.objects.filter(is_active=True).order_by("priority", "code")
    default = order.location or location_sole_active()
    context = {
        **admin.site.each_context(request),
        "opts": PurchaseOrder._meta,
        "title": f"Receive {order.number} from {order.supplier}",
        "order": order,
        "rows": [
            {"line": line, "open": max(line.quantity_ordered - line.quantity_received, 0)} for line in lines
        ],
        "receivable": order.status in RECEIVABLE,
        "can_act": _can_act(request),
        "locations": locations,
        "default_location": default.pk if default else None,
        "codes": codes,
        "labels": {line.pk: line.sku.code for line in lines},
        "token": uuid.uuid4(),
        "order_url": _change_url(order),
    }
    return TemplateResponse(request, "admin/inventory_app/purchaseorder/receive.html", context)


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


urlpatterns = [
    path(
        "admin/inventory_app/purchaseorder/<int:pk>/receive/",
        admin.site.admin_view(purchase_order_receive_view),
        name="admin-purchaseorder-receive",
    ),
    path(
        "admin/inventory_app/purchaseorder/<int:pk>/send/",
        admin.site.admin_view(purchase_order_send_view),
        name="admin-purchaseorder-send",
    ),
]
