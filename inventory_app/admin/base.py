"""Shared admin behaviour: staff roles as admin permissions, read-only ledger, refusals from services.

Admin permissions follow the staff roles of the API (groups "viewer" < "operator" < "manager",
superusers have every role) in addition to Django's own model permissions: viewers may look,
operators may move stock and act on orders, managers may change the catalog and tokens.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import update_wrapper

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import path

from inventory_app.api.permissions import ROLE_RANK, user_role_rank
from inventory_app.errors import OrderError, StockError
from inventory_app.models import Location
from inventory_app.selectors.dashboard import location_sole_active


def role_allows(request: HttpRequest, role: str | None) -> bool:
    """True when the request's user holds ``role`` (or a higher one). ``None`` allows nobody."""
    if role is None:
        return False
    return request.user.is_staff and user_role_rank(request.user) >= ROLE_RANK[role]


def role_required(view: Callable, *, read: str, write: str | None = None) -> Callable:
    """Wrap an admin page: safe methods (GET, HEAD) need ``read``, the others ``write`` (default
    ``read``); below it the answer is 403 and the page never runs. The roles are kept on the
    view as ``admin_roles`` for the role matrix test."""
    write = write or read

    def checked(request: HttpRequest, *args, **kwargs):
        role = read if request.method in ("GET", "HEAD", "OPTIONS") else write
        if not role_allows(request, role):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    checked = update_wrapper(checked, view)
    checked.admin_roles = {"read": read, "write": write}
    return checked


class RoleAdmin(admin.ModelAdmin):
    """A ModelAdmin whose permissions are Django's, or the user's role: ``view_role``/``write_role``.

    Admin actions declare the role they need as an action permission, checked by Django both when
    listing and when running actions: ``@admin.action(permissions=["operator"])``. Own pages are
    registered with :meth:`role_path`.
    """

    view_role: str | None = "viewer"
    write_role: str | None = "manager"

    def has_viewer_permission(self, request) -> bool:
        return role_allows(request, "viewer")

    def has_operator_permission(self, request) -> bool:
        return role_allows(request, "operator")

    def has_manager_permission(self, request) -> bool:
        return role_allows(request, "manager")

    def role_path(self, route: str, view: Callable, *, name: str, read: str, write: str | None = None):
        """A URL of an own admin page, behind the admin login and :func:`role_required`."""
        return path(route, self.admin_site.admin_view(role_required(view, read=read, write=write)), name=name)

    def has_module_permission(self, request):
        return super().has_module_permission(request) or role_allows(request, self.view_role)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or role_allows(request, self.view_role)

    def has_add_permission(self, request):
        return super().has_add_permission(request) or role_allows(request, self.write_role)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) or role_allows(request, self.write_role)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        """A location field starts on the only active location when there is just one."""
        if db_field.related_model is Location and "initial" not in kwargs:
            sole = location_sole_active()
            if sole is not None:
                kwargs["initial"] = sole.pk
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ReadOnlyAdmin(RoleAdmin):
    """Nobody adds, changes or deletes through the admin (the ledger and the figures it keeps)."""

    write_role = None

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class Refused(Exception):
    """A service refused a save made through an admin form; the form's transaction is undone."""


def refusal_text(exc: Exception) -> str:
    """The message of a service's refusal (a validation error lists its messages)."""
    if isinstance(exc, ValidationError):
        return "; ".join(exc.messages)
    return str(exc)


class ServiceSaveAdmin(RoleAdmin):
    """Saves through a service (``service_save``); a refusal rolls the whole form back and shows why."""

    def service_save(self, request, obj, form, change) -> None:
        raise NotImplementedError

    def save_model(self, request, obj, form, change):
        try:
            self.service_save(request, obj, form, change)
        except (StockError, OrderError, ValidationError) as exc:
            raise Refused(refusal_text(exc)) from exc

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except Refused as exc:
            # The exception left changeform_view's transaction: nothing of the form was saved.
            self.message_user(request, f"Nothing was saved: {exc}", messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


NO_SAVE_BUTTONS = {"show_save": False, "show_save_and_continue": False, "show_save_and_add_another": False}


class NoSaveOnChangeMixin:
    """Change pages without save buttons (every field is read-only; actions do the work)."""

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return super().change_view(request, object_id, form_url, {**NO_SAVE_BUTTONS, **(extra_context or {})})


def model_fields(form, names) -> dict:
    """Cleaned values of the form fields in ``names`` that the form has."""
    return {name: form.cleaned_data[name] for name in names if name in form.cleaned_data}


def changed_fields(form, names) -> dict:
    """Cleaned values of the fields in ``names`` the user changed."""
    return {name: form.cleaned_data[name] for name in form.changed_data if name in names}
