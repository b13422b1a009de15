"""Admin of API tokens: issue (the plain key is shown once, in a message), list, revoke.

The key hash is never shown; a token is revoked, not deleted, so its history stays.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.utils import timezone

from inventory_app.admin.base import NoSaveOnChangeMixin, RoleAdmin
from inventory_app.models import ApiToken
from inventory_app.services.tokens import api_token_issue, api_token_revoke

SHOWN_FIELDS = (
    "user",
    "name",
    "prefix",
    "created_at",
    "expires_at",
    "last_used_at",
    "revoked_at",
    "created_by_token",
)


@admin.register(ApiToken)
class ApiTokenAdmin(NoSaveOnChangeMixin, RoleAdmin):
    """Integrators' bearer tokens."""

    list_display = (
        "name",
        "user",
        "prefix",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
        "live",
    )
    list_filter = (("revoked_at", admin.EmptyFieldListFilter),)
    search_fields = ("name", "prefix", "user__username")
    list_select_related = ("user",)
    actions = ["revoke"]

    def get_fields(self, request, obj=None):
        return ("user", "name", "expires_at") if obj is None else SHOWN_FIELDS

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else SHOWN_FIELDS

    def has_delete_permission(self, request, obj=None):
        return False

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            # A token acts as its user: only a superuser may issue one that acts as a superuser.
            users = get_user_model().objects.filter(is_active=True).order_by("username")
            kwargs["queryset"] = users if request.user.is_superuser else users.filter(is_superuser=False)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(boolean=True, description="Live")
    def live(self, obj: ApiToken) -> bool:
        return obj.revoked_at is None and (obj.expires_at is None or obj.expires_at > timezone.now())

    def save_model(self, request, obj, form, change):
        if change:
            return  # every field is read-only once issued
        data = form.cleaned_data
        token, key = api_token_issue(user=data["user"], name=data["name"], expires_at=data["expires_at"])
        for name in ("pk", "prefix", "key_hash", "created_at"):
            setattr(obj, name, getattr(token, name))
        obj._state.adding = False
        messages.warning(
            request,
            f"Token key (shown only this once, copy it now): {key}",
        )

    @admin.action(description="Revoke selected tokens", permissions=["manager"])
    def revoke(self, request, queryset):
        count = 0
        for token in queryset.filter(revoked_at__isnull=True):
            api_token_revoke(token=token)
            count += 1
        self.message_user(request, f"{count} token(s) revoked.", messages.SUCCESS)
