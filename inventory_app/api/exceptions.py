"""Every refusal of a DRF view as a problem document (inventory_app.api.problems).

The core's errors: shortages 409 ``insufficient_stock`` (with ``shortfalls``), refused operations
400 ``invalid_operation``, order state 409 ``order_conflict``, a reused Idempotency-Key 422, a
database constraint 409 ``conflict``; DRF's own exceptions keep their status and headers
(WWW-Authenticate, Retry-After, Allow) with the body replaced.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from rest_framework import exceptions
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler

from inventory_app.api.problems import MEDIA_TYPE, problem_body, problem_code_for_status
from inventory_app.errors import (
    IdempotencyKeyReused,
    InsufficientStock,
    InvalidStockOperation,
    OrderConflict,
    OrderError,
)

logger = logging.getLogger(__name__)

_DRF_CODES = {"invalid": "validation_error", "error": None}


class ProblemJSONRenderer(JSONRenderer):
    """JSON rendered as ``application/problem+json``."""

    media_type = MEDIA_TYPE


def field_errors(detail: Any, prefix: str = "") -> list[dict[str, str]]:
    """DRF error detail (nested dicts and lists of ErrorDetail) as ``[{field, code, message}]``
    with dotted paths; messages not under a field go to ``non_field_errors``."""
    if isinstance(detail, dict):
        return [
            e
            for key, value in detail.items()
            for e in field_errors(
                value, f"{prefix}{api_settings.NON_FIELD_ERRORS_KEY if key == NON_FIELD_ERRORS else key}."
            )
        ]
    if isinstance(detail, list):
        if all(isinstance(item, str) for item in detail):
            return [e for item in detail for e in field_errors(item, prefix)]
        return [e for i, item in enumerate(detail) if item for e in field_errors(item, f"{prefix}{i}.")]
    field = prefix.rstrip(".") or api_settings.NON_FIELD_ERRORS_KEY
    return [{"field": field, "code": getattr(detail, "code", None) or "invalid", "message": str(detail)}]


def errors_summary(errors: list[dict[str, str]]) -> str:
    """The first field errors as one line of text (the problem's ``detail``)."""
    parts = [
        e["message"] if e["field"] == api_settings.NON_FIELD_ERRORS_KEY else f"{e['field']}: {e['message']}"
        for e in errors[:3]
    ]
    more = f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""
    return "; ".join(parts) + more


def core_problem(exc: Exception) -> tuple[int, str, str, dict[str, Any]] | None:
    """(status, code, detail, extra members) for the core's exceptions and Django's; None otherwise."""
    if isinstance(exc, InsufficientStock):
        return 409, "insufficient_stock", str(exc), {"shortfalls": [s.as_dict() for s in exc.shortfalls]}
    if isinstance(exc, InvalidStockOperation):
        return 400, "invalid_operation", str(exc), {}
    if isinstance(exc, IdempotencyKeyReused):
        differences = getattr(exc, "differences", None) or None  # none known: the member is left out
        return 422, "idempotency_key_reused", str(exc), {"differences": differences}
    if isinstance(exc, OrderConflict):
        return 409, "order_conflict", str(exc), {"differences": exc.differences}
    if isinstance(exc, OrderError):
        return 409, "order_conflict", str(exc), {}
    if isinstance(exc, DjangoValidationError):
        detail = (
            exc.message_dict
            if hasattr(exc, "error_dict")
            else {api_settings.NON_FIELD_ERRORS_KEY: exc.messages}
        )
        errors = field_errors(detail)
        return 400, "validation_error", errors_summary(errors), {"errors": errors}
    if isinstance(exc, IntegrityError):
        # A database constraint caught what validation could not see (two requests creating the
        # same code at once): the statement was refused, so nothing changed.
        logger.warning("API request refused by a database constraint: %s", exc)
        return 409, "conflict", "The change conflicts with existing data; nothing was changed.", {}
    if isinstance(exc, RequestDataTooBig | TooManyFieldsSent):
        return 413, "request_too_large", f"{exc} Send large sets in several requests.", {}
    if isinstance(exc, SuspiciousOperation):
        return 400, "bad_request", "The request was refused as malformed.", {}
    return None


def _drf_problem(exc: exceptions.APIException, status: int) -> tuple[str, str, dict[str, Any]]:
    code = _DRF_CODES.get(exc.default_code, exc.default_code) or problem_code_for_status(status)
    if isinstance(exc.detail, dict) and set(exc.detail) == {"detail"}:  # {"detail": text}: not a field
        exc = type(exc)(exc.detail["detail"])
    if isinstance(exc, exceptions.ValidationError) or isinstance(exc.detail, dict | list):
        errors = field_errors(exc.detail)
        return code, errors_summary(errors), {"errors": errors}
    return code, str(exc.detail), {}


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    """DRF exception handler: every error as ``application/problem+json``; None (a 500) for the
    unexpected, which the API middleware answers as a problem too."""
    core = core_problem(exc)
    if core is not None:
        status, code, detail, extra = core
        response = Response(status=status)
    else:
        response = exception_handler(exc, context)  # Http404 and PermissionDenied become DRF's
        if response is None:
            return None
        drf_exc = exc
        if not isinstance(exc, exceptions.APIException):  # Django's Http404 or PermissionDenied
            drf_class = exceptions.PermissionDenied if response.status_code == 403 else exceptions.NotFound
            drf_exc = drf_class(*exc.args)
        code, detail, extra = _drf_problem(drf_exc, response.status_code)
        status = response.status_code
    request = context.get("request")
    response.data = problem_body(
        status=status,
        code=code,
        detail=detail,
        instance=request.path if request is not None else "",
        **extra,
    )
    if request is not None:
        request.accepted_renderer, request.accepted_media_type = ProblemJSONRenderer(), MEDIA_TYPE
    return response
