"""A fake Magento 2.4 store with MSI on 127.0.0.1 (see README.md)."""

from config.sandbox.magento.server import FakeMagento
from config.sandbox.magento.store import OutOfStock, Store

__all__ = ["FakeMagento", "OutOfStock", "Store"]
