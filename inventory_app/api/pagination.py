"""Pagination of API lists: an opaque keyset cursor (?cursor=...&page_size=M, max 500).

A page is the rows that sort after the last row of the previous page, in the list's order with
the primary key as the final tie-breaker: rows inserted or changed between two requests are never
given twice, and a row that sorts after the cursor is never skipped. Nulls sort last whatever the
direction, on PostgreSQL and SQLite alike.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import F, Q, QuerySet
from django.db.models.expressions import OrderBy
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.utils.urls import replace_query_param

CURSOR_PARAM = "cursor"
PAGE_SIZE_PARAM = "page_size"
MAX_PAGE_SIZE = 500


def _key_encode(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def model_field_at(model, path: str):
    """The model field at the end of ``a__b__c`` (None for an annotation)."""
    field = None
    for part in path.split("__"):
        try:
            field = model._meta.pk if part == "pk" else model._meta.get_field(part)
        except FieldDoesNotExist:
            return None
        model = field.related_model or model
    return field


def _row_value(row, path: str):
    value = row
    for part in path.split("__"):
        if value is None:
            return None
        value = getattr(value, part)
    return getattr(value, "pk", value) if hasattr(value, "_meta") else value


class KeysetCursorPagination(BasePagination):
    """``{"next": <url or null>, "results": [...]}`` plus a ``Link: <...>; rel="next"`` header.

    The order is the queryset's (the ``ordering`` filter's or the view's default) with ``pk``
    appended; ``?cursor=`` is opaque and tied to that order (a cursor of another order is a 400)."""

    page_size_query_param = PAGE_SIZE_PARAM
    max_page_size = MAX_PAGE_SIZE
    cursor_query_param = CURSOR_PARAM

    def get_page_size(self, request: Request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return api_settings.PAGE_SIZE or 50
        if not raw.isascii() or not raw.isdigit() or int(raw) < 1:
            raise ValidationError({self.page_size_query_param: ["A whole number from 1 to 500."]})
        return min(int(raw), self.max_page_size)

    def paginate_queryset(self, queryset: QuerySet, request: Request, view=None):
        self.request = request
        self.page_size = self.get_page_size(request)
        self.ordering = self._ordering(queryset)
        queryset = queryset.order_by(*[self._order_expression(queryset.model, f) for f in self.ordering])
        raw = request.query_params.get(self.cursor_query_param)
        if raw is not None:
            queryset = queryset.filter(self._after(queryset.model, self._decode(raw)))
        rows = list(queryset[: self.page_size + 1])
        self.has_next = len(rows) > self.page_size
        rows = rows[: self.page_size]
        self.last = rows[-1] if rows else None
        return rows

    @staticmethod
    def _ordering(queryset: QuerySet) -> list[str]:
        names = []
        for item in queryset.query.order_by or queryset.model._meta.ordering or []:
            if not isinstance(item, str):
                raise TypeError(f"cursor pagination needs field names, not {item!r}")
            names.append(item)
        plain = {n.lstrip("-") for n in names}
        pk_name = queryset.model._meta.pk.name
        if not plain & {"pk", pk_name}:
            names.append("pk")
        return names

    @staticmethod
    def _order_expression(model, name: str) -> OrderBy | str:
        field = model_field_at(model, name.lstrip("-"))
        if field is None or not field.null:
            return name
        if name.startswith("-"):
            return F(name[1:]).desc(nulls_last=True)
        return F(name).asc(nulls_last=True)

    def _signature(self) -> str:
        return ",".join(self.ordering)

    def _decode(self, raw: str) -> list:
        try:
            body = json.loads(base64.urlsafe_b64decode(raw.encode("ascii") + b"=" * (-len(raw) % 4)))
            valid = isinstance(body, dict) and body.get("o") == self._signature()
            values = body.get("v") if valid else None
            if not isinstance(values, list) or len(values) != len(self.ordering):
                raise ValueError
        except (ValueError, UnicodeError, binascii.Error):
            raise ValidationError(
                {self.cursor_query_param: ["Not a cursor of this list (and this ordering)."]}
            ) from None
        return values

    def _after(self, model, values: list) -> Q:
        """Rows strictly after ``values`` in the order (nulls last in both directions)."""
        condition = Q(pk__in=[])
        equal = Q()
        for name, raw in zip(self.ordering, values, strict=True):
            path = name.lstrip("-")
            field = model_field_at(model, path)
            try:
                value = None if raw is None or field is None else field.to_python(raw)
            except (DjangoValidationError, TypeError, ValueError):
                raise ValidationError({self.cursor_query_param: ["Not a cursor of this list."]}) from None
            if field is None:
                value = raw
            if value is None:  # nulls sort last: only rows null here too can follow
                equal &= Q(**{f"{path}__isnull": True})
                continue
            beyond = Q(**{f"{path}__{'lt' if name.startswith('-') else 'gt'}": value})
            if field is not None and field.null:
                beyond |= Q(**{f"{path}__isnull": True})
            condition |= equal & beyond
            equal &= Q(**{path: value})
        return condition

    def next_link(self) -> str | None:
        """The URL of the next page, None on the last one."""
        if not self.has_next or self.last is None:
            return None
        values = [_key_encode(_row_value(self.last, name.lstrip("-"))) for name in self.ordering]
        token = base64.urlsafe_b64encode(json.dumps({"o": self._signature(), "v": values}).encode())
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.cursor_query_param, token.decode("ascii").rstrip("="))

    def get_paginated_response(self, data) -> Response:
        link = self.next_link()
        headers = {"Link": f'<{link}>; rel="next"'} if link else {}
        return Response({"next": link, "results": data}, headers=headers)

    def get_paginated_response_schema(self, schema: dict) -> dict:
        return {
            "type": "object",
            "required": ["next", "results"],
            "properties": {
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view) -> list[dict]:
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "The opaque cursor of the next page (from `next`).",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Rows per page (at most {self.max_page_size}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]


DefaultPagination = KeysetCursorPagination
