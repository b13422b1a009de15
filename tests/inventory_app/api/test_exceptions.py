"""The API exception handler: every refusal as an RFC 9457 problem document."""

from __future__ import annotations

import pytest
from django.core.exceptions import RequestDataTooBig
from django.db import IntegrityError
from rest_framework import exceptions
from rest_framework.test import APIRequestFactory

from inventory_app.api.exceptions import api_exception_handler, field_errors
from inventory_app.errors import (
    IdempotencyKeyReused,
    InsufficientStock,
    InvalidStockOperation,
    OrderError,
    Shortfall,
)


def _context(path: str = "/api/v1/orders/") -> dict:
    from rest_framework.request import Request

    return {"request": Request(APIRequestFactory().post(path))}


def test_integrity_error_is_409_conflict_without_database_details():
    response = api_exception_handler(
        IntegrityError('duplicate key value violates "sku_code_key"'), _context()
    )

    assert response.status_code == 409
    assert response.data == {
        "type": "/api/problems/conflict",
        "title": "Conflict",
        "status": 409,
        "detail": "The change conflicts with existing data; nothing was changed.",
        "instance": "/api/v1/orders/",
        "code": "conflict",
    }


def test_core_errors_map_to_their_codes_and_statuses():
    invalid = api_exception_handler(InvalidStockOperation("nope"), _context())
    conflict = api_exception_handler(OrderError("shipped"), _context())
    reused = api_exception_handler(IdempotencyKeyReused("another body"), _context())

    assert (invalid.status_code, invalid.data["code"], invalid.data["detail"]) == (
        400,
        "invalid_operation",
        "nope",
    )
    assert (conflict.status_code, conflict.data["code"], conflict.data["title"]) == (
        409,
        "order_conflict",
        "Order conflict",
    )
    assert (reused.status_code, reused.data["type"]) == (422, "/api/problems/idempotency_key_reused")
    assert "differences" not in reused.data  # none known: the member is left out, not null


def test_insufficient_stock_keeps_the_shortfalls():
    shortfall = Shortfall(
        sku_id=1, sku_code="CUP", location_id=2, location_code="MAIN", requested=5, available=3
    )

    response = api_exception_handler(InsufficientStock([shortfall]), _context())

    assert response.status_code == 409
    assert response.data["shortfalls"] == [
        {
            "sku_id": 1,
            "sku_code": "CUP",
            "location_id": 2,
            "location_code": "MAIN",
            "requested": 5,
            "available": 3,
            "missing": 2,
        }
    ]


def test_nested_validation_errors_get_dotted_fields_with_their_codes():
    exc = exceptions.ValidationError(
        {
            "external_ref": ["This field is required."],
            "lines": [{}, {"quantity": [exceptions.ErrorDetail("Too small.", code="min_value")]}],
            "non_field_errors": ["Totals differ."],
        }
    )

    response = api_exception_handler(exc, _context())

    assert response.status_code == 400
    assert response.data["code"] == "validation_error"
    assert response.data["errors"] == [
        {"field": "external_ref", "code": "invalid", "message": "This field is required."},
        {"field": "lines.1.quantity", "code": "min_value", "message": "Too small."},
        {"field": "non_field_errors", "code": "invalid", "message": "Totals differ."},
    ]
    assert response.data["detail"] == (
        "external_ref: This field is required.; lines.1.quantity: Too small.; Totals differ."
    )


def test_a_plain_validation_message_is_an_object_level_error():
    assert field_errors(["Give at least one."]) == [
        {"field": "non_field_errors", "code": "invalid", "message": "Give at least one."}
    ]


@pytest.mark.parametrize(
    ("exc", "status", "code"),
    [
        (exceptions.NotAuthenticated(), 401, "not_authenticated"),
        (exceptions.AuthenticationFailed(), 401, "authentication_failed"),
        (exceptions.PermissionDenied(), 403, "permission_denied"),
        (exceptions.NotFound(), 404, "not_found"),
        (exceptions.MethodNotAllowed("PUT"), 405, "method_not_allowed"),
        (exceptions.UnsupportedMediaType("text/xml"), 415, "unsupported_media_type"),
        (exceptions.ParseError("JSON parse error"), 400, "parse_error"),
        (exceptions.Throttled(wait=7), 429, "throttled"),
        (
            RequestDataTooBig("Request body exceeded settings.DATA_UPLOAD_MAX_MEMORY_SIZE."),
            413,
            "request_too_large",
        ),
    ],
)
def test_drf_and_django_refusals_get_their_code(exc, status, code):
    response = api_exception_handler(exc, _context())

    assert (response.status_code, response.data["status"], response.data["code"]) == (status, status, code)
    assert response.data["type"] == f"/api/problems/{code}"


def test_throttled_keeps_retry_after():
    response = api_exception_handler(exceptions.Throttled(wait=7), _context())

    assert response["Retry-After"] == "7"


def test_an_unexpected_error_is_left_to_the_500_handling():
    assert api_exception_handler(RuntimeError("boom"), _context()) is None
