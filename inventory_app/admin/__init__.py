"""Django admin of the core ("Stock master"): catalog, stock, the read-only ledger, orders, API tokens.

Every write goes through the services: SKUs, products and locations are saved by the catalog
services, stock moves only through the stock services (a SKU's "Stock operations" page), orders
are cancelled and shipped by the order services, costing settings by the costing service, and
the ledger (with the costing state it keeps) is never editable.
"""

from django.contrib import admin

from inventory_app.admin import (
    audit,
    catalog,
    costing,
    dashboard,
    events,
    imports,
    jobs,
    orders,
    purchasing,
    reports,
    returns,
    stock,
    system,
    tokens,
)

admin.site.site_header = "Stock master"
admin.site.site_title = "Stock master"
admin.site.index_title = "Inventory"

__all__ = [
    "audit",
    "catalog",
    "costing",
    "dashboard",
    "events",
    "imports",
    "jobs",
    "orders",
    "purchasing",
    "reports",
    "returns",
    "stock",
    "system",
    "tokens",
]
