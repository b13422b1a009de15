"""What every answer under /api/ has in common, whichever view (or none) produced it.

- Errors are problem documents: an error page that did not come from DRF (Django's 404, 405,
  400 for a malformed request, 403 of the CSRF check, 500) is replaced by its problem.
- Reads carry an ``ETag`` (a hash of the body); ``If-None-Match`` with it answers 304, no body.
- Throttled views' answers carry the RateLimit-* fields (inventory_app.api.throttling).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import quote_etag

from inventory_app.api.exceptions import errors_summary, field_errors
from inventory_app.api.problems import (
    API_PREFIX,
    MEDIA_TYPE,
    PROBLEMS,
    problem_code_for_status,
    problem_response,
)
from inventory_app.api.throttling import ratelimit_headers

_PROBLEM_MEMBERS = {"type", "title", "status", "detail", "instance", "code", "errors"}
_KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate")


def _listed_error(item: dict) -> dict:
    """A view's own error item as a problem's: ``field`` (``rows.<row>.<column>`` for a row of a
    file), ``code`` and ``message``, keeping the item's other members (row, column)."""
    field = item.get("field") or ".".join(str(p) for p in ("rows", item.get("row"), item.get("column")) if p)
    return {**item, "field": field or "non_field_errors", "code": item.get("code") or "invalid"}


def _as_problem(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """The problem of an error answered without one: a Django page, or a view's own Response."""
    code = problem_code_for_status(response.status_code)
    detail = PROBLEMS.get(code, (0, "", "The request was refused."))[2]
    errors, extra = None, {}
    data = getattr(response, "data", None)
    if isinstance(data, dict) and isinstance(data.get("errors"), list) and data["errors"]:
        errors = [_listed_error(item) for item in data["errors"]]  # an import report's row errors
        detail = errors_summary(errors)
        extra = {key: value for key, value in data.items() if key not in _PROBLEM_MEMBERS}  # the report
    elif isinstance(data, dict) and "detail" in data:
        detail, code = str(data["detail"]), str(data.get("code") or code)
        # Members beside the detail (a bulk request's per-line results) stay in the problem.
        extra = {key: value for key, value in data.items() if key not in _PROBLEM_MEMBERS}
    elif isinstance(data, dict | list) and data:
        errors = field_errors(data)
        detail = errors_summary(errors)
    headers = {name: response[name] for name in _KEPT_HEADERS if name in response}
    return problem_response(
        status=response.status_code,
        code=code,
        detail=detail,
        request=request,
        errors=errors,
        headers=headers,
        **extra,
    )


def _with_etag(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    if not response.has_header("ETag"):
        response["ETag"] = quote_etag(hashlib.sha256(response.content).hexdigest()[:32])
    return get_conditional_response(request, etag=response["ETag"], response=response) or response


class ApiResponseMiddleware:
    """Problem bodies for non-DRF errors, ETag / If-None-Match and RateLimit-* on /api/ paths."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith(API_PREFIX):
            return response
        if response.status_code >= 400 and not response.get("Content-Type", "").startswith(MEDIA_TYPE):
            response = _as_problem(request, response)
        elif request.method in ("GET", "HEAD") and response.status_code == 200 and not response.streaming:
            response = _with_etag(request, response)
        for name, value in ratelimit_headers(request).items():
            response[name] = value
        return response
