"""Lists refuse what they do not understand: an unknown query parameter or ``ordering`` term is a
400 naming it, never silently ignored (a client asking ``?updated_after=`` of a list without it
must not take the whole list for "what changed")."""

from __future__ import annotations

from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError
from rest_framework.filters import BaseFilterBackend, OrderingFilter, SearchFilter
from rest_framework.request import Request
from rest_framework.settings import api_settings

from inventory_app.api.pagination import model_field_at

# DRF's own: the renderer override (?format=json) and nothing else.
ALWAYS_ALLOWED = frozenset({api_settings.URL_FORMAT_OVERRIDE or "format"})


def list_params_check(*, request: Request, allowed: set[str] | frozenset[str]) -> None:
    """400 naming every query parameter not in ``allowed`` (``format`` is always allowed)."""
    unknown = sorted(set(request.query_params) - set(allowed) - ALWAYS_ALLOWED)
    if unknown:
        raise ValidationError({name: ["Unknown query parameter."] for name in unknown})


class StrictQueryParamsFilter(BaseFilterBackend):
    """First of the filter backends: on a list, every query parameter must belong to the view's
    filterset, search, ordering or pagination (or a view's ``extra_query_params``)."""

    def filter_queryset(self, request: Request, queryset: QuerySet, view) -> QuerySet:
        if getattr(view, "action", None) != "list":
            return queryset
        allowed = set(getattr(view, "extra_query_params", ()))
        for backend in view.filter_backends:
            if issubclass(backend, DjangoFilterBackend):
                filterset_class = backend().get_filterset_class(view, queryset)
                if filterset_class is not None:
                    allowed |= set(filterset_class.base_filters)
            elif issubclass(backend, SearchFilter) and getattr(view, "search_fields", None):
                allowed.add(backend.search_param)
            elif issubclass(backend, OrderingFilter):
                allowed.add(backend.ordering_param)
        paginator = getattr(view, "paginator", None)
        if paginator is not None:
            allowed |= {
                getattr(paginator, "cursor_query_param", ""),
                getattr(paginator, "page_size_query_param", ""),
            }
        list_params_check(request=request, allowed=allowed)
        return queryset


class StrictOrderingFilter(OrderingFilter):
    """``?ordering=a,-b`` over the view's ``ordering_fields``: an unknown term is a 400 listing
    the known ones (rather than DRF's silent drop)."""

    def remove_invalid_fields(self, queryset: QuerySet, fields, view, request: Request) -> list[str]:
        valid = {
            name
            for name, _label in self.get_valid_fields(queryset, view, {"request": request})
            if name in queryset.query.annotations or model_field_at(queryset.model, name) is not None
        }
        bad = [term for term in fields if term.lstrip("-") not in valid]
        if bad:
            known = ", ".join(sorted(valid)) or "none"
            raise ValidationError(
                {self.ordering_param: [f"Unknown ordering {', '.join(bad)!s}; known: {known}."]}
            )
        return list(fields)
