"""Channel account admin: health columns, write-only credentials, sync/retry/go-live actions."""

from __future__ import annotations

import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import escape, format_html

from channels_app.admin.shopify import ShopifyCredentialsMixin, connect_callback_view, connect_start_view
from channels_app.connectors.base import SpendsDailyBudget
from channels_app.connectors.options import option_summary, options_problems
from channels_app.connectors.registry import connector_class_get, connector_kinds
from channels_app.models import ChannelAccount
from channels_app.notifications.webhook_subscriptions import account_webhooks_register
from channels_app.selectors.connection import account_connection
from channels_app.selectors.state import account_sync_state
from channels_app.services.accounts import AccountError, account_create
from channels_app.services.actions import ACCOUNT_FIELDS, account_sync_now, account_update
from channels_app.services.jobs import account_full_push_start, account_listings_import_start
from channels_app.services.onboarding import account_go_live
from inventory_app.admin.base import ServiceSaveAdmin, changed_fields, model_fields, role_allows
from inventory_app.admin.jobs import jobs_redirect

# They hold the account's secret webhook token: shown to managers only.
TOKEN_FIELDS = ("webhook_path", "webhooks_url")


class AccountForm(ShopifyCredentialsMixin, forms.ModelForm):
    """Credentials are typed as JSON (Shopify: in its own fields, per connection mode) and never
    rendered back (the fields are always empty)."""

    kind = forms.ChoiceField(choices=())
    base_url = forms.URLField(max_length=500, assume_scheme="https")
    credentials_json = forms.CharField(
        label="Credentials (JSON)",
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text='e.g. {"api_key": "...", "webhook_secret": "..."} (Shopify: use the Shopify fields '
        "below); leave empty to keep the current ones",
    )

    class Meta:
        model = ChannelAccount
        fields = ["kind", "name", "base_url", "options", "enabled", "dry_run", "locations", "buffer",
                  "percentage", "max_published", "min_published", "adaptive_buffer", "oversell_risk_percent",
                  "poll_interval_seconds"]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k, k) for k in connector_kinds()]
        if self.instance.pk:
            self.fields["kind"].disabled = True
        kinds = [self.instance.kind] if self.instance.pk else connector_kinds()
        if "options" not in self.fields:  # read-only for this role
            return
        self.fields["options"].help_text = escape(
            "; ".join(
                f"{kind}: "
                + (", ".join(option_summary(o) for o in connector_class_get(kind=kind).options) or "none")
                for kind in kinds
            )
        )  # the admin renders help texts as HTML

    def clean_credentials_json(self) -> dict | None:
        text = self.cleaned_data.get("credentials_json") or ""
        if not text.strip():
            return None
        try:
            value = json.loads(text)
        except ValueError:
            raise ValidationError("Not valid JSON") from None
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            raise ValidationError("A JSON object of strings")
        return value

    def clean(self):
        data = super().clean()
        kind = data.get("kind") or self.instance.kind
        shopify = self.shopify_credentials(kind=kind)
        if shopify is not None:
            mode, data["credentials_json"] = shopify
            data["options"] = {**(data.get("options") or {}), "auth": mode}
            if "options" not in self.changed_data:
                self.changed_data.append("options")  # the mode is saved with the credentials
        if data.get("credentials_json") is None and not self.instance.pk:
            raise ValidationError("Credentials are required")
        options = data.get("options")
        if kind in connector_kinds() and options is not None:
            if not isinstance(options, dict):
                self.add_error("options", "A JSON object")
            else:
                declared = connector_class_get(kind=kind).options
                for problem in options_problems(declared=declared, options=options):
                    self.add_error("options", problem)
        return data


@admin.register(ChannelAccount)
class ChannelAccountAdmin(ServiceSaveAdmin):
    """Accounts with last intake/push, lag, dirty-queue depth, failures, unlinked listings and drift."""

    form = AccountForm
    write_role = "manager"
    list_display = ("name", "kind", "enabled", "dry_run", "last_order_intake_at", "last_push_at", "lag",
                    "dirty", "failing", "unlinked", "drift_24h", "connection")  # fmt: skip
    list_filter = ("kind", "enabled", "dry_run")
    search_fields = ("name",)
    readonly_fields = ("sales_channel", "webhook_path", "orders_synced_at", "last_order_intake_at",
                       "last_push_at", "last_reconcile_at", "last_error", "webhooks_url",
                       "webhooks_registered_at", "webhooks_error", "connection", "sync_state",
                       "confirm_lag_seconds", "daily_calls")  # fmt: skip
    actions = ("sync_now", "reconcile_now", "full_push", "import_listings", "go_live", "register_webhooks")

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return fields if role_allows(request, "manager") else [f for f in fields if f not in TOKEN_FIELDS]

    def _state(self, obj):
        cache = getattr(self, "_state_cache", None)
        if cache is None or cache[0] != obj.pk:
            self._state_cache = (obj.pk, account_sync_state(account=obj))
        return self._state_cache[1]

    @admin.display(description="lag (s)")
    def lag(self, obj):
        lag = self._state(obj).push_lag_seconds
        return None if lag is None else round(lag, 1)

    @admin.display(description="dirty")
    def dirty(self, obj):
        return self._state(obj).dirty

    @admin.display(description="failing")
    def failing(self, obj):
        return self._state(obj).failing

    @admin.display(description="unlinked")
    def unlinked(self, obj):
        return self._state(obj).unlinked

    @admin.display(description="drift 24 h")
    def drift_24h(self, obj):
        return self._state(obj).drift_last_24h

    @admin.display(description="webhook path")
    def webhook_path(self, obj):
        return f"/webhooks/channels/{obj.webhook_token}/" if obj.pk else ""

    @admin.display(description="connection")
    def connection(self, obj):
        """Reconnect (with why and a link to the connect flow), connected, not connected yet, or
        static (credentials used as typed)."""
        if not obj.pk:
            return ""
        state = account_connection(account=obj)
        expiring = state.state == "connected" and bool(state.message)
        if state.connect_flow and (state.state in ("reconnect", "not_connected") or expiring):
            link = reverse("admin:channels_app_channelaccount_connect", args=[obj.pk])
            channel = connector_class_get(kind=obj.kind).label or obj.kind
            label = f"Reconnect {channel}" if state.state == "reconnect" or expiring else f"Connect {channel}"
            return format_html('{} <a href="{}">{}</a>', state.message, link, label)
        if state.state == "reconnect":
            return state.message
        return state.state.replace("_", " ")

    def get_urls(self):
        own = [
            self.role_path(
                "<path:object_id>/connect/",
                lambda request, object_id: connect_start_view(self, request, object_id),
                name="channels_app_channelaccount_connect",
                read="manager",
                write="manager",
            ),
            self.role_path(
                "connect/callback/",
                lambda request: connect_callback_view(self, request),
                name="channels_app_channelaccount_connect_callback",
                read="manager",
                write="manager",
            ),
        ]
        return own + super().get_urls()

    @admin.display(description="daily calls")
    def daily_calls(self, obj):
        """Channels with a daily call budget (Etsy): the calls left today and what waits."""
        connector = connector_class_get(kind=obj.kind) if obj.pk else None
        if connector is not None and issubclass(connector, SpendsDailyBudget):
            return connector.budget_text(account_id=obj.pk)
        return "-"

    @admin.display(description="sync state")
    def sync_state(self, obj):
        return json.dumps(account_sync_state(account=obj).__dict__, default=str, indent=1) if obj.pk else ""

    def service_save(self, request, obj, form, change) -> None:
        credentials = form.cleaned_data.get("credentials_json")
        try:
            if change:
                data = changed_fields(form, ACCOUNT_FIELDS)
                account_update(account=obj, data=data, credentials=credentials)
            else:
                values = model_fields(form, ACCOUNT_FIELDS)
                created = account_create(kind=form.cleaned_data["kind"], credentials=credentials, **values)
                obj.pk = created.pk
                obj.sales_channel_id = created.sales_channel_id
                obj.webhook_token = created.webhook_token
        except AccountError as exc:
            raise ValidationError(str(exc)) from exc

    def save_related(self, request, form, formsets, change):
        if "locations" in form.changed_data:
            account_update(
                account=form.instance, data={}, location_ids=[x.pk for x in form.cleaned_data["locations"]]
            )

    @admin.action(description="Sync now (poll orders and push)", permissions=["operator"])
    def sync_now(self, request, queryset):
        for account in queryset:
            account_sync_now(account=account)
        self.message_user(request, f"Sync started for {queryset.count()} account(s)", messages.SUCCESS)

    @admin.action(description="Reconcile now (read live quantities, correct drift)", permissions=["operator"])
    def reconcile_now(self, request, queryset):
        for account in queryset:
            account_sync_now(account=account, orders=False, push=False, reconcile=True)
        self.message_user(
            request, f"Reconciliation started for {queryset.count()} account(s)", messages.SUCCESS
        )

    @admin.action(
        description="Push everything (send every linked listing's figure again)", permissions=["operator"]
    )
    def full_push(self, request, queryset):
        """Start a full push of each selected enabled account in the background; show its job."""
        accounts = list(queryset.filter(enabled=True))
        if not accounts:
            self.message_user(
                request, "Nothing pushed: the selected accounts are disabled.", messages.WARNING
            )
            return None
        return jobs_redirect(jobs=[account_full_push_start(account=a, user=request.user) for a in accounts])

    @admin.action(
        description="Import listings from the channel (in the background)", permissions=["operator"]
    )
    def import_listings(self, request, queryset):
        """Start a listings import of each selected enabled account in the background; show its job."""
        accounts = list(queryset.filter(enabled=True))
        if not accounts:
            self.message_user(
                request, "Nothing imported: the selected accounts are disabled.", messages.WARNING
            )
            return None
        return jobs_redirect(
            jobs=[account_listings_import_start(account=a, user=request.user) for a in accounts]
        )

    @admin.action(description="Go live (leave dry run)", permissions=["manager"])
    def go_live(self, request, queryset):
        for account in queryset.filter(dry_run=True):
            account_go_live(account=account, base_url=request.build_absolute_uri("/"))
        self.message_user(request, "Accounts are live", messages.SUCCESS)

    @admin.action(description="Register the channel's webhooks to this site", permissions=["manager"])
    def register_webhooks(self, request, queryset):
        for account in queryset:
            try:
                url = account_webhooks_register(
                    account_id=account.pk, base_url=request.build_absolute_uri("/")
                )
            except AccountError as exc:
                self.message_user(request, f"{account.name}: {exc}", messages.ERROR)
            else:
                self.message_user(request, f"{account.name}: webhooks registered to {url}", messages.SUCCESS)
