"""Models of the core. Import from here: ``from inventory_app.models import SKU``."""

from .alerts import AlertState
from .attention import AttentionAction, OrderAttentionEvent
from .catalog import SKU, BackorderPolicy, KitComponent, Location, Product
from .costing import AverageCost, CostingMethod, CostingSettings, CostLayer, CostReport, LayerConsumption
from .events import (
    DeliveryStatus,
    Event,
    EventSequence,
    EventType,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from .idempotency import IdempotencyFingerprint
from .imports import ImportJob, ImportJobStatus
from .jobs import BackgroundJob, JobStatus
from .orders import Allocation, Order, OrderLine, OrderShipment, OrderStatus, SalesChannel
from .purchasing import (
    AllocationBasis,
    LandedCost,
    LandedCostKind,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseOrderStatus,
    Receipt,
    ReceiptLine,
    ReorderRule,
    Supplier,
    SupplierItem,
)
from .returns import (
    ReturnAuthorization,
    ReturnCondition,
    ReturnDisposition,
    ReturnLine,
    ReturnReason,
    ReturnReceipt,
    ReturnStatus,
)
from .stock import MovementReason, StockLevel, StockMovement, StockOperation
from .tokens import ApiToken

__all__ = [
    "SKU",
    "AlertState",
    "Allocation",
    "AllocationBasis",
    "ApiToken",
    "AttentionAction",
    "AverageCost",
    "BackgroundJob",
    "BackorderPolicy",
    "CostLayer",
    "CostReport",
    "CostingMethod",
    "CostingSettings",
    "DeliveryStatus",
    "Event",
    "EventSequence",
    "EventType",
    "IdempotencyFingerprint",
    "ImportJob",
    "ImportJobStatus",
    "JobStatus",
    "KitComponent",
    "LandedCost",
    "LandedCostKind",
    "LayerConsumption",
    "Location",
    "MovementReason",
    "Order",
    "OrderAttentionEvent",
    "OrderLine",
    "OrderShipment",
    "OrderStatus",
    "Product",
    "PurchaseOrder",
    "PurchaseOrderLine",
    "PurchaseOrderStatus",
    "Receipt",
    "ReceiptLine",
    "ReorderRule",
    "ReturnAuthorization",
    "ReturnCondition",
    "ReturnDisposition",
    "ReturnLine",
    "ReturnReason",
    "ReturnReceipt",
    "ReturnStatus",
    "SalesChannel",
    "StockLevel",
    "StockMovement",
    "StockOperation",
    "Supplier",
    "SupplierItem",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
]
