"""Exceptions the core's services raise. The API maps them to HTTP answers (409, 400)."""

from __future__ import annotations

from dataclasses import asdict, dataclass


class StockError(Exception):
    """Base class: a stock operation was refused and changed nothing."""


class InvalidStockOperation(StockError):
    """The operation makes no sense (kit has no stock, inactive location, bad quantity...)."""


@dataclass(frozen=True)
class Shortfall:
    """How much of a SKU at a location was missing for an operation."""

    sku_id: int
    sku_code: str
    location_id: int
    location_code: str
    requested: int
    available: int

    @property
    def missing(self) -> int:
        """Units short."""
        return self.requested - self.available

    def as_dict(self) -> dict:
        """JSON-friendly form, for API error bodies."""
        return {**asdict(self), "missing": self.missing}


class InsufficientStock(StockError):
    """Not enough stock for the whole batch; `shortfalls` lists every line that was short."""

    def __init__(self, shortfalls: list[Shortfall]):
        self.shortfalls = shortfalls
        parts = ", ".join(
            f"{s.sku_code}@{s.location_code} needs {s.requested}, has {s.available}" for s in shortfalls
        )
        super().__init__(f"Insufficient stock: {parts}")


class OrderError(Exception):
    """An order operation was refused (wrong state, unknown line, over-shipping)."""


class OrderConflict(OrderError):
    """An order's external reference was sent again with other contents (answered 409);
    ``differences`` lists what differs from the stored order."""

    def __init__(self, message: str, *, differences: list[dict]):
        super().__init__(message)
        self.differences = differences


class IdempotencyKeyReused(Exception):
    """An idempotency key was sent again with another request body (answered 422); ``differences``
    lists the body paths that differ."""

    def __init__(self, message: str, *, differences: list[dict] | None = None):
        super().__init__(message)
        self.differences = differences or []
