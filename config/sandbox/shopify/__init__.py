"""Fake Shopify shop (Admin GraphQL API + signed webhooks) on 127.0.0.1; see README.md."""

from .cost import LeakyBucket
from .orders import OutOfStock
from .server import FakeShopify, HttpFaults
from .state import ShopifyState
from .webhooks import sign

__all__ = ["FakeShopify", "HttpFaults", "LeakyBucket", "OutOfStock", "ShopifyState", "sign"]
