"""Shipments: the order completed, the tracking as a customer note, and the Shipment Tracking
extension's item when the store has the extension (``wc-shipment-tracking/v3``, detected, not
required). A retried report adds no second note nor tracking item: existing ones are read first.
"""

from __future__ import annotations

from datetime import UTC, datetime

from channels_app.connectors.dto import FulfilmentDTO
from channels_app.connectors.errors import ConnectorError
from channels_app.connectors.woocommerce.client import WooClient

TRACKING_API = "wp-json/wc-shipment-tracking/v3/"


def tracking_note(fulfilment: FulfilmentDTO) -> str:
    """The customer note carrying the carrier, tracking number and link."""
    parts = ["Shipped"]
    if fulfilment.carrier:
        parts.append(f"with {fulfilment.carrier}")
    if fulfilment.tracking_number:
        parts.append(f"- tracking number {fulfilment.tracking_number}")
    if fulfilment.tracking_url:
        parts.append(f"({fulfilment.tracking_url})")
    return " ".join(parts) + "."


def has_shipment_tracking(client: WooClient) -> bool:
    """Does the store serve the Shipment Tracking namespace (404 ``rest_invalid_namespace`` if not)?"""
    try:
        client.send("GET", "", api=TRACKING_API)
    except ConnectorError as exc:
        if exc.status in (401, 403, 404):
            return False
        raise
    return True


def fulfilment_send(*, client: WooClient, fulfilment: FulfilmentDTO) -> None:
    """Complete the order, add the tracking note once, and the tracking item once if possible."""
    order_id = fulfilment.order_external_id
    order = client.call("GET", f"orders/{order_id}", params={"_fields": "id,status"})
    if order.get("status") != "completed":
        client.call("PUT", f"orders/{order_id}", json={"status": "completed"})
    note = tracking_note(fulfilment)
    notes = client.every(f"orders/{order_id}/notes", params={"type": "customer"})
    if not any(str(n.get("note")) == note for n in notes if isinstance(n, dict)):
        client.call("POST", f"orders/{order_id}/notes", json={"note": note, "customer_note": True})
    if not fulfilment.tracking_number or not has_shipment_tracking(client):
        return
    route = f"orders/{order_id}/shipment-trackings"
    existing = client.call("GET", route, api=TRACKING_API)
    if any(str(t.get("tracking_number")) == fulfilment.tracking_number for t in existing or []):
        return
    body = {
        "tracking_number": fulfilment.tracking_number,
        "custom_tracking_provider": fulfilment.carrier or "Carrier",
        "date_shipped": datetime.now(UTC).date().isoformat(),
    }
    if fulfilment.tracking_url:
        body["custom_tracking_link"] = fulfilment.tracking_url
    client.call("POST", route, json=body, api=TRACKING_API)
