"""The API exception handler: core errors and database constraint violations as HTTP answers."""

from __future__ import annotations

from django.db import IntegrityError

from inventory_app.api.exceptions import api_exception_handler
from inventory_app.errors import InvalidStockOperation, OrderError


def test_integrity_error_is_409_without_database_details():
    response = api_exception_handler(IntegrityError('duplicate key value violates "sku_code_key"'), {})

    assert response.status_code == 409
    assert response.data == {
        "code": "conflict",
        "detail": "The change conflicts with existing data; nothing was changed.",
    }


def test_core_errors_map_to_400_and_409():
    invalid = api_exception_handler(InvalidStockOperation("nope"), {})
    conflict = api_exception_handler(OrderError("shipped"), {})

    assert (invalid.status_code, invalid.data) == (400, {"code": "invalid_operation", "detail": "nope"})
    assert (conflict.status_code, conflict.data) == (409, {"code": "order_conflict", "detail": "shipped"})
