"""Listing admin: link state, push state and failures, the published-quantity explanation."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from channels_app.models import Listing
from channels_app.selectors.quantities import listing_quantity_explain
from channels_app.services.actions import RULE_FIELDS, listing_push_retry, listing_rules_set
from channels_app.services.onboarding import listing_link, listing_unlink
from inventory_app.admin.base import ServiceSaveAdmin, changed_fields


class LinkedFilter(admin.SimpleListFilter):
    """Linked to a SKU or not (the unlinked list staff work through)."""

    title = "linked"
    parameter_name = "linked"

    def lookups(self, request, model_admin):
        return (("yes", "Linked"), ("no", "Unlinked"))

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(sku__isnull=False)
        if self.value() == "no":
            return queryset.filter(sku__isnull=True)
        return queryset


class FailingFilter(admin.SimpleListFilter):
    """Listings whose push keeps failing."""

    title = "push failing"
    parameter_name = "failing"

    def lookups(self, request, model_admin):
        return (("yes", "Failing"),)

    def queryset(self, request, queryset):
        return queryset.filter(needs_push=True, push_failures__gt=0) if self.value() == "yes" else queryset


@admin.register(Listing)
class ListingAdmin(ServiceSaveAdmin):
    """Listings; SKU link and rule overrides are saved through the services."""

    write_role = "operator"
    list_display = ("external_id", "account", "external_sku", "sku", "last_pushed_qty", "last_seen_qty",
                    "needs_push", "push_failures", "last_error")  # fmt: skip
    list_filter = ("account", LinkedFilter, FailingFilter, "needs_push")
    search_fields = ("external_id", "external_sku", "title", "sku__code")
    autocomplete_fields = ("sku",)
    fields = ("account", "external_id", "external_sku", "title", "sku", *RULE_FIELDS, "explanation",
              "last_pushed_qty", "last_pushed_at", "last_seen_qty", "last_seen_at", "needs_push",
              "dirty_since", "next_attempt_at", "push_failures", "last_error")  # fmt: skip
    readonly_fields = ("account", "external_id", "external_sku", "title", "explanation", "last_pushed_qty",
                       "last_pushed_at", "last_seen_qty", "last_seen_at", "needs_push", "dirty_since",
                       "next_attempt_at", "push_failures", "last_error")  # fmt: skip
    actions = ("retry_push", "unlink")

    def has_add_permission(self, request):
        return False

    @admin.display(description="published quantity")
    def explanation(self, obj):
        return listing_quantity_explain(listing=obj) if obj.pk else ""

    def service_save(self, request, obj, form, change) -> None:
        if "sku" in form.changed_data:
            sku = form.cleaned_data["sku"]
            if sku is None:
                listing_unlink(listing=obj)
            else:
                listing_link(listing=obj, sku_id=sku.pk)
        rules = changed_fields(form, RULE_FIELDS)
        if rules:
            try:
                listing_rules_set(listing=obj, rules=rules)
            except Exception as exc:
                raise ValidationError(str(exc)) from exc

    @admin.action(description="Retry push now", permissions=["operator"])
    def retry_push(self, request, queryset):
        for listing in queryset:
            listing_push_retry(listing=listing)
        self.message_user(request, f"{queryset.count()} listing(s) queued", messages.SUCCESS)

    @admin.action(description="Unlink from SKU", permissions=["operator"])
    def unlink(self, request, queryset):
        for listing in queryset:
            listing_unlink(listing=listing)
        self.message_user(request, f"{queryset.count()} listing(s) unlinked", messages.SUCCESS)
