"""Admin forms: the connection form (client secret write-only) and the period form."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounting_app.exporters.registry import exporter_kinds
from accounting_app.models import AccountingConnection
from accounting_app.services.connections import connection_endpoints_check


class ConnectionForm(forms.ModelForm):
    """Connection settings; the client secret is written, never shown."""

    kind = forms.ChoiceField(choices=())
    client_secret = forms.CharField(
        widget=forms.PasswordInput(render_value=False),
        required=False,
        help_text="Stored encrypted. Leave empty to keep the current secret.",
    )

    api_base_url = forms.URLField(required=False, assume_scheme="https", help_text="Empty: the vendor's.")
    auth_base_url = forms.URLField(required=False, assume_scheme="https", help_text="Empty: the vendor's.")
    token_url = forms.URLField(required=False, assume_scheme="https", help_text="Empty: the vendor's.")

    class Meta:
        model = AccountingConnection
        fields = [
            "kind",
            "name",
            "client_id",
            "client_secret",
            "export_from",
            "sales_mode",
            "cogs_mode",
            "customer_mode",
            "post_purchases",
            "post_adjustments",
            "reference_prefix",
            "schedule_enabled",
            "api_base_url",
            "auth_base_url",
            "token_url",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k, k) for k in exporter_kinds()]
        if self.instance.pk is None:
            self.fields["client_secret"].required = True

    def clean(self):
        """The endpoint URLs must be the vendor's (see ``connection_endpoints_check``)."""
        cleaned = super().clean()
        if cleaned.get("kind"):
            try:
                connection_endpoints_check(
                    kind=cleaned["kind"],
                    api_base_url=cleaned.get("api_base_url") or "",
                    auth_base_url=cleaned.get("auth_base_url") or "",
                    token_url=cleaned.get("token_url") or "",
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    self.add_error(field, errors)
        return cleaned


class PeriodForm(forms.Form):
    """A period of whole days (default: yesterday and today)."""

    date_from = forms.DateField()
    date_to = forms.DateField()

    @classmethod
    def from_query(cls, data) -> PeriodForm:
        today = timezone.localdate()
        initial = {"date_from": today - timedelta(days=1), "date_to": today}
        return cls({**{k: v.isoformat() for k, v in initial.items()}, **data.dict()})

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("date_from") and cleaned.get("date_to") and cleaned["date_to"] < cleaned["date_from"]:
            raise forms.ValidationError("The period ends before it starts")
        return cleaned
