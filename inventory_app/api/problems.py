"""The API's one error shape: RFC 9457 problem details (``application/problem+json``).

Every refusal under /api/ answers::

    {"type": "/api/problems/<code>", "title": ..., "status": 409, "detail": ..., "instance": <path>,
     "code": "<code>", "errors": [{"field": "lines.0.quantity", "code": "min_value", "message": ...}],
     "shortfalls": [...], "differences": [...]}

``errors``, ``shortfalls`` and ``differences`` appear only where they apply. ``type`` resolves to a
page describing the code (:class:`ProblemTypeView`). Call :func:`problem_response` to answer one.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, JsonResponse
from django.views import View
from rest_framework import serializers

MEDIA_TYPE = "application/problem+json"
API_PREFIX = "/api/"

# code: (status, title, what it means)
PROBLEMS: dict[str, tuple[int, str, str]] = {
    "validation_error": (400, "Invalid request", "A field or the body is not valid; see errors."),
    "parse_error": (400, "Malformed request body", "The body is not well-formed JSON (or CSV)."),
    "invalid_operation": (400, "Operation refused", "The operation makes no sense for these objects."),
    "bad_request": (400, "Bad request", "The request cannot be understood as sent."),
    "not_authenticated": (401, "Not authenticated", "Send Authorization: Token <key> (or Bearer)."),
    "authentication_failed": (401, "Authentication failed", "The token is unknown, revoked or expired."),
    "permission_denied": (403, "Permission denied", "The caller's role does not allow this."),
    "csrf_failed": (403, "CSRF check failed", "Session callers must send the CSRF token; use a token."),
    "not_found": (404, "Not found", "No such object, page or URL."),
    "method_not_allowed": (405, "Method not allowed", "This URL does not answer that HTTP method."),
    "not_acceptable": (406, "Not acceptable", "The Accept header asks for a type this URL cannot give."),
    "conflict": (409, "Conflict", "The change conflicts with existing data; nothing was changed."),
    "order_conflict": (409, "Order conflict", "The order's state does not allow this operation."),
    "insufficient_stock": (409, "Insufficient stock", "Not enough stock; see shortfalls per SKU/location."),
    "request_too_large": (413, "Request too large", "The body is over the size limit: send it in parts."),
    "unsupported_media_type": (415, "Unsupported media type", "Send the body as application/json."),
    "idempotency_key_reused": (
        422,
        "Idempotency key reused",
        "The Idempotency-Key was used before with another request; see differences.",
    ),
    "throttled": (429, "Too many requests", "Over the rate limit: retry after Retry-After seconds."),
    "server_error": (500, "Server error", "An unexpected error; nothing is known to have changed."),
    "service_unavailable": (503, "Service unavailable", "A dependency is unavailable: retry later."),
}
_BY_STATUS = {}
for _code, (_status, _title, _about) in PROBLEMS.items():
    _BY_STATUS.setdefault(_status, _code)


def problem_code_for_status(status: int) -> str:
    """The generic code of an HTTP error status (``bad_request`` when none is specific)."""
    return _BY_STATUS.get(status, "server_error" if status >= 500 else "bad_request")


def problem_body(
    *,
    status: int,
    code: str,
    detail: str,
    instance: str = "",
    errors: list[dict[str, str]] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """The problem document; ``extra`` adds members such as ``shortfalls`` or ``differences``."""
    body: dict[str, Any] = {
        "type": f"/api/problems/{code}",
        "title": PROBLEMS.get(code, (status, code.replace("_", " ").capitalize(), ""))[1],
        "status": status,
        "detail": detail,
        "instance": instance,
        "code": code,
    }
    if errors:
        body["errors"] = errors
    body.update({key: value for key, value in extra.items() if value is not None})
    return body


def problem_response(
    *,
    status: int,
    code: str,
    detail: str,
    request: HttpRequest | None = None,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JsonResponse:
    """A plain Django response carrying a problem (for code outside DRF's exception handler)."""
    body = problem_body(
        status=status,
        code=code,
        detail=detail,
        instance=request.path if request is not None else "",
        errors=errors,
        **extra,
    )
    return JsonResponse(body, status=status, content_type=MEDIA_TYPE, headers=headers)


class ProblemFieldErrorSerializer(serializers.Serializer):
    """One refused field: its dotted path (``non_field_errors`` for the whole object)."""

    field = serializers.CharField(help_text='Dotted path, e.g. "lines.0.quantity"')
    code = serializers.CharField(help_text='Validation code, e.g. "required", "min_value"')
    message = serializers.CharField()


class ProblemShortfallSerializer(serializers.Serializer):
    """What a SKU at a location lacked for the operation."""

    sku_id = serializers.IntegerField()
    sku_code = serializers.CharField()
    location_id = serializers.IntegerField()
    location_code = serializers.CharField()
    requested = serializers.IntegerField()
    available = serializers.IntegerField()
    missing = serializers.IntegerField()


class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details, with a machine ``code`` and the members that apply."""

    type = serializers.CharField(help_text="Relative URI of the page describing the code")
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    instance = serializers.CharField(help_text="The request path")
    code = serializers.CharField(
        help_text="Machine code, e.g. validation_error, not_found, insufficient_stock"
    )
    errors = ProblemFieldErrorSerializer(many=True, required=False)
    shortfalls = ProblemShortfallSerializer(many=True, required=False)
    differences = serializers.ListField(
        child=serializers.DictField(),
        required=False,
        help_text="How a repeated request differs from the first one sent with its key or external_ref",
    )


class ProblemTypeView(View):
    """``GET /api/problems/<code>``: what a problem code means (JSON, no authentication)."""

    def get(self, request: HttpRequest, code: str) -> JsonResponse:
        if code not in PROBLEMS:
            raise Http404(f"No problem code {code!r}.")
        status, title, about = PROBLEMS[code]
        return JsonResponse({"code": code, "status": status, "title": title, "description": about})
