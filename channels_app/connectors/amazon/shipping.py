"""The confirmShipment request body (ordersV0.json ConfirmShipmentRequest / PackageDetail)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from channels_app.connectors.dto import FulfilmentDTO
from channels_app.connectors.errors import ConnectorError

# Carrier names as we store them (lower case) -> Amazon carrier codes. The model documents
# carrierCode only as a string (with "Other" + carrierName for carriers without a code); these
# spellings are the common ones and were not checked against an Amazon list. Anything else is
# sent as carrierCode "Other" with carrierName, which PackageDetail documents for that case.
CARRIER_CODES = {
    "ups": "UPS",
    "usps": "USPS",
    "fedex": "FedEx",
    "dhl": "DHL",
    "ontrac": "OnTrac",
    "royal mail": "Royal Mail",
    "canada post": "Canada Post",
    "amazon shipping": "Amazon Shipping",
}


def package_reference_id(*, fulfilment: FulfilmentDTO) -> str:
    """A positive number (as text) stable for the same package, so a retried confirmation names
    the same package ("Only positive numeric values are supported", PackageReferenceId)."""
    seed = "|".join(
        [fulfilment.order_external_id, fulfilment.tracking_number]
        + [f"{k}={v}" for k, v in sorted(fulfilment.lines.items())]
    )
    return str(int(hashlib.sha256(seed.encode()).hexdigest()[:12], 16) % 999_999_999 + 1)


def confirm_shipment_body(
    *, fulfilment: FulfilmentDTO, marketplace_id: str, ship_date: datetime
) -> dict[str, Any]:
    """The ConfirmShipmentRequest for the shipped order items (OrderItemId -> quantity)."""
    lines = [{"orderItemId": str(k), "quantity": int(v)} for k, v in fulfilment.lines.items() if int(v) > 0]
    if not lines:
        raise ConnectorError("A shipment confirmation needs at least one shipped item")
    if not fulfilment.tracking_number:
        raise ConnectorError("Amazon requires a tracking number to confirm a shipment")
    carrier = fulfilment.carrier.strip()
    code = CARRIER_CODES.get(carrier.lower(), "Other")
    detail: dict[str, Any] = {
        "packageReferenceId": package_reference_id(fulfilment=fulfilment),
        "carrierCode": code,
        "trackingNumber": fulfilment.tracking_number,
        "shipDate": ship_date.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "orderItems": lines,
    }
    if code == "Other":
        detail["carrierName"] = carrier or "Other"
    return {"marketplaceId": marketplace_id, "packageDetail": detail}
