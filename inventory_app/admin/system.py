"""The "System" section: Celery beat's scheduling models, for superusers only and out of staff's way.

Staff roles (viewer, operator, manager) never see or change the schedules; a superuser finds
them under "System: scheduled jobs", listed after the business sections.
"""

from __future__ import annotations

from django.apps import apps
from django.contrib import admin

SYSTEM_APPS = ("django_celery_beat",)


class SuperuserOnlyMixin:
    """Every admin permission for superusers alone."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request, *args):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_delete_permission(self, request, obj=None):
        return self.has_module_permission(request)


def system_admins_restrict(site: admin.AdminSite = admin.site) -> None:
    """Re-register the system apps' ModelAdmins as superuser-only, and name their section."""
    for label in SYSTEM_APPS:
        if not apps.is_installed(label):
            continue
        apps.get_app_config(label).verbose_name = "System: scheduled jobs (Celery beat)"
        for model, model_admin in list(site._registry.items()):
            if model._meta.app_label != label or isinstance(model_admin, SuperuserOnlyMixin):
                continue
            restricted = type(
                f"System{type(model_admin).__name__}", (SuperuserOnlyMixin, type(model_admin)), {}
            )
            site.unregister(model)
            site.register(model, restricted)


system_admins_restrict()
