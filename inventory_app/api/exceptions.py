"""Map the core's exceptions to HTTP answers: shortages and conflicts 409, refused operations 400."""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from inventory_app.errors import (
    IdempotencyKeyReused,
    InsufficientStock,
    InvalidStockOperation,
    OrderConflict,
    OrderError,
)

logger = logging.getLogger(__name__)


def api_exception_handler(exc, context):
    """DRF exception handler that also understands the core's errors."""
    if isinstance(exc, InsufficientStock):
        return Response(
            {
                "code": "insufficient_stock",
                "detail": str(exc),
                "shortfalls": [s.as_dict() for s in exc.shortfalls],
            },
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, InvalidStockOperation):
        return Response({"code": "invalid_operation", "detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, IdempotencyKeyReused):
        return Response(
            {"code": "idempotency_key_reused", "detail": str(exc), "differences": exc.differences},
            status=status.HTTP_422_UNPROCESSABLE_ENTITY,
        )
    if isinstance(exc, OrderError):
        body = {"code": "order_conflict", "detail": str(exc)}
        if isinstance(exc, OrderConflict):
            body["differences"] = exc.differences
        return Response(body, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return Response(detail, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, IntegrityError):
        # A database constraint caught what validation could not see (two requests creating the
        # same code at once): the statement was refused, so nothing changed.
        logger.warning("API request refused by a database constraint: %s", exc)
        return Response(
            {"code": "conflict", "detail": "The change conflicts with existing data; nothing was changed."},
            status=status.HTTP_409_CONFLICT,
        )
    return exception_handler(exc, context)
