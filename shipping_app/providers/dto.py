"""DTOs the shipping providers speak: plain frozen dataclasses, no model instances."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Literal


@dataclass(frozen=True)
class ProviderConfig:
    """What a provider gets of its account: values only (decrypted credentials, options)."""

    account_id: int
    base_url: str
    credentials: Mapping[str, str]
    options: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class AddressDTO:
    """A postal address."""

    name: str = ""
    company: str = ""
    street1: str = ""
    street2: str = ""
    city: str = ""
    state: str = ""
    postal_code: str = ""
    country: str = "US"
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class ExportLineDTO:
    """One order line as sent to a shipping app. ``line_key`` is our OrderLine id as text."""

    line_key: str
    sku: str
    name: str
    quantity: int
    unit_price: Decimal
    weight_grams: Decimal = Decimal("0")


ExportStatus = Literal["open", "cancelled"]


@dataclass(frozen=True)
class OrderExportDTO:
    """An order to create or update at a shipping app, under our stable ``order_key``."""

    order_key: str
    order_number: str
    status: ExportStatus
    ordered_at: datetime
    ship_to: AddressDTO
    lines: Sequence[ExportLineDTO]
    customer_email: str = ""
    currency: str = "USD"
    total: Decimal = Decimal("0")
    shipping_paid: Decimal = Decimal("0")
    tax_total: Decimal = Decimal("0")
    external_id: str = ""


@dataclass(frozen=True)
class ExportResult:
    """What the shipping app answered: its own id for the order."""

    external_id: str


@dataclass(frozen=True)
class ShipmentLineDTO:
    """Units of one line in a shipment: by our line key when the vendor echoes it, else by SKU."""

    quantity: int
    line_key: str = ""
    sku: str = ""


@dataclass(frozen=True)
class ShipmentDTO:
    """A shipment created at the vendor. ``order_key`` is the key we exported the order under."""

    external_id: str
    order_key: str
    carrier: str = ""
    service: str = ""
    tracking_number: str = ""
    tracking_url: str = ""
    cost: Decimal = Decimal("0")
    currency: str = "USD"
    shipped_at: datetime | None = None
    created_at: datetime | None = None
    lines: Sequence[ShipmentLineDTO] = ()
    voided: bool = False
    order_number: str = ""


@dataclass(frozen=True)
class ShipmentPage:
    """One page of shipments; ``next_cursor`` None means the last page."""

    shipments: Sequence[ShipmentDTO]
    next_cursor: str | None = None


@dataclass(frozen=True)
class ParcelDTO:
    """One parcel: dimensions in ``distance_unit``, weight in grams."""

    length: Decimal
    width: Decimal
    height: Decimal
    distance_unit: str
    weight_grams: Decimal


@dataclass(frozen=True)
class RateDTO:
    """A rate quoted for a shipment."""

    external_id: str
    carrier: str
    service_name: str
    service_token: str
    amount: Decimal
    currency: str
    estimated_days: int | None = None


@dataclass(frozen=True)
class RatedShipmentDTO:
    """A shipment created at a label service, with its rates."""

    external_id: str
    rates: Sequence[RateDTO]


@dataclass(frozen=True)
class LabelDTO:
    """A purchased label (Shippo transaction)."""

    transaction_id: str
    rate_id: str
    status: str
    tracking_number: str = ""
    tracking_url: str = ""
    label_url: str = ""
    messages: Sequence[str] = ()


TrackingState = Literal["pre_transit", "in_transit", "delivered", "returned", "failure", "unknown"]


@dataclass(frozen=True)
class TrackingUpdateDTO:
    """One tracking status of a parcel, from a tracking webhook."""

    tracking_number: str
    carrier: str
    state: TrackingState
    detail: str = ""
    occurred_at: datetime | None = None
    transaction_id: str = ""


DeliveryKind = Literal["shipments", "tracking", "ignored"]


@dataclass(frozen=True)
class WebhookDelivery:
    """A verified, parsed delivery.

    ``event_key`` de-duplicates deliveries. ``kind`` says what processing it needs: shipments
    (given inline in ``shipments`` or to be fetched from ``resource_url``), a ``tracking`` update,
    or nothing.
    """

    event_key: str
    topic: str
    kind: DeliveryKind
    payload: Mapping[str, object]
    resource_url: str = ""
    shipments: Sequence[ShipmentDTO] = ()
    tracking: TrackingUpdateDTO | None = None
