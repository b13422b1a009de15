"""Fields shared by the API's serializers."""

from __future__ import annotations

from django.db import models
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from inventory_app.models import SKU, Location
from inventory_app.validators import control_characters_find


@extend_schema_field({"oneOf": [{"type": "integer"}, {"type": "string"}]})
class CodeOrIdField(serializers.Field):
    """A reference to a row by its id (a JSON number) or its code (a JSON string).

    A numeric string is a code, not an id: codes such as "12345" stay unambiguous.
    """

    default_error_messages = {
        "not_found_id": "No {what} with id {value}.",
        "not_found_code": "No {what} with code {value!r}.",
        "invalid": "Give an id (number) or a code (string).",
    }

    def __init__(self, *, model: type[models.Model], what: str, code_field: str = "code", **kwargs):
        self.model = model
        self.what = what
        self.code_field = code_field
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool):
            self.fail("invalid")
        if isinstance(data, int):
            found = self.model.objects.filter(pk=data).first() if 0 < data < 2**63 else None
            if found is None:
                self.fail("not_found_id", what=self.what, value=data)
            return found
        if isinstance(data, str) and data.strip():
            clean = len(data) <= 255 and control_characters_find(data) is None  # no code holds them
            found = self.model.objects.filter(**{self.code_field: data.strip()}).first() if clean else None
            if found is None:
                self.fail("not_found_code", what=self.what, value=data.strip())
            return found
        self.fail("invalid")
        return None

    def to_representation(self, value):
        return value.pk


def sku_ref(**kwargs) -> CodeOrIdField:
    """A SKU by id or code."""
    return CodeOrIdField(model=SKU, what="SKU", **kwargs)


def location_ref(**kwargs) -> CodeOrIdField:
    """A location by id or code."""
    return CodeOrIdField(model=Location, what="location", **kwargs)
