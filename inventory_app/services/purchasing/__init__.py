"""Purchasing services: suppliers, purchase orders, receiving, landed costs.

Import from here: ``from inventory_app.services.purchasing import purchase_order_receive``.
"""

from inventory_app.services.purchasing.landed_cost import (
    AllocationTarget,
    ChargeInput,
    landed_cost_add,
    landed_cost_allocate,
)
from inventory_app.services.purchasing.orders import (
    PurchaseLineInput,
    PurchasingError,
    purchase_order_cancel,
    purchase_order_close,
    purchase_order_create,
    purchase_order_send,
    purchase_order_status_refresh,
    supplier_create,
    supplier_item_set,
)
from inventory_app.services.purchasing.receiving import purchase_order_receive, receipt_reverse

__all__ = [
    "AllocationTarget",
    "ChargeInput",
    "PurchaseLineInput",
    "PurchasingError",
    "landed_cost_add",
    "landed_cost_allocate",
    "purchase_order_cancel",
    "purchase_order_close",
    "purchase_order_create",
    "purchase_order_receive",
    "purchase_order_send",
    "purchase_order_status_refresh",
    "receipt_reverse",
    "supplier_create",
    "supplier_item_set",
]
