"""A fake BigCommerce store (v3 catalog, inventory, hooks; v2 orders) on 127.0.0.1; see README.md."""

from .server import FakeBigCommerce
from .state import OutOfStock

__all__ = ["FakeBigCommerce", "OutOfStock"]
