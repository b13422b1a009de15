"""A fake Etsy (Open API v3) on 127.0.0.1 for tests, benchmarks and the demo (see README.md)."""

from .server import Clock, FakeEtsy
from .state import InventoryError, OutOfStock

__all__ = ["Clock", "FakeEtsy", "InventoryError", "OutOfStock"]
