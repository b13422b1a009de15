"""Shipments: POST /V1/order/{id}/ship with the shipped lines and one track.

Our lines are Magento's leaf rows (a configurable product's child row); Magento ships the
top-level row, so a child row is shipped through its parent. The order is read first: lines
Magento already shows shipped beyond what our earlier fulfilments reported are taken as this
report landed before (a retry after a lost answer) and nothing is sent again.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from channels_app.connectors.dto import FulfilmentDTO
from channels_app.connectors.errors import ConnectorError
from channels_app.connectors.magento.client import MagentoClient

KNOWN_CARRIERS = ("ups", "usps", "fedex", "dhl")


def carrier_code(carrier: str, *, carrier_codes: Mapping[str, Any]) -> str:
    """Magento's carrier_code for our carrier name (the map, a built-in code, else custom)."""
    if carrier in carrier_codes:
        return str(carrier_codes[carrier])
    lowered = carrier.strip().lower()
    return lowered if lowered in KNOWN_CARRIERS else "custom"


def shipment_body(
    *, order: Mapping[str, Any], fulfilment: FulfilmentDTO, source_code: str, carrier_codes: Mapping[str, Any]
) -> dict[str, Any] | None:
    """The ship request for ``fulfilment`` (None: Magento already shows these lines shipped)."""
    rows = {str(row["item_id"]): row for row in order.get("items") or []}
    items: dict[int, float] = {}
    landed = True
    for line_id, qty in fulfilment.lines.items():
        row = rows.get(str(line_id))
        if row is None:
            raise ConnectorError(f"Magento order {fulfilment.order_external_id} has no item {line_id}")
        before = int(fulfilment.reported_before.get(str(line_id), 0))
        if float(row.get("qty_shipped") or 0) < before + qty:
            landed = False
        top = row.get("parent_item_id") or row["item_id"]
        items[int(top)] = items.get(int(top), 0) + qty
    if landed:
        return None
    body: dict[str, Any] = {
        "items": [{"order_item_id": item_id, "qty": qty} for item_id, qty in items.items()],
        "notify": False,
        "arguments": {"extension_attributes": {"source_code": source_code}},
    }
    if fulfilment.tracking_number:
        body["tracks"] = [
            {
                "track_number": fulfilment.tracking_number,
                "title": fulfilment.carrier or "Carrier",
                "carrier_code": carrier_code(fulfilment.carrier, carrier_codes=carrier_codes),
            }
        ]
    return body


def shipment_create(
    *, client: MagentoClient, fulfilment: FulfilmentDTO, source_code: str, carrier_codes: Mapping[str, Any]
) -> int | None:
    """Create the shipment; return Magento's shipment id (None when it had landed already)."""
    order_id = fulfilment.order_external_id
    order = client.call("GET", f"orders/{int(order_id)}")
    body = shipment_body(
        order=order, fulfilment=fulfilment, source_code=source_code, carrier_codes=carrier_codes
    )
    if body is None:
        return None
    answer = client.call("POST", f"order/{int(order_id)}/ship", body=body)
    return int(answer) if isinstance(answer, int | str) and str(answer).isdigit() else None
