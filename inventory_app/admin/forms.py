"""Small forms of the admin's own pages: stock operations and the catalog CSV import."""

from __future__ import annotations

import uuid

from django import forms

from inventory_app.models import Location
from inventory_app.selectors.dashboard import location_sole_active
from inventory_app.services.imports.jobs import (
    ImportTooLarge,
    import_limits,
    import_rows_count,
    import_size_check,
)
from inventory_app.services.stock import AdjustmentReason


def _locations(*, active_only: bool = False):
    # Inactive locations stay listed where stock may leave them; the ledger refuses stock going in.
    locations = Location.objects.order_by("priority", "code")
    return locations.filter(is_active=True) if active_only else locations


class StockOperationForm(forms.Form):
    """Base of the stock forms: a one-time token makes a resubmitted form a no-op (idempotency key)."""

    token = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)
    note = forms.CharField(required=False, max_length=500, widget=forms.TextInput(attrs={"size": 40}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        sole = location_sole_active()
        for field in self.fields.values():
            if (
                sole is not None
                and isinstance(field, forms.ModelChoiceField)
                and field.queryset.model is Location
            ):
                field.initial = sole.pk

    def idempotency_key(self, operation: str) -> str:
        """The ledger idempotency key of this submitted form."""
        return f"admin-{operation}:{self.cleaned_data['token']}"


class AdjustForm(StockOperationForm):
    """Change on hand by a signed number of units, for a stated reason."""

    location = forms.ModelChoiceField(queryset=_locations())
    delta = forms.IntegerField(help_text="Units to add (positive) or remove (negative).")
    reason = forms.ChoiceField(choices=AdjustmentReason.choices)
    field_order = ["location", "delta", "reason", "note"]

    def clean_delta(self) -> int:
        delta = self.cleaned_data["delta"]
        if delta == 0:
            raise forms.ValidationError("An adjustment must change the quantity.")
        return delta


class CountForm(StockOperationForm):
    """Set on hand to a counted figure."""

    location = forms.ModelChoiceField(queryset=_locations())
    counted = forms.IntegerField(min_value=0)
    field_order = ["location", "counted", "note"]


class TransferForm(StockOperationForm):
    """Move units from one location to another."""

    from_location = forms.ModelChoiceField(queryset=_locations())
    to_location = forms.ModelChoiceField(queryset=_locations(active_only=True))
    quantity = forms.IntegerField(min_value=1)
    field_order = ["from_location", "to_location", "quantity", "note"]

    def clean(self):
        data = super().clean()
        if data.get("from_location") and data.get("from_location") == data.get("to_location"):
            raise forms.ValidationError("Choose two different locations.")
        return data


class CatalogImportForm(forms.Form):
    """Upload of a catalog CSV (see inventory_app.services.imports for the columns)."""

    file = forms.FileField(help_text="CSV saved as UTF-8, delimited by commas or semicolons.")
    dry_run = forms.BooleanField(
        required=False, initial=True, label="Check only (dry run)", help_text="Report errors, import nothing."
    )

    def clean_file(self) -> str:
        upload = self.cleaned_data["file"]
        if upload.size > import_limits()[0]:
            raise forms.ValidationError(f"The file is larger than {import_limits()[0]:,} bytes.")
        try:
            content = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(
                "The file is not UTF-8 text: save it as 'CSV UTF-8' in your spreadsheet."
            ) from None
        try:
            import_size_check(size=upload.size, rows=import_rows_count(content=content))
        except ImportTooLarge as exc:
            raise forms.ValidationError(str(exc)) from None
        return content
