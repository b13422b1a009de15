"""Models of the core. Import from here: ``from inventory_app.models import SKU``."""

from .catalog import SKU, BackorderPolicy, KitComponent, Location, Product
from .orders import Allocation, Order, OrderLine, OrderStatus, SalesChannel
from .stock import MovementReason, StockLevel, StockMovement, StockOperation
from .tokens import ApiToken

__all__ = [
    "SKU",
    "Allocation",
    "ApiToken",
    "BackorderPolicy",
    "KitComponent",
    "Location",
    "MovementReason",
    "Order",
    "OrderLine",
    "OrderStatus",
    "Product",
    "SalesChannel",
    "StockLevel",
    "StockMovement",
    "StockOperation",
]
