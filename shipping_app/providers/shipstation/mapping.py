"""Pure functions between ShipStation V1 JSON and our DTOs."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from shipping_app.providers.dto import OrderExportDTO, ShipmentDTO, ShipmentLineDTO

PACIFIC = ZoneInfo("America/Los_Angeles")  # V1 timestamps carry no offset and are Pacific time
TRACKING_URLS = {
    "usps": "https://tools.usps.com/go/TrackConfirmAction?tLabels={}",
    "stamps_com": "https://tools.usps.com/go/TrackConfirmAction?tLabels={}",
    "ups": "https://www.ups.com/track?tracknum={}",
    "ups_walleted": "https://www.ups.com/track?tracknum={}",
    "fedex": "https://www.fedex.com/fedextrack/?trknbr={}",
    "dhl_express": "https://www.dhl.com/en/express/tracking.html?AWB={}",
}


def ss_datetime_parse(value: str | None) -> datetime | None:
    """A V1 timestamp ('2015-06-29T15:06:40.0000000', Pacific) as an aware UTC datetime."""
    if not value:
        return None
    text = value.strip().rstrip("Z")
    if "." in text:
        head, frac = text.split(".", 1)
        text = f"{head}.{frac[:6]}"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        try:
            parsed = datetime.combine(date.fromisoformat(text[:10]), datetime.min.time())
        except ValueError:
            return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=PACIFIC)
    return parsed.astimezone(UTC)


def ss_datetime_format(value: datetime) -> str:
    """An aware datetime as a V1 filter value (Pacific, 'YYYY-MM-DD HH:MM:SS')."""
    return value.astimezone(PACIFIC).strftime("%Y-%m-%d %H:%M:%S")


def _money(value: object) -> Decimal:
    try:
        return Decimal(str(value if value is not None else "0")).quantize(Decimal("0.01"))
    except InvalidOperation:
        return Decimal("0.00")


def order_payload(*, order: OrderExportDTO, store_id: int | None = None) -> dict:
    """The createorder body of an order: ``orderKey`` is our stable key, ``lineItemKey`` our line id."""
    to = order.ship_to
    address = {
        "name": to.name or "-",
        "company": to.company or None,
        "street1": to.street1,
        "street2": to.street2 or None,
        "city": to.city,
        "state": to.state,
        "postalCode": to.postal_code,
        "country": to.country,
        "phone": to.phone or None,
        "residential": None,
    }
    payload = {
        "orderNumber": order.order_number,
        "orderKey": order.order_key,
        "orderDate": ss_datetime_format(order.ordered_at),
        "paymentDate": ss_datetime_format(order.ordered_at),
        "orderStatus": "cancelled" if order.status == "cancelled" else "awaiting_shipment",
        "customerEmail": order.customer_email or None,
        "billTo": dict(address),
        "shipTo": address,
        "items": [
            {
                "lineItemKey": line.line_key,
                "sku": line.sku,
                "name": line.name or line.sku,
                "quantity": line.quantity,
                "unitPrice": float(line.unit_price),
                "weight": {"value": float(line.weight_grams), "units": "grams"},
            }
            for line in order.lines
        ],
        "amountPaid": float(order.total),
        "taxAmount": float(order.tax_total),
        "shippingAmount": float(order.shipping_paid),
    }
    if order.external_id.isdigit():
        payload["orderId"] = int(order.external_id)
    if store_id:
        payload["advancedOptions"] = {"storeId": store_id}
    return payload


def shipment_from_json(data: dict) -> ShipmentDTO:
    """A V1 shipment object as a ShipmentDTO."""
    carrier = str(data.get("carrierCode") or "")
    tracking = str(data.get("trackingNumber") or "")
    template = TRACKING_URLS.get(carrier)
    created = ss_datetime_parse(data.get("createDate"))
    ship_date = ss_datetime_parse(data.get("shipDate"))
    return ShipmentDTO(
        external_id=str(data["shipmentId"]),
        order_key=str(data.get("orderKey") or ""),
        order_number=str(data.get("orderNumber") or ""),
        carrier=carrier,
        service=str(data.get("serviceCode") or ""),
        tracking_number=tracking,
        tracking_url=template.format(tracking) if template and tracking else "",
        cost=_money(data.get("shipmentCost")) + _money(data.get("insuranceCost")),
        currency="USD",
        shipped_at=created or ship_date,
        created_at=created,
        voided=bool(data.get("voided")),
        lines=[
            ShipmentLineDTO(
                quantity=int(item.get("quantity") or 0),
                line_key=str(item.get("lineItemKey") or ""),
                sku=str(item.get("sku") or ""),
            )
            for item in (data.get("shipmentItems") or [])
            if int(item.get("quantity") or 0) > 0
        ],
    )
