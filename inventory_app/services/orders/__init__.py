"""Orders: create (reserving stock), cancel (releasing), ship lines (consuming), cancel some units,
link unknown SKUs. ``create`` holds creation and reservation; ``lifecycle`` everything after.
"""

from inventory_app.services.orders.create import OrderInput, OrderLineInput, ShortagePolicy, order_create
from inventory_app.services.orders.lifecycle import (
    order_cancel,
    order_line_link_sku,
    order_lines_cancel,
    order_ship,
)

__all__ = [
    "OrderInput",
    "OrderLineInput",
    "ShortagePolicy",
    "order_cancel",
    "order_create",
    "order_line_link_sku",
    "order_lines_cancel",
    "order_ship",
]
