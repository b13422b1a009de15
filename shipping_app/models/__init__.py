"""Models of the shipping integrations. Import from here: ``from shipping_app.models import Shipment``."""

from .accounts import ShippingAccount
from .events import ShippingEventStatus, ShippingWebhookEvent
from .exports import OrderExport, OrderExportState
from .shipments import (
    LabelPurchase,
    LabelPurchaseState,
    Shipment,
    ShipmentEvent,
    ShipmentLine,
    ShipmentRate,
    ShipmentStatus,
)

__all__ = [
    "LabelPurchase",
    "LabelPurchaseState",
    "OrderExport",
    "OrderExportState",
    "Shipment",
    "ShipmentEvent",
    "ShipmentLine",
    "ShipmentRate",
    "ShipmentStatus",
    "ShippingAccount",
    "ShippingEventStatus",
    "ShippingWebhookEvent",
]
