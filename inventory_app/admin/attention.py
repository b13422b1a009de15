"""The exceptions queue page of one order: why it needs attention, its history, acknowledge/resolve.

Viewers read it; operators (or staff with Django's change permission on orders) act. Every
action goes through ``inventory_app.services.orders.attention``.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse

from inventory_app.admin.base import role_allows
from inventory_app.errors import OrderError
from inventory_app.models import Order
from inventory_app.services.orders.attention import order_attention_acknowledge, order_attention_resolve

ACTIONS = {"acknowledge": order_attention_acknowledge, "resolve": order_attention_resolve}


def _can_act(request) -> bool:
    return role_allows(request, "operator") or request.user.has_perm("inventory_app.change_order")


def _can_view(request) -> bool:
    return role_allows(request, "viewer") or request.user.has_perm("inventory_app.view_order")


def order_attention_view(request, pk: int):
    """GET: the order's reason and attention history. POST ``action`` (acknowledge/resolve) + ``note``."""
    if not _can_view(request):
        raise PermissionDenied
    order = get_object_or_404(Order.objects.select_related("channel"), pk=pk)
    if request.method == "POST":
        if not _can_act(request):
            raise PermissionDenied
        action = ACTIONS.get(request.POST.get("action", ""))
        if action is None:
            messages.error(request, "Nothing was done: choose acknowledge or resolve.")
        else:
            try:
                action(order=order, user=request.user, note=request.POST.get("note", "").strip())
            except OrderError as exc:
                messages.error(request, f"Nothing was done: {exc}")
            else:
                messages.success(request, f"Order {order.external_ref}: {request.POST['action']}d.")
        return HttpResponseRedirect(reverse("admin-order-attention", args=[order.pk]))
    context = {
        **admin.site.each_context(request),
        "opts": Order._meta,
        "title": f"Order {order.external_ref}: attention",
        "order": order,
        "events": order.attention_events.select_related("user").order_by("-pk"),
        "can_act": _can_act(request),
        "order_url": reverse("admin:inventory_app_order_change", args=[order.pk]),
    }
    return TemplateResponse(request, "admin/inventory_app/order/attention.html", context)


urlpatterns = [
    path(
        "admin/inventory_app/order/<int:pk>/attention/",
        admin.site.admin_view(order_attention_view),
        name="admin-order-attention",
    ),
]
