"""Returns created from the admin: find the order by its reference, choose units per line, authorise.

The authorisation is made by ``return_authorization_create`` (which refuses more than was
shipped and not yet returned); receiving it (restock or write off) stays on the return list's
actions. Viewers may look an order up; operators (or add_returnauthorization) create.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from inventory_app.admin.base import role_allows
from inventory_app.errors import StockError
from inventory_app.models import Order, ReturnCondition, ReturnReason
from inventory_app.services.returns import ReturnLineInput, return_authorization_create


def _can_act(request) -> bool:
    return role_allows(request, "operator") or request.user.has_perm("inventory_app.add_returnauthorization")


def _lines(request, order: Order) -> tuple[list[ReturnLineInput], list[str]]:
    lines, errors = [], []
    for line in order.lines.all():
        raw = request.POST.get(f"qty-{line.pk}", "").strip() or "0"
        if not raw.isdigit():
            errors.append(f"{line.external_sku or line.pk}: {raw!r} is not a whole number of units")
        elif int(raw):
            lines.append(
                ReturnLineInput(
                    order_line_id=line.pk,
                    quantity=int(raw),
                    reason=request.POST.get(f"reason-{line.pk}", ReturnReason.OTHER),
                    condition=request.POST.get(f"condition-{line.pk}", ReturnCondition.NEW),
                )
            )
    if not lines and not errors:
        errors.append("enter the units coming back on at least one line")
    if any(x.reason not in ReturnReason.values or x.condition not in ReturnCondition.values for x in lines):
        errors.append("unknown reason or condition")
    return lines, errors


def return_start_view(request):
    """GET ?order=<reference>: the order's lines to return. POST: create the authorisation."""
    if not (
        role_allows(request, "viewer") or request.user.has_perm("inventory_app.view_returnauthorization")
    ):
        raise PermissionDenied
    reference = request.GET.get("order", "").strip()
    orders = (
        list(Order.objects.filter(external_ref=reference).select_related("channel")[:10]) if reference else []
    )
    order = orders[0] if len(orders) == 1 else None
    if "pk" in request.GET:
        order = Order.objects.filter(pk=request.GET.get("pk") or 0).select_related("channel").first()
    if request.method == "POST":
        if not _can_act(request) or order is None:
            raise PermissionDenied
        lines, errors = _lines(request, order)
        if not errors:
            try:
                rma = return_authorization_create(
                    order=order, lines=lines, note=request.POST.get("note", "").strip(), user=request.user
                )
            except StockError as exc:
                errors.append(str(exc))
            else:
                messages.success(request, f"Return {rma.number} authorised for order {order.external_ref}.")
                return HttpResponseRedirect(
                    reverse("admin:inventory_app_returnauthorization_change", args=[rma.pk])
                )
        for error in errors:
            messages.error(request, f"No return was created: {error}.")
    context = {
        **admin.site.each_context(request),
        "title": "Start a return",
        "reference": reference,
        "orders": orders,
        "order": order,
        "lines": list(order.lines.select_related("sku")) if order else [],
        "reasons": ReturnReason.choices,
        "conditions": ReturnCondition.choices,
        "can_act": _can_act(request),
    }
    return TemplateResponse(request, "admin/inventory_app/returnauthorization/start.html", context)


urlpatterns = [
    path(
        "admin/inventory_app/returnauthorization/start/",
        admin.site.admin_view(return_start_view),
        name="admin-return-start",
    ),
]
