"""Orders: create (reserving stock), cancel (releasing), ship lines (consuming), cancel some units,
link unknown SKUs. ``create`` holds creation and reservation; ``lifecycle`` everything after.
"""

from inventory_app.services.orders.create import OrderInput, OrderLineInput, ShortagePolicy, order_create
from inventory_app.services.orders.lifecycle import (
    order_attention_flag,
    order_cancel,
    order_cancel_by_seller,
    order_line_link_sku,
    order_lines_cancel,
    order_ship,
)
from inventory_app.services.orders.shipments import Tracking, order_shipment_tracking_set, tracking_clean

__all__ = [
    "OrderInput",
    "OrderLineInput",
    "ShortagePolicy",
    "Tracking",
    "order_attention_flag",
    "order_cancel",
    "order_cancel_by_seller",
    "order_create",
    "order_line_link_sku",
    "order_lines_cancel",
    "order_ship",
    "order_shipment_tracking_set",
    "tracking_clean",
]
