"""Shipments recorded in the core: carrier and tracking checked, the shipment row written with
its stock operation, the shipment hook called; tracking corrected later.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction

from inventory_app.errors import OrderError
from inventory_app.hooks import shipment_recorded_notify
from inventory_app.models import Order, OrderShipment, StockOperation
from inventory_app.services.events.record import event_shipment_record

TRACKING_NUMBER = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]*")


@dataclass(frozen=True)
class Tracking:
    """A shipment's carrier and tracking, checked by :func:`tracking_clean`."""

    carrier: str = ""
    number: str = ""
    url: str = ""


def tracking_clean(*, carrier: str = "", number: str = "", url: str = "") -> Tracking:
    """Check and normalise carrier and tracking; raise OrderError saying what is wrong.

    All three are optional. The number loses its spaces (``1Z 999 AA1`` -> ``1Z999AA1``) and
    must then be letters, digits and dashes (at most 128); a number needs a carrier (at most
    64 characters), so the buyer knows where to look; the URL must be http(s).
    """
    carrier, number, url = (carrier or "").strip(), "".join((number or "").split()), (url or "").strip()
    if len(carrier) > 64:
        raise OrderError("Carrier: at most 64 characters")
    if number and (len(number) > 128 or not TRACKING_NUMBER.fullmatch(number)):
        raise OrderError("Tracking number: letters, digits and dashes only, at most 128")
    if number and not carrier:
        raise OrderError("Tracking number given without a carrier: say which carrier it belongs to")
    if url:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            raise OrderError("Tracking URL: not an http(s) URL") from None
        if len(url) > 1000:
            raise OrderError("Tracking URL: at most 1000 characters")
    return Tracking(carrier=carrier, number=number, url=url)


def order_shipment_record(
    *,
    order: Order,
    operation: StockOperation,
    quantities: Mapping[int, int],
    tracking: Tracking,
    from_channel: bool,
) -> OrderShipment:
    """Write the shipment of ``operation`` and call the shipment hook (caller's transaction)."""
    shipment = OrderShipment.objects.create(
        order=order,
        operation=operation,
        quantities={str(pk): qty for pk, qty in quantities.items()},
        carrier=tracking.carrier,
        tracking_number=tracking.number,
        tracking_url=tracking.url,
        from_channel=from_channel,
    )
    event_shipment_record(shipment=shipment)
    shipment_recorded_notify(shipment=shipment)
    return shipment


def order_shipment_tracking_set(*, operation_id: int, tracking: Tracking) -> OrderShipment | None:
    """Fill in or correct the carrier and tracking of the shipment of ``operation_id`` (empty
    values keep what is there). Listeners read them when they report, so a correction made
    before the channel was told reaches it. Returns the shipment (None if there is none)."""
    with transaction.atomic():
        shipment = OrderShipment.objects.select_for_update().filter(operation_id=operation_id).first()
        if shipment is None:
            return None
        shipment.carrier = tracking.carrier or shipment.carrier
        shipment.tracking_number = tracking.number or shipment.tracking_number
        shipment.tracking_url = tracking.url or shipment.tracking_url
        shipment.save(update_fields=["carrier", "tracking_number", "tracking_url"])
    return shipment
