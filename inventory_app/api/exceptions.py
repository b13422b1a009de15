"""Map the core's exceptions to HTTP answers: insufficient stock 409, refused operations 400/409."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from inventory_app.errors import InsufficientStock, InvalidStockOperation, OrderError


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
    if isinstance(exc, OrderError):
        return Response({"code": "order_conflict", "detail": str(exc)}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return Response(detail, status=status.HTTP_400_BAD_REQUEST)
    return exception_handler(exc, context)
