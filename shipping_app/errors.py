"""Errors of the shipping services."""


class ShippingError(Exception):
    """A shipping operation cannot be done as asked (message is shown to staff)."""


class ShipmentUnmatched(ShippingError):
    """A vendor shipment names no order we exported to that account."""
