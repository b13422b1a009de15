"""Pure functions from Volusion's export XML (``<Orders>``, ``<Products>``) to our DTOs.

Dates are store-local ``M/D/YYYY h:mm:ss AM|PM``; :func:`local_date` makes them aware in the
account's time zone (an hour that happens twice at the end of summer time takes the earlier
instant, so a LastModified check errs towards reading an order again, never skipping it).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from xml.etree.ElementTree import Element
from zoneinfo import ZoneInfo

from channels_app.connectors.dto import ListingDTO, OrderDTO, OrderLineDTO, OrderState
from channels_app.connectors.errors import ConnectorError, WebhookPayloadError
from channels_app.connectors.values import whole_number

CANCELLED = {"cancelled", "returned"}
FULFILLED = {"shipped", "partially returned"}
UNPAID = {"awaiting payment", "payment declined"}
DATE_FORMAT = "%m/%d/%Y %I:%M:%S %p"


def text(element: Element, name: str) -> str:
    """The text of child ``name`` (Volusion leaves empty fields out: missing is "")."""
    child = element.find(name)
    return (child.text or "").strip() if child is not None else ""


def local_date(value: str, tz: ZoneInfo) -> datetime:
    """A Volusion date in the store's time zone ``tz``, as an aware datetime."""
    try:
        naive = datetime.strptime(value.strip(), DATE_FORMAT)
    except ValueError:
        try:
            naive = datetime.strptime(value.strip(), "%m/%d/%Y")
        except ValueError:
            raise ConnectorError(f"Not a Volusion date: {value!r}") from None
    return naive.replace(tzinfo=tz, fold=0)


def order_state(status: str) -> OrderState:
    lowered = status.strip().lower()
    if lowered in CANCELLED:
        return "cancelled"
    if lowered in FULFILLED:
        return "fulfilled"
    return "open"


def _decimal(value: str) -> Decimal:
    try:
        return Decimal(value or "0")
    except InvalidOperation:
        raise ConnectorError(f"Not a number: {value!r}") from None


def order_from_xml(element: Element, *, tz: ZoneInfo) -> OrderDTO:
    """One ``<Orders>`` record; raises ConnectorError when a required field is missing or wrong."""
    order_id = text(element, "OrderID")
    if not order_id:
        raise ConnectorError("An <Orders> record without OrderID")
    status = text(element, "OrderStatus")
    state = order_state(status)
    try:
        lines = []
        for detail in element.findall("OrderDetails"):
            quantity = whole_number(text(detail, "Quantity") or "0")
            shipped = whole_number(text(detail, "QtyShipped") or "0", what="shipped quantity")
            if state == "fulfilled":
                shipped = quantity
            code = text(detail, "ProductCode")
            lines.append(
                OrderLineDTO(
                    external_line_id=text(detail, "OrderDetailID"),
                    quantity=quantity,
                    sku_code=code,
                    listing_external_id=code,
                    title=text(detail, "ProductName"),
                    unit_price=_decimal(text(detail, "ProductPrice")),
                    quantity_fulfilled=min(shipped, quantity),
                )
            )
    except WebhookPayloadError as exc:
        raise ConnectorError(f"Order {order_id}: {exc}") from None
    modified = text(element, "LastModified") or text(element, "OrderDate")
    if not modified:
        raise ConnectorError(f"Order {order_id} has neither LastModified nor OrderDate")
    created = text(element, "OrderDate")
    name = " ".join(p for p in (text(element, "ShipFirstName"), text(element, "ShipLastName")) if p)
    return OrderDTO(
        external_id=order_id,
        status=state,
        updated_at=local_date(modified, tz),
        created_at=local_date(created, tz) if created else None,
        lines=lines,
        is_paid=status.strip().lower() not in UNPAID,
        total=_decimal(text(element, "PaymentAmount")),
        customer_name=name,
    )


def stock_from_xml(element: Element) -> tuple[str, int | None]:
    """(ProductCode, StockStatus) of one ``<Products>`` record (None: no figure, or negative
    when back orders are allowed: read as unknown rather than guessed)."""
    code = text(element, "ProductCode")
    raw = text(element, "StockStatus")
    try:
        stock = int(raw) if raw else None
    except ValueError:
        raise ConnectorError(f"Product {code}: StockStatus {raw!r} is not a number") from None
    return code, stock


def listing_from_xml(element: Element) -> ListingDTO:
    """One ``<Products>`` record as a listing: its ProductCode is the id and the SKU; a child
    product (variant) keeps its parent's code as ``external_product_id``."""
    code, stock = stock_from_xml(element)
    if not code:
        raise ConnectorError("A <Products> record without ProductCode")
    parent = text(element, "IsChildOfProductCode")
    return ListingDTO(
        external_id=code,
        sku_code=code,
        title=text(element, "ProductName"),
        quantity=stock if stock is not None and stock >= 0 else None,
        external_product_id=parent,
        external_variant_id=text(element, "ProductID"),
        extra={"parent_code": parent} if parent else {},
    )
