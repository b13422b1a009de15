"""Suppliers, supplier prices and purchase orders (draft -> sent -> received -> closed).

Receiving lives in :mod:`.receiving`, landed costs in :mod:`.landed_cost`.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from inventory_app.errors import InvalidStockOperation
from inventory_app.models import (
    SKU,
    Location,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseOrderStatus,
    Supplier,
    SupplierItem,
)


class PurchasingError(InvalidStockOperation):
    """A purchasing operation was refused (wrong state, over-receipt, bad line); nothing changed."""


def supplier_create(
    *,
    code: str,
    name: str,
    currency: str = "USD",
    lead_time_days: int = 7,
    contact_name: str = "",
    email: str = "",
    phone: str = "",
    address: dict | None = None,
    note: str = "",
) -> Supplier:
    """Create a supplier."""
    if len(currency) != 3:
        raise PurchasingError(f"Currency must be a 3-letter code, not {currency!r}")
    if Supplier.objects.filter(code=code).exists():
        raise PurchasingError(f"A supplier with code {code!r} exists")
    return Supplier.objects.create(
        code=code,
        name=name,
        currency=currency.upper(),
        lead_time_days=lead_time_days,
        contact_name=contact_name,
        email=email,
        phone=phone,
        address=address or {},
        note=note,
    )


def supplier_item_set(
    *,
    supplier: Supplier,
    sku: SKU,
    unit_price: Decimal,
    supplier_sku: str = "",
    min_order_quantity: int = 1,
    lead_time_days: int | None = None,
    is_preferred: bool = False,
) -> SupplierItem:
    """Create or update the supplier's price (and code) for one of our SKUs.

    Marking it preferred un-marks the SKU's other preferred supplier items.
    """
    if unit_price < 0:
        raise PurchasingError("A price cannot be negative")
    if sku.is_kit:
        raise PurchasingError(f"Kits are not bought: {sku.code}")
    with transaction.atomic():
        if is_preferred:
            SupplierItem.objects.filter(sku=sku, is_preferred=True).exclude(supplier=supplier).update(
                is_preferred=False
            )
        item, _ = SupplierItem.objects.update_or_create(
            supplier=supplier,
            sku=sku,
            defaults=dict(
                unit_price=unit_price,
                supplier_sku=supplier_sku,
                min_order_quantity=max(min_order_quantity, 1),
                lead_time_days=lead_time_days,
                is_preferred=is_preferred,
            ),
        )
    return item


@dataclass(frozen=True)
class PurchaseLineInput:
    """A line to order: our SKU, units and (optionally) the unit cost; default the supplier's price."""

    sku_id: int
    quantity: int
    unit_cost: Decimal | None = None


def purchase_order_create(
    *,
    supplier: Supplier,
    lines: Sequence[PurchaseLineInput],
    location: Location | None = None,
    expected_date: date | None = None,
    exchange_rate: Decimal = Decimal("1"),
    over_receipt_tolerance_percent: Decimal = Decimal("0"),
    note: str = "",
    user: AbstractBaseUser | None = None,
) -> PurchaseOrder:
    """Create a draft purchase order numbered PO-000001, PO-000002, ..."""
    if not lines:
        raise PurchasingError("A purchase order needs at least one line")
    if any(line.quantity <= 0 for line in lines):
        raise PurchasingError("Ordered quantities must be positive")
    if exchange_rate <= 0 or over_receipt_tolerance_percent < 0:
        raise PurchasingError("The exchange rate must be positive and the tolerance not negative")
    skus = SKU.objects.in_bulk({line.sku_id for line in lines})
    if missing := {line.sku_id for line in lines} - skus.keys():
        raise PurchasingError(f"Unknown SKU id(s): {sorted(missing)}")
    if kits := sorted(s.code for s in skus.values() if s.is_kit):
        raise PurchasingError(f"Kits are not bought: {', '.join(kits)}")
    items = {i.sku_id: i for i in SupplierItem.objects.filter(supplier=supplier, sku_id__in=skus.keys())}
    with transaction.atomic():
        order = PurchaseOrder.objects.create(
            number=f"tmp-{uuid.uuid4().hex[:24]}",  # replaced by PO-<pk> below
            supplier=supplier,
            location=location,
            currency=supplier.currency,
            exchange_rate=exchange_rate,
            over_receipt_tolerance_percent=over_receipt_tolerance_percent,
            expected_date=expected_date,
            note=note,
            created_by=user if getattr(user, "is_authenticated", False) else None,
        )
        order.number = f"PO-{order.pk:06d}"
        PurchaseOrder.objects.filter(pk=order.pk).update(number=order.number, updated_at=timezone.now())
        PurchaseOrderLine.objects.bulk_create(
            [
                PurchaseOrderLine(
                    purchase_order=order,
                    sku_id=line.sku_id,
                    supplier_sku=items[line.sku_id].supplier_sku if line.sku_id in items else "",
                    quantity_ordered=line.quantity,
                    unit_cost=_line_cost(line, items.get(line.sku_id), skus[line.sku_id]),
                )
                for line in lines
            ]
        )
    return order


def _line_cost(line: PurchaseLineInput, item: SupplierItem | None, sku: SKU) -> Decimal:
    if line.unit_cost is not None:
        if line.unit_cost < 0:
            raise PurchasingError("A unit cost cannot be negative")
        return line.unit_cost
    return item.unit_price if item is not None else sku.default_unit_cost


def _lock(order: PurchaseOrder) -> PurchaseOrder:
    return PurchaseOrder.objects.select_for_update().get(pk=order.pk)


def purchase_order_send(*, purchase_order: PurchaseOrder) -> PurchaseOrder:
    """Mark a draft as sent to the supplier: its open quantities now count as incoming."""
    with transaction.atomic():
        order = _lock(purchase_order)
        if order.status == PurchaseOrderStatus.SENT:
            return order
        if order.status != PurchaseOrderStatus.DRAFT:
            raise PurchasingError(f"Only a draft can be sent, not a {order.status} order")
        order.status, order.sent_at = PurchaseOrderStatus.SENT, timezone.now()
        order.save(update_fields=["status", "sent_at", "updated_at"])
    return order


def purchase_order_cancel(*, purchase_order: PurchaseOrder) -> PurchaseOrder:
    """Cancel an order nothing has been received on (use close for a part-received one)."""
    with transaction.atomic():
        order = _lock(purchase_order)
        if order.status == PurchaseOrderStatus.CANCELLED:
            return order
        if order.status not in (PurchaseOrderStatus.DRAFT, PurchaseOrderStatus.SENT):
            raise PurchasingError(f"A {order.status} order cannot be cancelled; close it instead")
        order.status, order.closed_at = PurchaseOrderStatus.CANCELLED, timezone.now()
        order.save(update_fields=["status", "closed_at", "updated_at"])
    return order


def purchase_order_close(*, purchase_order: PurchaseOrder) -> PurchaseOrder:
    """Close a (partially) received order: nothing more is expected from it."""
    with transaction.atomic():
        order = _lock(purchase_order)
        if order.status == PurchaseOrderStatus.CLOSED:
            return order
        if order.status not in (PurchaseOrderStatus.PARTIALLY_RECEIVED, PurchaseOrderStatus.RECEIVED):
            raise PurchasingError(f"A {order.status} order cannot be closed")
        order.status, order.closed_at = PurchaseOrderStatus.CLOSED, timezone.now()
        order.save(update_fields=["status", "closed_at", "updated_at"])
    return order


def purchase_order_status_refresh(*, purchase_order: PurchaseOrder) -> str:
    """Recompute sent / partially received / received from the lines (closed orders stay closed)."""
    order = purchase_order
    if order.status in (PurchaseOrderStatus.CLOSED, PurchaseOrderStatus.CANCELLED, PurchaseOrderStatus.DRAFT):
        return order.status
    lines = list(order.lines.values_list("quantity_ordered", "quantity_received"))
    if all(received >= ordered for ordered, received in lines):
        status = PurchaseOrderStatus.RECEIVED
    elif any(received for _, received in lines):
        status = PurchaseOrderStatus.PARTIALLY_RECEIVED
    else:
        status = PurchaseOrderStatus.SENT
    if status != order.status:
        order.status = status
        order.save(update_fields=["status", "updated_at"])
    return status
