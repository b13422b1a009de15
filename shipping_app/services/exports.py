"""Order export to shipping apps: open orders created or updated under a stable key, cancellations sent.

The vendor's own order key makes it idempotent (ShipStation's ``orderKey`` upserts; ShippingEasy
refuses a second order with the same ``external_order_identifier`` and the provider looks it up
instead). Locally the (account, order) row is locked while sending and remembers the digest of
the last payload sent, so an unchanged order is not sent again.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from inventory_app.models import SKU, Order, OrderLine, OrderStatus
from shipping_app.errors import ShippingError
from shipping_app.models import OrderExport, OrderExportState, ShippingAccount
from shipping_app.providers.base import OrderExporter, ProviderError
from shipping_app.providers.dto import AddressDTO, ExportLineDTO, OrderExportDTO
from shipping_app.services.accounts import shipping_account_provider

EXPORTABLE = {OrderStatus.OPEN, OrderStatus.PARTIALLY_SHIPPED}


def order_address(*, order: Order) -> AddressDTO:
    """The order's ship-to address as a DTO (keys as the core stores them, with common aliases)."""
    a = order.shipping_address or {}

    def pick(*keys: str) -> str:
        for key in keys:
            if a.get(key):
                return str(a[key])
        return ""

    return AddressDTO(
        name=pick("name", "full_name") or order.customer_name,
        company=pick("company"),
        street1=pick("street1", "address1", "line1", "address"),
        street2=pick("street2", "address2", "line2"),
        city=pick("city"),
        state=pick("state", "province", "province_code", "region"),
        postal_code=pick("postal_code", "zip", "postcode", "postalCode"),
        country=pick("country", "country_code") or "US",
        phone=pick("phone"),
        email=pick("email") or order.customer_email,
    )


def order_export_dto(*, order: Order, order_key: str, cancelled: bool = False) -> OrderExportDTO:
    """The export DTO of an order: its still-open lines (units not shipped nor cancelled)."""
    lines = list(OrderLine.objects.filter(order=order).order_by("pk"))
    weights = dict(
        SKU.objects.filter(pk__in=[line.sku_id for line in lines if line.sku_id]).values_list(
            "pk", "weight_grams"
        )
    )
    return OrderExportDTO(
        order_key=order_key,
        order_number=order.external_ref,
        status="cancelled" if cancelled else "open",
        ordered_at=order.placed_at or order.created_at,
        ship_to=order_address(order=order),
        lines=[
            ExportLineDTO(
                line_key=str(line.pk),
                sku=line.external_sku or "",
                name=line.title or line.external_sku,
                quantity=line.quantity_open if not cancelled else line.quantity,
                unit_price=line.unit_price,
                weight_grams=Decimal(weights.get(line.sku_id) or 0),
            )
            for line in lines
            if cancelled or line.quantity_open > 0
        ],
        customer_email=order.customer_email,
        currency=order.currency,
        total=order.total,
        shipping_paid=order.shipping_total,
        tax_total=order.tax_total,
    )


def _digest(dto: OrderExportDTO) -> str:
    raw = json.dumps(
        {k: v for k, v in dto.__dict__.items() if k != "external_id"}, default=str, sort_keys=True
    )
    return hashlib.sha256(raw.encode()).hexdigest()


def order_export(*, account: ShippingAccount, order: Order) -> OrderExport | None:
    """Send the order to the shipping app: create, update if it changed, or cancel if cancelled.

    Open (or partially shipped) orders are created or updated; a cancelled order that was exported
    is cancelled there (one never exported is not sent: returns None); a shipped order is left
    alone. The same payload is not sent twice. The (account, order) row stays locked while the
    vendor is called, so two exports of one order never race into two vendor orders. Raises
    ShippingError if the account takes no orders; a vendor error (Retryable/ProviderError) is
    recorded on the row, committed, then raised (the task retries).
    """
    provider = shipping_account_provider(account=account)
    if not isinstance(provider, OrderExporter):
        raise ShippingError(f"{account.provider} does not take orders")
    error: ProviderError | None = None
    with transaction.atomic():
        order = Order.objects.get(pk=order.pk)
        cancelled = order.status == OrderStatus.CANCELLED
        export = OrderExport.objects.select_for_update().filter(account=account, order=order).first()
        if export is None:
            if cancelled or order.status not in EXPORTABLE:
                return None
            OrderExport.objects.get_or_create(
                account=account, order=order, defaults={"order_key": provider.order_key(order_id=order.pk)}
            )
            export = OrderExport.objects.select_for_update().get(account=account, order=order)
        if cancelled and (export.state == OrderExportState.CANCELLED or not export.exported_at):
            return export
        if not cancelled and order.status not in EXPORTABLE:
            return export
        dto = order_export_dto(order=order, order_key=export.order_key, cancelled=cancelled)
        dto = OrderExportDTO(**{**dto.__dict__, "external_id": export.external_id})
        digest = _digest(dto)
        if digest == export.payload_digest and export.state == OrderExportState.EXPORTED:
            return export
        export.attempts += 1
        try:
            if cancelled:
                provider.order_cancel(order=dto)
            else:
                result = provider.order_export(order=dto)
                export.external_id = result.external_id or export.external_id
        except ProviderError as exc:
            error = exc
            export.last_error = str(exc)[:2000]
            if not export.exported_at:
                export.state = OrderExportState.FAILED
        else:
            export.state = OrderExportState.CANCELLED if cancelled else OrderExportState.EXPORTED
            export.payload_digest = digest
            export.exported_at = timezone.now()
            export.last_error = ""
        export.save()
    if error is not None:
        raise error
    return export


def orders_export_pending(*, account: ShippingAccount, limit: int = 500) -> list[int]:
    """Ids of orders the account should (re)send: open ones not exported or changed since, and
    exported ones cancelled since. Read-only; the export task sends them one by one.
    """
    from shipping_app.selectors.exports import orders_to_export

    return orders_to_export(account=account, limit=limit)
