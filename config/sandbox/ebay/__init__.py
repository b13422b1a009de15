"""A fake eBay (Sell Inventory, Sell Fulfillment, Commerce Notification, OAuth) on 127.0.0.1."""

from config.sandbox.ebay.server import SCOPES, FakeEbay
from config.sandbox.ebay.state import OutOfStock, Refused

__all__ = ["SCOPES", "FakeEbay", "OutOfStock", "Refused"]
