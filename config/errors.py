"""Error pages: under /api/ they are problem documents (inventory_app.api.problems), as the API's own."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.csrf import csrf_failure as django_csrf_failure
from django.views.defaults import page_not_found

from inventory_app.api.problems import API_PREFIX, problem_response


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """404: a ``not_found`` problem for API paths, Django's page otherwise."""
    if request.path.startswith(API_PREFIX):
        return problem_response(status=404, code="not_found", detail="No such URL.", request=request)
    return page_not_found(request, exception)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """403 of Django's CSRF check: a ``csrf_failed`` problem for API paths, Django's page otherwise."""
    if request.path.startswith(API_PREFIX):
        detail = f"CSRF check failed ({reason}). Send an API token instead of a session cookie."
        return problem_response(status=403, code="csrf_failed", detail=detail, request=request)
    return django_csrf_failure(request, reason)
