"""The fake's XML answers: ``<xmldata>`` with one ``<Orders>`` (nested ``<OrderDetails>``) or
``<Products>`` element per record, empty elements left out, dates in the store's time zone."""

from __future__ import annotations

from datetime import UTC
from xml.sax.saxutils import escape

from config.sandbox.volusion.state import Order, Product, VolusionState, volusion_date

HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'


def order_fields(state: VolusionState, order: Order) -> dict[str, str]:
    return {
        "OrderID": str(order.order_id),
        "CustomerID": "1",
        "OrderDate": volusion_date(order.created, state.tz),
        "OrderDateUtc": volusion_date(order.created, UTC),
        "OrderStatus": order.status,
        "LastModified": volusion_date(order.modified, state.tz),
        "Shipped": "Y" if order.shipped else "N",
        "ShipDate": volusion_date(order.ship_date, state.tz) if order.ship_date else "",
        "PaymentAmount": f"{sum(float(d.price) * d.quantity for d in order.details):.2f}",
    }


def detail_fields(order: Order, index: int) -> dict[str, str]:
    detail = order.details[index]
    return {
        "OrderDetailID": str(detail.detail_id),
        "OrderID": str(order.order_id),
        "ProductCode": detail.code,
        "ProductID": str(detail.product_id),
        "ProductName": detail.name,
        "Quantity": str(detail.quantity),
        "QtyShipped": str(detail.qty_shipped),
        "ProductPrice": detail.price,
    }


def product_fields(state: VolusionState, product: Product) -> dict[str, str]:
    return {
        "ProductID": str(product.product_id),
        "ProductCode": product.code,
        "ProductName": product.name,
        "IsChildOfProductCode": product.parent_code,
        "StockStatus": str(product.stock),
        "DoNotAllowBackOrders": "Y" if product.no_backorders else "N",
        "LastModified": volusion_date(product.modified, state.tz),
    }


def _elements(fields: dict[str, str], wanted: set[str] | None) -> str:
    return "".join(
        f"<{k}>{escape(v)}</{k}>"
        for k, v in fields.items()
        if v != "" and (wanted is None or k.lower() in wanted)
    )


def columns_parse(value: str) -> tuple[set[str] | None, set[str] | None, set[str] | None]:
    """SELECT_Columns ``o.X,od.Y,p.Z,pe.W`` (or ``*``) -> (order, detail, product) column names,
    lower case; None: every column."""
    if value.strip() in ("", "*"):
        return None, None, None
    orders: set[str] = set()
    details: set[str] = set()
    products: set[str] = set()
    for column in value.split(","):
        prefix, _, name = column.strip().rpartition(".")
        target = {"o": orders, "od": details, "p": products, "pe": products}.get(
            prefix.lower(), orders | products
        )
        if target is orders | products:
            orders.add(name.lower())
            products.add(name.lower())
        else:
            target.add(name.lower())
    return orders, details, products


def orders_xml(state: VolusionState, orders: list[Order], columns: str) -> bytes:
    wanted_o, wanted_d, _ = columns_parse(columns)
    parts = []
    for order in orders:
        details = "".join(
            f"<OrderDetails>{_elements(detail_fields(order, i), wanted_d)}</OrderDetails>"
            for i in range(len(order.details))
        )
        if wanted_d is not None and not wanted_d:
            details = ""
        parts.append(f"<Orders>{_elements(order_fields(state, order), wanted_o)}{details}</Orders>")
    return _document(parts)


def products_xml(state: VolusionState, products: list[Product], columns: str) -> bytes:
    _, _, wanted = columns_parse(columns)
    return _document(
        [f"<Products>{_elements(product_fields(state, p), wanted)}</Products>" for p in products]
    )


def _document(parts: list[str]) -> bytes:
    if not parts:
        return (HEAD + "<xmldata />").encode()
    return (HEAD + "<xmldata>" + "".join(parts) + "</xmldata>").encode()
