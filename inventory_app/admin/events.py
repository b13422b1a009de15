"""Admin of events (read-only), webhook endpoints (managers) and the delivery log.

Endpoints are registered and changed through the event services: the signing secret is shown
once, in a message, when an endpoint is created or its secret rotated.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages

from inventory_app.admin.base import ReadOnlyAdmin, ServiceSaveAdmin
from inventory_app.models import Event, EventType, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from inventory_app.services.events.endpoints import (
    webhook_delivery_redeliver,
    webhook_endpoint_create,
    webhook_endpoint_disable,
    webhook_endpoint_enable,
    webhook_endpoint_secret_rotate,
    webhook_endpoint_update,
)


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    """Events for integrators, in publication order (unpublished ones have no sequence yet)."""

    list_display = ("seq", "type", "key", "occurred_at", "published_at")
    list_filter = ("type",)
    search_fields = ("key",)
    ordering = ("-pk",)
    readonly_fields = ("public_id", "type", "key", "seq", "occurred_at", "published_at", "payload")
    fields = readonly_fields

    def has_change_permission(self, request, obj=None):
        return False


class WebhookEndpointForm(forms.ModelForm):
    event_types = forms.MultipleChoiceField(choices=EventType.choices, widget=forms.CheckboxSelectMultiple)

    url = forms.URLField(max_length=500, assume_scheme="https")

    class Meta:
        model = WebhookEndpoint
        fields = ("url", "description", "event_types")


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ServiceSaveAdmin):
    """Where events are delivered; managers register, rotate, enable and disable them."""

    form = WebhookEndpointForm
    write_role = "manager"
    list_display = ("url", "description", "is_active", "failing_since", "disabled_at", "created_at")
    list_filter = ("is_active",)
    search_fields = ("url", "description")
    readonly_fields = (
        "is_active",
        "failing_since",
        "disabled_at",
        "disabled_reason",
        "previous_secret_until",
        "created_by",
        "created_at",
    )
    actions = ["rotate_secret", "enable", "disable"]

    def service_save(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in ("url", "event_types", "description")}
        if change:
            webhook_endpoint_update(endpoint=obj, **data)
            return
        endpoint, secret = webhook_endpoint_create(user=request.user, **data)
        obj.pk, obj.created_at = endpoint.pk, endpoint.created_at
        obj._state.adding = False
        messages.warning(
            request, f"Signing secret of {endpoint.url} (shown only this once, copy it now): {secret}"
        )

    @admin.action(description="Rotate the signing secret", permissions=["manager"])
    def rotate_secret(self, request, queryset):
        for endpoint in queryset:
            endpoint, secret = webhook_endpoint_secret_rotate(endpoint=endpoint)
            messages.warning(
                request,
                f"New signing secret of {endpoint.url} (shown only this once; the old one also signs "
                f"until {endpoint.previous_secret_until:%Y-%m-%d %H:%M} UTC): {secret}",
            )

    @admin.action(description="Enable (deliver what was missed, in order)", permissions=["manager"])
    def enable(self, request, queryset):
        for endpoint in queryset:
            pending = webhook_endpoint_enable(endpoint=endpoint)
            messages.success(request, f"{endpoint.url}: enabled, {pending} deliveries pending.")

    @admin.action(description="Disable", permissions=["manager"])
    def disable(self, request, queryset):
        done = sum(
            webhook_endpoint_disable(endpoint=e, reason=f"Disabled by {request.user}") for e in queryset
        )
        messages.success(request, f"{done} endpoint(s) disabled.")


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    fields = ("attempted_at", "status_code", "error", "duration_ms")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    """The delivery log: each event sent to each endpoint, with every try."""

    list_display = ("seq", "event", "endpoint", "status", "attempts", "last_status_code", "next_attempt_at")
    list_filter = ("status", "endpoint")
    search_fields = ("key",)
    list_select_related = ("event", "endpoint")
    inlines = [WebhookAttemptInline]
    actions = ["redeliver"]
    readonly_fields = (
        "endpoint",
        "event",
        "seq",
        "key",
        "status",
        "attempts",
        "next_attempt_at",
        "give_up_at",
        "last_attempt_at",
        "last_status_code",
        "last_error",
        "delivered_at",
        "created_at",
    )
    fields = readonly_fields

    @admin.action(description="Redeliver now", permissions=["manager"])
    def redeliver(self, request, queryset):
        for delivery in queryset.order_by("seq"):
            webhook_delivery_redeliver(delivery=delivery)
        messages.success(request, f"{queryset.count()} delivery(ies) queued again.")
