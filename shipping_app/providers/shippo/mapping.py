"""Pure functions between Shippo JSON and our DTOs."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from shipping_app.providers.dto import (
    AddressDTO,
    LabelDTO,
    ParcelDTO,
    RatedShipmentDTO,
    RateDTO,
    TrackingUpdateDTO,
)

TRACKING_STATES = {
    "PRE_TRANSIT": "pre_transit",
    "TRANSIT": "in_transit",
    "DELIVERED": "delivered",
    "RETURNED": "returned",
    "FAILURE": "failure",
    "UNKNOWN": "unknown",
}


def address_json(address: AddressDTO) -> dict:
    """An address as Shippo's address object."""
    return {
        "name": address.name,
        "company": address.company,
        "street1": address.street1,
        "street2": address.street2,
        "city": address.city,
        "state": address.state,
        "zip": address.postal_code,
        "country": address.country,
        "phone": address.phone,
        "email": address.email,
    }


def _num(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def parcel_json(parcel: ParcelDTO) -> dict:
    """A parcel as Shippo's parcel object (weight sent in grams; numbers as strings)."""
    return {
        "length": _num(parcel.length),
        "width": _num(parcel.width),
        "height": _num(parcel.height),
        "distance_unit": parcel.distance_unit,
        "weight": _num(parcel.weight_grams),
        "mass_unit": "g",
    }


def rated_shipment_from_json(data: dict) -> RatedShipmentDTO:
    """A Shippo shipment with its rates."""
    return RatedShipmentDTO(
        external_id=str(data["object_id"]),
        rates=[
            RateDTO(
                external_id=str(rate["object_id"]),
                carrier=str(rate.get("provider") or ""),
                service_name=str((rate.get("servicelevel") or {}).get("name") or ""),
                service_token=str((rate.get("servicelevel") or {}).get("token") or ""),
                amount=Decimal(str(rate.get("amount") or "0")),
                currency=str(rate.get("currency") or "USD"),
                estimated_days=rate.get("estimated_days"),
            )
            for rate in data.get("rates") or []
        ],
    )


def label_from_json(data: dict) -> LabelDTO:
    """A Shippo transaction as a LabelDTO (``rate`` may be an id or an object)."""
    rate = data.get("rate")
    return LabelDTO(
        transaction_id=str(data.get("object_id") or ""),
        rate_id=str(rate.get("object_id") if isinstance(rate, dict) else rate or ""),
        status=str(data.get("status") or ""),
        tracking_number=str(data.get("tracking_number") or ""),
        tracking_url=str(data.get("tracking_url_provider") or ""),
        label_url=str(data.get("label_url") or ""),
        messages=[
            str(m.get("text") or m) if isinstance(m, dict) else str(m) for m in data.get("messages") or []
        ],
    )


def _when(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def tracking_from_json(data: dict) -> TrackingUpdateDTO:
    """The ``data`` of a track_updated webhook as a TrackingUpdateDTO."""
    status = data.get("tracking_status") or {}
    return TrackingUpdateDTO(
        tracking_number=str(data.get("tracking_number") or ""),
        carrier=str(data.get("carrier") or ""),
        state=TRACKING_STATES.get(str(status.get("status") or "UNKNOWN").upper(), "unknown"),
        detail=str(status.get("status_details") or ""),
        occurred_at=_when(status.get("status_date")),
        transaction_id=str(data.get("transaction") or ""),
    )
