"""Connection admin: settings and mappings, the OAuth connect flow, preview and export."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from accounting_app.admin.forms import ConnectionForm, PeriodForm
from accounting_app.exporters.errors import ExporterError
from accounting_app.models import AccountingConnection, AccountMapping, TaxMapping
from accounting_app.selectors.mapping import MappingMissing, connection_mapping_gaps
from accounting_app.selectors.preview import connection_period_preview
from accounting_app.services.connections import (
    ConnectFlowError,
    connection_authorize_complete,
    connection_authorize_start,
    connection_create,
    connection_id_from_state,
    connection_update,
)
from accounting_app.services.export_jobs import export_job_start
from inventory_app.admin.base import RoleAdmin
from inventory_app.admin.jobs import jobs_redirect

CALLBACK_NAME = "admin:accounting_app_accountingconnection_oauth_callback"


def redirect_uri(request: HttpRequest) -> str:
    """The callback URL registered with the vendor (``ACCOUNTING_OAUTH_REDIRECT_URI`` or ours)."""
    return settings.ACCOUNTING_OAUTH_REDIRECT_URI or request.build_absolute_uri(reverse(CALLBACK_NAME))


class AccountMappingInline(admin.TabularInline):
    """Roles mapped to external accounts (per channel or default)."""

    model = AccountMapping
    extra = 0
    fields = ["role", "channel", "external_code"]


class TaxMappingInline(admin.TabularInline):
    """Vendor tax types/codes for sales and purchase lines."""

    model = TaxMapping
    extra = 0
    fields = ["kind", "channel", "external_code"]


@admin.register(AccountingConnection)
class AccountingConnectionAdmin(RoleAdmin):
    """Connections. Saving goes through the connection services; secrets are never displayed."""

    form = ConnectionForm
    inlines = [AccountMappingInline, TaxMappingInline]
    list_display = [
        "name",
        "kind",
        "status",
        "tenant_name",
        "sales_mode",
        "cogs_mode",
        "exported_through",
        "links",
    ]
    list_filter = ["kind", "status"]
    readonly_fields = [
        "mapping_to_complete",
        "status",
        "tenant_id",
        "tenant_name",
        "access_expires_at",
        "exported_through",
        "last_error",
    ]

    @admin.display(description="Mapping to complete before exporting")
    def mapping_to_complete(self, obj: AccountingConnection) -> str:
        """What must still be mapped (the export refuses to run until then), or that nothing is."""
        if obj.pk is None:
            return "-"
        gaps = connection_mapping_gaps(connection=obj)
        if not gaps:
            return "Nothing: every tax mapping the connection needs is set."
        return format_html_join("", "<p><strong>{}</strong></p>", ((gap,) for gap in gaps))

    def get_fields(self, request, obj=None):
        return [*ConnectionForm.Meta.fields, *self.readonly_fields]

    @admin.display(description="")
    def links(self, obj: AccountingConnection) -> str:
        """Connect and preview links of a row."""
        connect = reverse("admin:accounting_app_accountingconnection_connect", args=[obj.pk])
        preview = reverse("admin:accounting_app_accountingconnection_preview", args=[obj.pk])
        return format_html('<a href="{}">Connect</a> · <a href="{}">Preview / export</a>', connect, preview)

    def save_model(self, request, obj, form, change):
        """Create or update through the connection services (the secret is encrypted there)."""
        data = {
            name: form.cleaned_data[name] for name in ConnectionForm.Meta.fields if name in form.cleaned_data
        }
        secret = data.pop("client_secret", "")
        if change:
            connection_update(connection=obj, client_secret=secret, **data)
        else:
            created = connection_create(client_secret=secret, **data)
            obj.pk = created.pk
            obj._state.adding = False

    def get_urls(self):
        # Connecting changes the connection (manager); the preview is a read, the export it
        # enqueues needs the manager role as POST /api/v1/accounting/connections/{id}/export/.
        own = [
            self.role_path(
                "<int:pk>/connect/",
                self.connect_view,
                name="accounting_app_accountingconnection_connect",
                read="manager",
            ),
            self.role_path(
                "oauth/callback/",
                self.callback_view,
                name="accounting_app_accountingconnection_oauth_callback",
                read="manager",
            ),
            self.role_path(
                "<int:pk>/preview/",
                self.preview_view,
                name="accounting_app_accountingconnection_preview",
                read="viewer",
                write="manager",
            ),
        ]
        return own + super().get_urls()

    def connect_view(self, request: HttpRequest, pk: int):
        """Start the authorisation-code flow: off to the vendor's consent page."""
        connection = get_object_or_404(AccountingConnection, pk=pk)
        if not self.has_change_permission(request, connection):
            return HttpResponseBadRequest("Not allowed")
        try:
            consent = connection_authorize_start(connection=connection, redirect_uri=redirect_uri(request))
        except ExporterError as exc:
            self.message_user(request, f"Not connected: {exc}", messages.ERROR)
            return HttpResponseRedirect(reverse("admin:accounting_app_accountingconnection_changelist"))
        return HttpResponseRedirect(consent)

    def callback_view(self, request: HttpRequest):
        """The vendor sends the user back here with code and state (QuickBooks: realmId)."""
        connection_id = connection_id_from_state(state=request.GET.get("state", ""))
        connection = AccountingConnection.objects.filter(pk=connection_id).first() if connection_id else None
        if connection is None or not self.has_change_permission(request, connection):
            return HttpResponseBadRequest("Unknown or missing authorisation state")
        try:
            connection = connection_authorize_complete(
                connection_id=connection.pk, callback=request.GET.dict(), redirect_uri=redirect_uri(request)
            )
        except (ConnectFlowError, ExporterError) as exc:
            self.message_user(request, f"Not connected: {exc}", messages.ERROR)
            return HttpResponseRedirect(reverse("admin:accounting_app_accountingconnection_changelist"))
        self.message_user(
            request, f"Connected to {connection.tenant_name or connection.tenant_id}.", messages.SUCCESS
        )
        return HttpResponseRedirect(
            reverse("admin:accounting_app_accountingconnection_change", args=[connection.pk])
        )

    def preview_view(self, request: HttpRequest, pk: int):
        """What would be posted for a period; POST enqueues the export of that period."""
        connection = get_object_or_404(AccountingConnection, pk=pk)
        form = PeriodForm(request.POST) if request.method == "POST" else PeriodForm.from_query(request.GET)
        rows, problem = [], " ".join(connection_mapping_gaps(connection=connection))
        if form.is_valid():
            period = form.cleaned_data
            if request.method == "POST":
                if not self.has_change_permission(request, connection):
                    return HttpResponseBadRequest("Not allowed")
                if problem:  # the export would refuse: say what to map instead of enqueueing it
                    self.message_user(request, f"Not exported: {problem}", messages.ERROR)
                    return HttpResponseRedirect(request.path)
                job = export_job_start(
                    connection=connection,
                    date_from=period["date_from"],
                    date_to=period["date_to"],
                    user=request.user,
                )
                return jobs_redirect(jobs=[job])
            try:
                rows = connection_period_preview(
                    connection=connection, date_from=period["date_from"], date_to=period["date_to"]
                )
            except (MappingMissing, ValueError) as exc:
                problem = problem or str(exc)
        for row in rows:
            row["payload_json"] = json.dumps(row["payload"], indent=2)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Preview: {connection.name}",
            "connection": connection,
            "form": form,
            "rows": rows,
            "problem": problem,
        }
        return TemplateResponse(request, "admin/accounting_app/preview.html", context)
