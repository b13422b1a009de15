"""Shipping accounts in the admin: credentials are write-only and encrypted by the service."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db import transaction

from inventory_app.admin.base import RoleAdmin, role_allows
from shipping_app.errors import ShippingError
from shipping_app.models import ShippingAccount
from shipping_app.providers.base import ProviderError
from shipping_app.providers.registry import provider_choices, provider_class_get
from shipping_app.services.accounts import (
    shipping_account_create,
    shipping_account_credentials_set,
    shipping_account_webhook_subscribe,
)


def _parse_credentials(text: str) -> dict[str, str]:
    pairs = {}
    for raw in text.splitlines():
        if "=" in raw:
            key, _, value = raw.partition("=")
            if key.strip():
                pairs[key.strip()] = value.strip()
    return pairs


class ShippingAccountForm(forms.ModelForm):
    """Account fields plus write-only credentials, one ``name=value`` per line."""

    provider = forms.ChoiceField(choices=())
    base_url = forms.URLField(max_length=500, assume_scheme="https", help_text="The vendor's API root")
    credentials = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "off"}),
        required=False,
        help_text="One name=value per line (e.g. api_key=..., api_secret=...). Never shown again; "
        "leave empty to keep the stored credentials.",
    )

    class Meta:
        model = ShippingAccount
        fields = ["provider", "name", "base_url", "options", "enabled", "export_orders", "sales_channels"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].choices = provider_choices()

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None and cleaned.get("provider"):
            given = _parse_credentials(cleaned.get("credentials") or "")
            missing = [
                f for f in provider_class_get(kind=cleaned["provider"]).credential_fields if not given.get(f)
            ]
            if missing:
                self.add_error("credentials", f"Missing: {', '.join(missing)}")
        return cleaned


@admin.register(ShippingAccount)
class ShippingAccountAdmin(RoleAdmin):
    """Accounts; managers change them. Actions queue a poll or the pending exports."""

    form = ShippingAccountForm
    list_display = ["name", "provider", "enabled", "export_orders", "last_poll_at", "last_error"]
    list_filter = ["provider", "enabled"]
    readonly_fields = ["webhook_token", "shipments_synced_at", "last_poll_at", "last_error"]
    actions = ["poll_now", "export_now", "subscribe_webhooks"]

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        # The webhook token is a secret of the account: managers only.
        return fields if role_allows(request, "manager") else [f for f in fields if f != "webhook_token"]

    def save_model(self, request, obj, form, change):
        credentials = _parse_credentials(form.cleaned_data.get("credentials") or "")
        if not change:
            created = shipping_account_create(
                provider=form.cleaned_data["provider"],
                name=obj.name,
                base_url=obj.base_url,
                credentials=credentials,
                options=obj.options,
                export_orders=obj.export_orders,
            )
            obj.pk = created.pk
            obj.credentials_encrypted = created.credentials_encrypted
            obj.webhook_token = created.webhook_token
            obj.created_at = created.created_at
            return
        super().save_model(request, obj, form, change)
        if credentials:
            shipping_account_credentials_set(account=obj, credentials=credentials)

    @admin.action(description="Poll shipments now", permissions=["operator"])
    def poll_now(self, request, queryset):
        from shipping_app.tasks import account_poll_task

        for account_id in queryset.values_list("pk", flat=True):
            transaction.on_commit(lambda a=account_id: account_poll_task.delay(a))
        messages.info(request, "Polls queued.")

    @admin.action(description="Subscribe the vendor's webhooks to this site", permissions=["manager"])
    def subscribe_webhooks(self, request, queryset):
        site_url = request.build_absolute_uri("/")
        for account in queryset:
            try:
                hook_id = shipping_account_webhook_subscribe(account=account, site_url=site_url)
            except (ShippingError, ProviderError) as exc:
                messages.error(request, f"{account}: {exc}")
            else:
                messages.info(request, f"{account}: subscribed ({hook_id}).")

    @admin.action(description="Send pending orders now", permissions=["operator"])
    def export_now(self, request, queryset):
        from shipping_app.services.exports import orders_export_pending
        from shipping_app.tasks import order_export_task

        queued = 0
        for account in queryset.filter(export_orders=True):
            for order_id in orders_export_pending(account=account):
                transaction.on_commit(lambda a=account.pk, o=order_id: order_export_task.delay(a, o))
                queued += 1
        messages.info(request, f"{queued} export(s) queued.")
