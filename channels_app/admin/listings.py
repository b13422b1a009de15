"""Listing admin: link state, push state and failures, the published-quantity explanation."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.html import format_html

from channels_app.models import Listing
from channels_app.selectors.quantities import (
    listing_channel_shows,
    listing_quantity_explain,
    listings_targets,
)
from channels_app.selectors.search import listings_search_filter
from channels_app.services.actions import RULE_FIELDS, listing_push_retry, listing_rules_set
from channels_app.services.onboarding import listing_link, listing_unlink
from inventory_app.admin.base import ServiceSaveAdmin, changed_fields
from inventory_app.admin.paging import EstimatedCountPaginator
from inventory_app.admin.search import IndexedSearchMixin


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
class ListingAdmin(IndexedSearchMixin, ServiceSaveAdmin):
    """Listings; SKU link and rule overrides are saved through the services."""

    write_role = "operator"
    # What staff compare first (ours, theirs, the gap, why it fails); the raw figures are on the page.
    list_display = ("external_id", "account", "sku", "target", "channel_shows", "difference", "push_failures",
                    "error", "needs_push")  # fmt: skip
    list_select_related = ("account", "sku")
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    list_filter = ("account", LinkedFilter, FailingFilter, "needs_push")
    search_fields = ("external_id",)  # searched by listings_search_filter: also channel SKU, title, SKU code
    search_help_text = "Channel listing id, channel SKU, title or linked SKU code."
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

    def search_filter(self, *, term: str):
        return listings_search_filter(term=term)

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        page = list(changelist.result_list)
        targets = listings_targets(listings=page)
        for listing in page:
            listing.target_qty = targets.get(listing.pk)
            listing.shown_qty = listing_channel_shows(listing=listing)
        changelist.result_list = page
        return changelist

    @admin.display(description="our target")
    def target(self, obj):
        return "-" if getattr(obj, "target_qty", None) is None else obj.target_qty

    @admin.display(description="channel shows")
    def channel_shows(self, obj):
        shown = getattr(obj, "shown_qty", None)
        return "unknown" if shown is None else shown

    @admin.display(description="difference")
    def difference(self, obj):
        target, shown = getattr(obj, "target_qty", None), getattr(obj, "shown_qty", None)
        if target is None or shown is None:
            return "-"
        if shown == target:
            return "0"
        return format_html('<strong class="errornote-inline">{}</strong>', f"{shown - target:+d}")

    @admin.display(description="last error")
    def error(self, obj):
        if not obj.last_error:
            return ""
        return format_html('<span style="white-space: pre-wrap; color: #ba2121">{}</span>', obj.last_error)

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
