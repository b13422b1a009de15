"""Pure functions between ShippingEasy JSON and our DTOs."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from shipping_app.providers.dto import OrderExportDTO, ShipmentDTO, ShipmentLineDTO

OUNCES_PER_GRAM = Decimal("0.03527396")
TRACKING_URLS = {
    "USPS": "https://tools.usps.com/go/TrackConfirmAction?tLabels={}",
    "UPS": "https://www.ups.com/track?tracknum={}",
    "FEDEX": "https://www.fedex.com/fedextrack/?trknbr={}",
}


def order_payload(*, order: OrderExportDTO) -> dict:
    """The body of POST /api/stores/<key>/orders for an order."""
    to = order.ship_to
    first, _, last = (to.name or "").partition(" ")
    return {
        "order": {
            "external_order_identifier": order.order_key,
            "alternate_order_id": order.order_number,
            "ordered_at": order.ordered_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S +0000"),
            "order_status": "awaiting_shipment",
            "total_including_tax": str(order.total),
            "total_tax": str(order.tax_total),
            "base_shipping_cost": str(order.shipping_paid),
            "billing_email": order.customer_email,
            "recipients": [
                {
                    "first_name": first,
                    "last_name": last,
                    "company": to.company,
                    "email": to.email,
                    "phone_number": to.phone,
                    "address": to.street1,
                    "address2": to.street2,
                    "city": to.city,
                    "state": to.state,
                    "postal_code": to.postal_code,
                    "country": to.country,
                    "items_total": sum(line.quantity for line in order.lines),
                    "line_items": [
                        {
                            "item_name": line.name,
                            "sku": line.sku,
                            "quantity": line.quantity,
                            "unit_price": str(line.unit_price),
                            "weight_in_ounces": str(
                                (line.weight_grams * OUNCES_PER_GRAM).quantize(Decimal("0.1"))
                            ),
                            "ext_line_item_id": line.line_key,
                        }
                        for line in order.lines
                    ],
                }
            ],
        }
    }


def _ship_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = datetime.combine(date.fromisoformat(value[:10]), datetime.min.time())
        except ValueError:
            return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _lines(order: dict) -> list[ShipmentLineDTO]:
    lines = []
    for recipient in order.get("recipients") or []:
        for item in recipient.get("line_items") or []:
            quantity = int(item.get("quantity") or 0)
            if quantity > 0:
                lines.append(
                    ShipmentLineDTO(
                        quantity=quantity,
                        line_key=str(item.get("ext_line_item_id") or ""),
                        sku=str(item.get("sku") or ""),
                    )
                )
    return lines


def shipments_from_callback(shipment: dict) -> list[ShipmentDTO]:
    """One DTO per order a ShippingEasy shipment covers (its cost, in cents, on the first)."""
    orders = shipment.get("orders") or []
    carrier = str(shipment.get("carrier_key") or "")
    tracking = str(shipment.get("tracking_number") or "")
    template = TRACKING_URLS.get(carrier.upper())
    cost = Decimal(int(shipment.get("shipment_cost") or 0)) / 100
    result = []
    for index, order in enumerate(orders):
        key = str(order["external_order_identifier"])
        result.append(
            ShipmentDTO(
                external_id=str(shipment["id"]) if len(orders) == 1 else f"{shipment['id']}/{key}",
                order_key=key,
                order_number=key,
                carrier=carrier,
                service=str(shipment.get("carrier_service_key") or ""),
                tracking_number=tracking,
                tracking_url=template.format(tracking) if template and tracking else "",
                cost=cost if index == 0 else Decimal("0"),
                currency="USD",
                shipped_at=_ship_date(shipment.get("ship_date")),
                lines=_lines(order),
            )
        )
    return result


def shipments_from_order(order: dict) -> list[ShipmentDTO]:
    """The shipments listed on an order of GET /api/orders (shape assumed as the callback's)."""
    result = []
    for shipment in order.get("shipments") or []:
        result += shipments_from_callback({**shipment, "orders": [order]})
    return result
