"""Recording a shipment: lines shipped in the core once (with carrier and tracking, so the core's
shipment hook tells the order's channel), cost kept.

Every way a shipment reaches us (a ShipStation or ShippingEasy notification, the poll, a Shippo
label bought here) ends in :func:`shipment_record`. It is idempotent three times over: the
shipment is unique per (account, vendor id), it is locked while recorded, and the core's
``order_ship`` runs with an idempotency key derived from the shipment, so a delivery seen twice
(webhook and poll, or a retried task) ships the stock once.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from inventory_app.errors import OrderError
from inventory_app.models import Order, OrderLine
from inventory_app.services.orders import Tracking, order_ship, order_shipment_tracking_set
from shipping_app.errors import ShipmentUnmatched
from shipping_app.models import (
    OrderExport,
    Shipment,
    ShipmentEvent,
    ShipmentLine,
    ShipmentStatus,
    ShippingAccount,
)
from shipping_app.providers.dto import ShipmentDTO, ShipmentLineDTO

SHIPPED_OR_LATER = {
    ShipmentStatus.SHIPPED,
    ShipmentStatus.IN_TRANSIT,
    ShipmentStatus.DELIVERED,
    ShipmentStatus.RETURNED,
    ShipmentStatus.FAILURE,
}


def shipment_idempotency_key(*, shipment: Shipment) -> str:
    """The core operation key of a shipment: stable for the (account, vendor id) it stands for."""
    if shipment.external_id:
        return f"shipping:{shipment.account_id}:{shipment.external_id}"[:200]
    return f"shipping:shipment:{shipment.pk}"


def shipment_order_find(*, account: ShippingAccount, dto: ShipmentDTO) -> Order:
    """The order a vendor shipment belongs to, by the key we exported it under."""
    export = (
        OrderExport.objects.filter(account=account, order_key=dto.order_key).select_related("order").first()
    )
    if export is None:
        raise ShipmentUnmatched(f"Shipment {dto.external_id}: no order exported under key {dto.order_key!r}")
    return export.order


def _lines_match(*, order: Order, lines: list[ShipmentLineDTO]) -> tuple[dict[int, int], list[str]]:
    """Order line id -> units for the vendor's lines (capped at what is open), and what did not fit."""
    order_lines = list(OrderLine.objects.filter(order=order).select_related("sku").order_by("pk"))
    remaining = {line.pk: line.quantity_open for line in order_lines}
    wanted: dict[int, int] = defaultdict(int)
    problems: list[str] = []
    if not lines:
        return {pk: q for pk, q in remaining.items() if q > 0}, problems
    for item in lines:
        units = item.quantity
        candidates = [line for line in order_lines if item.line_key and str(line.pk) == item.line_key]
        if not candidates and item.sku:
            candidates = [
                line
                for line in order_lines
                if line.external_sku == item.sku or (line.sku is not None and line.sku.code == item.sku)
            ]
        for line in candidates:
            take = min(units, remaining[line.pk])
            if take > 0:
                wanted[line.pk] += take
                remaining[line.pk] -= take
                units -= take
            if not units:
                break
        if units:
            problems.append(f"{units} unit(s) of {item.sku or item.line_key} are not open on the order")
    return dict(wanted), problems


def _shipment_lock_or_create(
    *, account: ShippingAccount, order: Order, dto: ShipmentDTO
) -> tuple[Shipment, bool]:
    defaults = {"order": order, "status": ShipmentStatus.SHIPPED}
    try:
        with transaction.atomic():
            shipment, created = Shipment.objects.get_or_create(
                account=account, external_id=dto.external_id, defaults=defaults
            )
    except IntegrityError:
        shipment, created = Shipment.objects.get(account=account, external_id=dto.external_id), False
    return Shipment.objects.select_for_update().get(pk=shipment.pk), created


def _tracking(shipment: Shipment) -> Tracking:
    """The vendor's carrier and tracking as the core keeps them."""
    return Tracking(
        carrier=shipment.carrier[:64], number=shipment.tracking_number[:128], url=shipment.tracking_url[:1000]
    )


def _event_add(*, shipment: Shipment, key: str, status: str, description: str, when: datetime | None) -> None:
    ShipmentEvent.objects.get_or_create(
        shipment=shipment,
        key=key[:255],
        defaults={"status": status, "description": description[:500], "occurred_at": when or timezone.now()},
    )


def shipment_record(
    *,
    account: ShippingAccount,
    dto: ShipmentDTO,
    order: Order | None = None,
    user: AbstractBaseUser | None = None,
) -> tuple[Shipment, bool]:
    """Record a vendor shipment; return (shipment, newly shipped).

    Ships its lines in the core (``order_ship``: stock consumed, COGS by the core's costing, a
    partial shipment leaves the rest open), keeps carrier/service/cost/tracking, and queues the
    fulfilment for the order's channel (the core's ``OrderShipment`` and its hook) - all in one
    transaction. Seen again, it only refreshes tracking (the core's shipment too). A voided
    shipment is kept as voided and ships nothing. Units that are not open on the order (already
    shipped or cancelled) are left out and noted on the shipment.
    Raises ShipmentUnmatched if ``order`` is not given and no order was exported under its key.
    """
    if order is None:
        order = shipment_order_find(account=account, dto=dto)
    with transaction.atomic():
        shipment, _created = _shipment_lock_or_create(account=account, order=order, dto=dto)
        tracking_changed = (dto.tracking_number and dto.tracking_number != shipment.tracking_number) or (
            dto.tracking_url and dto.tracking_url != shipment.tracking_url
        )
        shipment.carrier = dto.carrier or shipment.carrier
        shipment.service = dto.service or shipment.service
        shipment.tracking_number = dto.tracking_number or shipment.tracking_number
        shipment.tracking_url = dto.tracking_url or shipment.tracking_url
        if dto.cost:
            shipment.rate_amount = dto.cost
            shipment.rate_currency = dto.currency or shipment.rate_currency
        if dto.voided:
            if shipment.stock_operation_id is None:
                shipment.status = ShipmentStatus.VOIDED
            else:
                shipment.attention_reason = "Voided at the vendor after it was shipped: return the goods"
            shipment.save()
            _event_add(
                shipment=shipment, key="voided", status=ShipmentStatus.VOIDED, description="Voided", when=None
            )
            return shipment, False
        if shipment.stock_operation_id is not None:
            shipment.save()
            if tracking_changed:
                order_shipment_tracking_set(
                    operation_id=shipment.stock_operation_id, tracking=_tracking(shipment)
                )
            return shipment, False
        planned = {line.order_line_id: line.quantity for line in shipment.lines.all()}
        if planned:  # a shipment drafted here (Shippo) ships the lines it was drafted for
            quantities, problems = planned, []
        else:
            quantities, problems = _lines_match(order=order, lines=list(dto.lines))
        shipment.shipped_at = dto.shipped_at or dto.created_at or timezone.now()
        if shipment.status not in SHIPPED_OR_LATER:
            shipment.status = ShipmentStatus.SHIPPED
        if quantities:
            try:
                with transaction.atomic():
                    operation = order_ship(
                        order=order,
                        quantities=quantities,
                        user=user,
                        reference=f"shipment:{shipment.pk}",
                        idempotency_key=shipment_idempotency_key(shipment=shipment),
                        tracking=_tracking(shipment),
                    )
            except OrderError as exc:
                problems.append(f"Not shipped in the stock master: {exc}")
                quantities = {}
            else:
                shipment.stock_operation = operation
                if not planned:
                    ShipmentLine.objects.bulk_create(
                        [
                            ShipmentLine(shipment=shipment, order_line_id=pk, quantity=q)
                            for pk, q in quantities.items()
                        ]
                    )
        shipment.attention_reason = "\n".join(problems)
        shipment.save()
        _event_add(
            shipment=shipment,
            key="recorded",
            status=ShipmentStatus.SHIPPED,
            description=(
                f"Shipped {sum(quantities.values())} unit(s): {shipment.carrier} {shipment.tracking_number}"
            ),
            when=shipment.shipped_at,
        )
    return shipment, bool(quantities)
