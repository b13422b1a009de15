"""Exceptions exporters raise. Messages never contain tokens or secrets."""

from __future__ import annotations


class ExporterError(Exception):
    """A vendor call failed permanently; ``body`` is the vendor's error answer (parsed) if any.

    Nothing was created at the vendor: the document may be sent again after the cause is fixed.
    """

    def __init__(self, message: str, *, body: dict | None = None, status: int | None = None):
        super().__init__(message)
        self.body = body or {}
        self.status = status


class ValidationRejected(ExporterError):
    """The vendor refused the document (Xero ValidationException, QuickBooks ValidationFault)."""


class AuthorizationError(ExporterError):
    """The tokens are not accepted even after a refresh: the connection must be connected again."""


class RetryableError(ExporterError):
    """A transient failure (429 beyond our bounds, 5xx, timeout, dropped connection).

    The outcome at the vendor is UNKNOWN: the document may have been created. Retry with the same
    idempotency key, after a look-up by reference.
    """

    def __init__(
        self, message: str, *, retry_after: float | None = None, body: dict | None = None, status=None
    ):
        super().__init__(message, body=body, status=status)
        self.retry_after = retry_after
