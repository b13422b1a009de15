"""The role matrix of the admin, generated from the admin registry.

Every action and every own page of every registered ModelAdmin is listed in ``EXPECTED`` with the
API endpoint it matches (the role is read from that API view) or, where the API has none, the
role chosen here. An action or page added later without a role check, or without a row here,
fails; each is then tried as a staff user without a role, a viewer, an operator and a manager.
"""

from __future__ import annotations

import re

import pytest
from django.contrib import admin
from django.test import RequestFactory

from accounting_app.api.views import ConnectionViewSet, DocumentViewSet
from channels_app.api.views import ChannelAccountViewSet, InboundEventViewSet, ListingViewSet
from inventory_app.admin.base import RoleAdmin
from inventory_app.api.events import WebhookDeliveryViewSet, WebhookEndpointViewSet
from inventory_app.api.imports import CatalogImportView
from inventory_app.api.orders import OrderViewSet
from inventory_app.api.permissions import ROLE_RANK, ROLES
from inventory_app.api.purchasing.purchasing import PurchaseOrderViewSet, ReceiptViewSet
from inventory_app.api.purchasing.reports import ReorderSuggestionView
from inventory_app.api.purchasing.returns import ReturnAuthorizationViewSet
from inventory_app.api.stock import StockActionViewSet
from shipping_app.api.views import OrderExportView, OrderRatesView, ShipmentViewSet
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SUPERUSER = "superuser"  # only superusers (Django's own model permissions, which no role grants)


def api(view_class, action: str = "post") -> str:
    """The role the API view needs for ``action`` (a viewset action, or an HTTP method)."""
    if action in ("get", "head", "options"):
        return "viewer"
    view = view_class()
    view.action = action
    return getattr(view, "write_role", "manager")


# "<app_label>.<model>.<action>" and "<app_label>.<model>:<url name>" (own pages: read, write role).
EXPECTED = {
    "inventory_app.order.cancel_orders": api(OrderViewSet, "cancel"),
    "inventory_app.order.ship_all": api(OrderViewSet, "ship"),
    "inventory_app.purchaseorder.send": api(PurchaseOrderViewSet, "send"),
    "inventory_app.purchaseorder.receive_open": api(PurchaseOrderViewSet, "receive"),
    "inventory_app.purchaseorder.close": api(PurchaseOrderViewSet, "close"),
    "inventory_app.purchaseorder.cancel": api(PurchaseOrderViewSet, "cancel"),
    "inventory_app.receipt.reverse": api(ReceiptViewSet, "reverse"),
    "inventory_app.returnauthorization.receive_restock": api(ReturnAuthorizationViewSet, "receive"),
    "inventory_app.returnauthorization.receive_write_off": api(ReturnAuthorizationViewSet, "receive"),
    "inventory_app.returnauthorization.cancel": api(ReturnAuthorizationViewSet, "cancel"),
    # The admin lists everyone's tokens; the API lets each role revoke only its own.
    "inventory_app.apitoken.revoke": "manager",
    "inventory_app.webhookendpoint.rotate_secret": api(WebhookEndpointViewSet, "rotate_secret"),
    "inventory_app.webhookendpoint.enable": api(WebhookEndpointViewSet, "enable"),
    "inventory_app.webhookendpoint.disable": api(WebhookEndpointViewSet, "disable"),
    "inventory_app.webhookdelivery.redeliver": api(WebhookDeliveryViewSet, "redeliver"),
    "channels_app.channelaccount.sync_now": api(ChannelAccountViewSet, "sync_now"),
    "channels_app.channelaccount.reconcile_now": api(ChannelAccountViewSet, "sync_now"),
    "channels_app.channelaccount.full_push": api(ChannelAccountViewSet, "sync_now"),
    "channels_app.channelaccount.import_listings": api(ChannelAccountViewSet, "import_listings"),
    "channels_app.channelaccount.go_live": api(ChannelAccountViewSet, "go_live"),
    "channels_app.channelaccount.register_webhooks": api(ChannelAccountViewSet, "register_webhooks"),
    "channels_app.listing.retry_push": api(ListingViewSet, "retry"),
    "channels_app.listing.unlink": api(ListingViewSet, "unlink"),
    "channels_app.inboundevent.retry": api(InboundEventViewSet, "retry"),
    "channels_app.channelorderpush.try_again": api(InboundEventViewSet, "retry"),
    # No API endpoint: polling is "sync now" of a shipping account; subscribing webhooks
    # configures the vendor account, as registering a channel's webhooks does.
    "shipping_app.shippingaccount.poll_now": api(ChannelAccountViewSet, "sync_now"),
    "shipping_app.shippingaccount.export_now": api(OrderExportView),
    "shipping_app.shippingaccount.subscribe_webhooks": api(ChannelAccountViewSet, "register_webhooks"),
    "shipping_app.orderexport.send_again": api(OrderExportView),
    "shipping_app.shippingwebhookevent.process_again": api(InboundEventViewSet, "retry"),
    "accounting_app.exportdocument.retry": api(DocumentViewSet, "retry"),
    "inventory_app.sku:inventory_app_sku_import": (api(CatalogImportView), api(CatalogImportView)),
    # A job's page polls its state; starting a job needs the role of the action that starts it.
    "inventory_app.backgroundjob:inventory_app_backgroundjob_state": ("viewer", "viewer"),
    "inventory_app.sku:inventory_app_sku_stock": ("viewer", api(StockActionViewSet, "adjust")),
    "inventory_app.reorderrule:inventory_app_reorderrule_needs": (
        api(ReorderSuggestionView, "get"),
        api(ReorderSuggestionView),
    ),
    "shipping_app.shipment:shipping_rate_order": (api(OrderRatesView), api(OrderRatesView)),
    "shipping_app.shipment:shipping_buy_label": (api(ShipmentViewSet, "buy"), api(ShipmentViewSet, "buy")),
    # Connecting a channel account configures it, as creating one does.
    "channels_app.channelaccount:channels_app_channelaccount_connect": (
        api(ChannelAccountViewSet, "create"),
        api(ChannelAccountViewSet, "create"),
    ),
    "channels_app.channelaccount:channels_app_channelaccount_connect_callback": (
        api(ChannelAccountViewSet, "create"),
        api(ChannelAccountViewSet, "create"),
    ),
    "accounting_app.accountingconnection:accounting_app_accountingconnection_connect": (
        api(ConnectionViewSet, "export"),
        api(ConnectionViewSet, "export"),
    ),
    "accounting_app.accountingconnection:accounting_app_accountingconnection_oauth_callback": (
        api(ConnectionViewSet, "export"),
        api(ConnectionViewSet, "export"),
    ),
    "accounting_app.accountingconnection:accounting_app_accountingconnection_preview": (
        api(ConnectionViewSet, "get"),
        api(ConnectionViewSet, "export"),
    ),
}
CALLERS = (None, *ROLES)  # None: a staff user without a role


def _registry():
    return sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label_lower)


def _actions() -> list[tuple[str, admin.ModelAdmin, str, object]]:
    found = []
    for model, model_admin in _registry():
        for func, name, _ in model_admin._get_base_actions():
            found.append((f"{model._meta.label_lower}.{name}", model_admin, name, func))
    return found


def _own_pages() -> list[tuple[str, object, admin.ModelAdmin]]:
    found = []
    for model, model_admin in _registry():
        standard = {str(u.pattern) for u in admin.ModelAdmin.get_urls(model_admin)}
        for url in model_admin.get_urls():
            if str(url.pattern) not in standard:
                found.append((f"{model._meta.label_lower}:{url.name}", url, model_admin))
    return found


def _request(role: str | None):
    request = RequestFactory().post("/")
    request.user = UserFactory(role=role) if role else UserFactory(username="norole")
    return request


def _allowed(role: str | None, needed: str) -> bool:
    return role is not None and needed != SUPERUSER and ROLE_RANK[role] >= ROLE_RANK[needed]


def test_every_action_and_own_page_has_a_row_in_the_matrix():
    found = [(key, model_admin) for key, model_admin, *_ in _actions()]
    found += [(key, model_admin) for key, _, model_admin in _own_pages()]
    ours = {key for key, model_admin in found if isinstance(model_admin, RoleAdmin)}
    theirs = {key for key, model_admin in found if not isinstance(model_admin, RoleAdmin)}
    names = {key for key in ours if not key.endswith(".delete_selected")}

    assert names == set(EXPECTED), "add each new admin action/page with its API role"
    # Admins of other libraries: only for users with Django's model permissions (no role grants one).
    assert {key for key in theirs if not key.endswith(".delete_selected")} == {
        "django_celery_beat.periodictask.enable_tasks",
        "django_celery_beat.periodictask.disable_tasks",
        "django_celery_beat.periodictask.toggle_tasks",
        "django_celery_beat.periodictask.run_tasks",
        "auth.user:auth_user_password_change",
        "axes.accessattempt.cleanup_expired_attempts",
    }


@pytest.mark.parametrize("key", [key for key, *_ in _actions()])
def test_action_runs_only_for_its_role(key):
    (model_admin, name, func) = next((m, n, f) for k, m, n, f in _actions() if k == key)
    if name == "delete_selected" or not isinstance(model_admin, RoleAdmin):
        needed = SUPERUSER  # Django's model permissions (delete, or a third-party admin's own)
    else:
        # The one mechanism: Django's action permissions, naming the role.
        assert list(func.allowed_permissions) in ([role] for role in ROLES), func.allowed_permissions
        assert [func.allowed_permissions[0]] == [EXPECTED[key]]
        needed = EXPECTED[key]

    for role in CALLERS:
        request = _request(role)
        # Django runs an action only from a changelist the user may see, and only one that
        # get_actions lists for the user (response_action looks it up there).
        runs = model_admin.has_view_or_change_permission(request) and name in model_admin.get_actions(request)
        assert runs == _allowed(role, needed), (key, role)


@pytest.mark.parametrize("key", [key for key, *_ in _own_pages()])
def test_own_page_answers_403_below_its_role(client, key):
    url, model_admin = next((u, m) for k, u, m in _own_pages() if k == key)
    if isinstance(model_admin, RoleAdmin):
        read, write = EXPECTED[key]
        assert url.callback.admin_roles == {"read": read, "write": write}
    else:
        read = write = SUPERUSER
    path = "/admin/" + re.sub(r"<(?:\w+:)?(\w+)>", "999999", str(url.pattern))
    prefix = {m._meta.label_lower: f"{m._meta.app_label}/{m._meta.model_name}/" for m in admin.site._registry}
    path = "/admin/" + prefix[key.split(":")[0]] + path.removeprefix("/admin/")

    for role in CALLERS:
        client.force_login(UserFactory(role=role) if role else UserFactory(username="norole"))
        got = client.get(path).status_code
        posted = client.post(path, {}).status_code

        assert (got != 403) == _allowed(role, read) and got < 500, (key, role, got)
        assert (posted != 403) == _allowed(role, write) and posted < 500, (key, role, posted)
