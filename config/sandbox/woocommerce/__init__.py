"""A fake WooCommerce store (REST API v3) on 127.0.0.1: see ``server`` and the README."""

from config.sandbox.woocommerce.server import FakeWooCommerce
from config.sandbox.woocommerce.store import OutOfStock

__all__ = ["FakeWooCommerce", "OutOfStock"]
