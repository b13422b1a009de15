"""Models of the core. Import from here: ``from inventory_app.models import SKU``."""

from .catalog import SKU, BackorderPolicy, KitComponent, Location, Product
from .costing import AverageCost, CostingMethod, CostingSettings, CostLayer, LayerConsumption
from .orders import Allocation, Order, OrderLine, OrderStatus, SalesChannel
from .stock import MovementReason, StockLevel, StockMovement, StockOperation
from .tokens import ApiToken

__all__ = [
    "SKU",
    "Allocation",
    "ApiToken",
    "AverageCost",
    "BackorderPolicy",
    "CostLayer",
    "CostingMethod",
    "CostingSettings",
    "KitComponent",
    "LayerConsumption",
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
