"""Planned sales documents: one per fully shipped order, or one daily summary per channel."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from accounting_app.exporters.dto import ContactRef, SalesDocument, SalesLine
from accounting_app.models import AccountingConnection, AccountRole, CustomerMode
from accounting_app.selectors.mapping import MappingResolver
from accounting_app.selectors.periods import day_bounds, period_bounds
from accounting_app.selectors.planned import PlannedDocument, reference_make
from inventory_app.models import Order, OrderStatus, SalesChannel

ONE = Decimal("1")
ZERO = Decimal("0.00")


def _shipped_orders(date_from: date, date_to: date):
    start, end = period_bounds(date_from, date_to)
    return (
        Order.objects.filter(status=OrderStatus.SHIPPED, shipped_at__gte=start, shipped_at__lt=end)
        .select_related("channel")
        .prefetch_related("lines__sku")
        .order_by("shipped_at", "pk")
    )


def order_contact(connection: AccountingConnection, order: Order) -> ContactRef:
    """The contact a sale goes to: the channel's shared contact, or the customer by e-mail."""
    if connection.customer_mode == CustomerMode.BY_EMAIL and order.customer_email:
        email = order.customer_email.strip().lower()
        name = f"{order.customer_name or email} ({email})"
        return ContactRef(key=f"email:{email}", name=name, email=email)
    return channel_contact(order.channel)


def channel_contact(channel: SalesChannel) -> ContactRef:
    """One contact per channel, e.g. 'Shopify customers'."""
    return ContactRef(key=f"channel:{channel.pk}", name=f"{channel.name} customers")


def _extra_lines(
    resolver: MappingResolver,
    channel_id: int,
    shipping: Decimal,
    discount: Decimal,
    tax: Decimal,
    tax_code: str,
) -> list[SalesLine]:
    lines = []
    if shipping:
        lines.append(
            SalesLine(
                "shipping",
                "Shipping",
                ONE,
                shipping,
                resolver.account(AccountRole.SHIPPING_INCOME, channel_id),
                tax_code,
            )
        )
    if discount:
        lines.append(
            SalesLine(
                "discount",
                "Discounts",
                ONE,
                -discount,
                resolver.account(AccountRole.DISCOUNTS, channel_id),
                tax_code,
            )
        )
    if tax:
        lines.append(
            SalesLine(
                "tax",
                "Sales tax collected",
                ONE,
                tax,
                resolver.account(AccountRole.TAX, channel_id),
                tax_code,
            )
        )
    return lines


def order_sales_document(
    *, connection: AccountingConnection, resolver: MappingResolver, order: Order, kind: str
) -> SalesDocument:
    """The invoice/sales receipt of one order: its lines (less cancelled units), shipping,
    discount and the tax the channel charged, on the channel's mapped accounts."""
    channel_id = order.channel_id
    tax_code = resolver.tax("sales", channel_id)
    income = resolver.account(AccountRole.SALES_INCOME, channel_id)
    lines = []
    for line in order.lines.all():
        units = line.quantity - line.quantity_cancelled
        if units <= 0:
            continue
        code = line.sku.code if line.sku_id else line.external_sku
        description = f"{code} {line.title}".strip()
        lines.append(SalesLine("sales", description, Decimal(units), line.unit_price, income, tax_code, code))
    lines += _extra_lines(
        resolver, channel_id, order.shipping_total, order.discount_total, order.tax_total, tax_code
    )
    return SalesDocument(
        kind=kind,  # type: ignore[arg-type]
        reference=reference_make(connection, f"S{order.pk}"),
        date=order.shipped_at.date() if order.shipped_at else order.created_at.date(),
        contact=order_contact(connection, order),
        currency=order.currency,
        lines=tuple(lines),
        memo=f"{order.channel.name} order {order.external_ref}",
        deposit_account=resolver.account(AccountRole.DEPOSIT, channel_id) if kind == "sales_receipt" else "",
    )


def sales_orders_plan(
    *, connection: AccountingConnection, resolver: MappingResolver, date_from: date, date_to: date, kind: str
) -> list[PlannedDocument]:
    """One sales document per order fully shipped in the period."""
    planned = []
    for order in _shipped_orders(date_from, date_to):
        document = order_sales_document(connection=connection, resolver=resolver, order=order, kind=kind)
        planned.append(PlannedDocument(f"sales:order:{order.pk}", document, document.total))
    return planned


def sales_daily_plan(
    *, connection: AccountingConnection, resolver: MappingResolver, day: date, kind: str
) -> list[PlannedDocument]:
    """One summary per channel of the orders fully shipped that day (lines per SKU code)."""
    by_channel: dict[int, list[Order]] = defaultdict(list)
    for order in _shipped_orders(day, day):
        by_channel[order.channel_id].append(order)
    planned = []
    for channel_id, orders in sorted(by_channel.items()):
        channel = orders[0].channel
        tax_code = resolver.tax("sales", channel_id)
        income = resolver.account(AccountRole.SALES_INCOME, channel_id)
        amounts: dict[str, Decimal] = defaultdict(lambda: ZERO)
        units: dict[str, int] = defaultdict(int)
        for order in orders:
            for line in order.lines.all():
                count = line.quantity - line.quantity_cancelled
                code = line.sku.code if line.sku_id else line.external_sku
                amounts[code] += (count * line.unit_price).quantize(Decimal("0.01"))
                units[code] += count
        lines = [
            SalesLine("sales", f"{code} x{units[code]}", ONE, amounts[code], income, tax_code, code)
            for code in sorted(amounts)
            if units[code] > 0
        ]
        lines += _extra_lines(
            resolver,
            channel_id,
            sum((o.shipping_total for o in orders), ZERO),
            sum((o.discount_total for o in orders), ZERO),
            sum((o.tax_total for o in orders), ZERO),
            tax_code,
        )
        document = SalesDocument(
            kind=kind,  # type: ignore[arg-type]
            reference=reference_make(connection, f"SD{day:%Y%m%d}-{channel_id}"),
            date=day,
            contact=channel_contact(channel),
            currency=orders[0].currency,
            lines=tuple(lines),
            memo=f"{channel.name}: {len(orders)} orders shipped on {day.isoformat()}",
            deposit_account=resolver.account(AccountRole.DEPOSIT, channel_id)
            if kind == "sales_receipt"
            else "",
        )
        planned.append(
            PlannedDocument(f"sales:day:{day.isoformat()}:channel:{channel_id}", document, document.total)
        )
    return planned


__all__ = ["day_bounds", "order_sales_document", "sales_daily_plan", "sales_orders_plan"]
