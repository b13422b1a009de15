"""Planned cost documents: COGS journals, purchase bills, stock adjustment journals.

Every figure comes from the core (``inventory_app.selectors.costing.order_cogs``,
``inventory_app.selectors.reports.cogs_report``, the ledger's movement values and the receipt
lines' values): nothing is costed again here.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.db.models import Max

from accounting_app.exporters.dto import ContactRef, JournalDocument, JournalLine, SalesDocument, SalesLine
from accounting_app.models import AccountingConnection, AccountRole, DocumentStatus, ExportDocument
from accounting_app.selectors.mapping import MappingResolver
from accounting_app.selectors.periods import day_bounds, period_bounds
from accounting_app.selectors.planned import PlannedDocument, reference_make
from inventory_app.aggregates import DecimalSum
from inventory_app.models import MovementReason, Order, OrderStatus, Receipt, StockMovement
from inventory_app.selectors.costing import costing_settings_get, order_cogs, order_lines_cogs
from inventory_app.selectors.reports import cogs_report

ZERO = Decimal("0.00")
ONE = Decimal("1")
ADJUSTMENT_REASONS = (MovementReason.ADJUSTMENT, MovementReason.COUNT, MovementReason.WRITE_OFF)


def _line_code(line) -> str:
    return line.sku.code if line.sku_id else line.external_sku


def _cogs_journal(connection, resolver, *, reference, day, narration, channel_id, amount, debit_lines=None):
    cogs = resolver.account(AccountRole.COGS, channel_id)
    inventory = resolver.account(AccountRole.INVENTORY_ASSET, channel_id)
    lines = debit_lines or [JournalLine(cogs, amount, "Cost of goods sold")]
    lines = [*lines, JournalLine(inventory, -amount, "Inventory")]
    document = JournalDocument(
        kind="cogs_journal",
        reference=reference,
        date=day,
        narration=narration,
        currency=costing_settings_get().currency,
        lines=tuple(lines),
    )
    document.check_balanced()
    return document


def cogs_orders_plan(
    *, connection: AccountingConnection, resolver: MappingResolver, date_from: date, date_to: date
) -> list[PlannedDocument]:
    """Per fully shipped order with shipments or returns in the period: its COGS journal, or an
    adjustment journal for what changed since the posted ones (e.g. a return)."""
    start, end = period_bounds(date_from, date_to)
    order_ids = (
        StockMovement.objects.filter(
            reason__in=[MovementReason.SHIPMENT, MovementReason.RETURN],
            order_line__order__status=OrderStatus.SHIPPED,
            created_at__gte=start,
            created_at__lt=end,
        )
        .values("order_line__order_id")
        .annotate(last=Max("created_at"))
        .order_by("order_line__order_id")
    )
    planned = []
    for row in order_ids:
        order = Order.objects.select_related("channel").get(pk=row["order_line__order_id"])
        net = order_cogs(order_id=order.pk).cogs
        base_key = f"cogs:order:{order.pk}"
        docs = list(
            ExportDocument.objects.filter(connection=connection, source_key__startswith=base_key).order_by(
                "pk"
            )
        )
        docs = [d for d in docs if d.source_key == base_key or d.source_key.startswith(base_key + ":adj:")]
        posted_sum = sum((d.amount for d in docs if d.status == DocumentStatus.POSTED), ZERO)
        unposted = [d for d in docs if d.status != DocumentStatus.POSTED]
        remaining = net - posted_sum
        if remaining == ZERO:
            continue
        if unposted:
            key = unposted[-1].source_key
        elif docs:
            key = f"{base_key}:adj:{len(docs)}"
        else:
            key = base_key
        channel_id = order.channel_id
        if key == base_key:
            by_line = order_lines_cogs(order_line_ids=order.lines.values_list("pk", flat=True))
            cogs_account = resolver.account(AccountRole.COGS, channel_id)
            debit_lines = [
                JournalLine(
                    cogs_account,
                    figures.cogs,
                    f"{_line_code(line)} x{figures.units_shipped - figures.units_returned}",
                )
                for line in order.lines.select_related("sku")
                if (figures := by_line[line.pk]).cogs != ZERO
            ]
            document = _cogs_journal(
                connection,
                resolver,
                reference=reference_make(connection, f"C{order.pk}"),
                day=(order.shipped_at or row["last"]).date(),
                narration=f"COGS {order.channel.name} order {order.external_ref}",
                channel_id=channel_id,
                amount=remaining,
                debit_lines=debit_lines,
            )
            planned.append(PlannedDocument(key, document, remaining))
        else:
            seq = key.rsplit(":", 1)[1]
            document = _cogs_journal(
                connection,
                resolver,
                reference=reference_make(connection, f"C{order.pk}-A{seq}"),
                day=row["last"].date(),
                narration=f"COGS adjustment {seq} {order.channel.name} order {order.external_ref}",
                channel_id=channel_id,
                amount=remaining,
            )
            planned.append(PlannedDocument(key, document, remaining, corrects_key=base_key))
    return planned


def cogs_summary_plan(
    *, connection: AccountingConnection, resolver: MappingResolver, first: date, last: date, monthly: bool
) -> list[PlannedDocument]:
    """One COGS journal for [first, last] (a day or a closed month), per channel's accounts."""
    per_channel: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for row in cogs_report(date_from=first, date_to=last):
        per_channel[row.channel_id] += row.cogs
    debits: list[JournalLine] = []
    credits: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for channel_id, amount in sorted(per_channel.items()):
        if amount == ZERO:
            continue
        debits.append(
            JournalLine(resolver.account(AccountRole.COGS, channel_id), amount, f"COGS channel {channel_id}")
        )
        credits[resolver.account(AccountRole.INVENTORY_ASSET, channel_id)] -= amount
    total = sum((line.amount for line in debits), ZERO)
    if not debits:
        return []
    lines = debits + [
        JournalLine(code, amount, "Inventory") for code, amount in sorted(credits.items()) if amount
    ]
    code = f"CM{first:%Y%m}" if monthly else f"CD{first:%Y%m%d}"
    document = JournalDocument(
        kind="cogs_journal",
        reference=reference_make(connection, code),
        date=last,
        narration=f"COGS {first:%Y-%m}" if monthly else f"COGS {first.isoformat()}",
        currency=costing_settings_get().currency,
        lines=tuple(lines),
    )
    document.check_balanced()
    key = f"cogs:month:{first:%Y-%m}" if monthly else f"cogs:day:{first.isoformat()}"
    return [PlannedDocument(key, document, total)]


def bills_plan(
    *, connection: AccountingConnection, resolver: MappingResolver, date_from: date, date_to: date
) -> list[PlannedDocument]:
    """A bill per purchase receipt posted in the period and not reversed (yet): one line per
    received PO line at its base value, one line for its landed costs; all on the inventory asset."""
    start, end = period_bounds(date_from, date_to)
    receipts = (
        Receipt.objects.filter(created_at__gte=start, created_at__lt=end, reversal_operation__isnull=True)
        .select_related("purchase_order__supplier")
        .prefetch_related("lines__po_line__sku")
        .order_by("pk")
    )
    planned = []
    for receipt in receipts:
        document = _receipt_document(connection, resolver, receipt, kind="bill", code=f"B{receipt.pk}")
        planned.append(PlannedDocument(f"bill:receipt:{receipt.pk}", document, document.total))
    return planned


def _receipt_document(
    connection, resolver, receipt: Receipt, *, kind: str, code: str, day=None
) -> SalesDocument:
    order = receipt.purchase_order
    inventory = resolver.account(AccountRole.INVENTORY_ASSET)
    tax_code = resolver.tax("purchases")
    lines = []
    landed = ZERO
    for line in receipt.lines.all():
        sku = line.po_line.sku
        description = f"{sku.code} x{line.quantity} ({order.number})"
        lines.append(SalesLine("bill", description, ONE, line.base_value, inventory, tax_code, sku.code))
        landed += line.po_landed_value + line.receipt_landed_value
    if landed:
        lines.append(SalesLine("landed", f"Landed costs ({order.number})", ONE, landed, inventory, tax_code))
    supplier = order.supplier
    return SalesDocument(
        kind=kind,  # type: ignore[arg-type]
        reference=reference_make(connection, code),
        date=day or receipt.document_date or receipt.created_at.date(),
        contact=ContactRef(
            key=f"supplier:{supplier.pk}", name=supplier.name, email=supplier.email, is_supplier=True
        ),
        currency=costing_settings_get().currency,
        lines=tuple(lines),
        memo=f"Receipt {receipt.pk} of {order.number}" + (" reversed" if kind == "bill_credit" else ""),
        payable_account=resolver.account(AccountRole.ACCOUNTS_PAYABLE),
    )


def bill_credits_plan(
    *, connection: AccountingConnection, resolver: MappingResolver, date_from: date, date_to: date
) -> list[PlannedDocument]:
    """A supplier credit for each receipt reversed in the period whose bill was posted: the same
    lines as the bill (the reversal takes the goods back at the receipt's own cost)."""
    start, end = period_bounds(date_from, date_to)
    posted_bills = ExportDocument.objects.filter(
        connection=connection, kind="bill", status=DocumentStatus.POSTED
    ).values_list("source_key", flat=True)
    receipt_ids = [int(key.rsplit(":", 1)[1]) for key in posted_bills]
    receipts = (
        Receipt.objects.filter(
            pk__in=receipt_ids,
            reversal_operation__created_at__gte=start,
            reversal_operation__created_at__lt=end,
        )
        .select_related("purchase_order__supplier", "reversal_operation")
        .prefetch_related("lines__po_line__sku")
        .order_by("pk")
    )
    planned = []
    for receipt in receipts:
        document = _receipt_document(
            connection,
            resolver,
            receipt,
            kind="bill_credit",
            code=f"B{receipt.pk}-R",
            day=receipt.reversal_operation.created_at.date(),
        )
        key = f"bill:receipt:{receipt.pk}"
        planned.append(PlannedDocument(f"{key}:reversal", document, document.total, corrects_key=key))
    return planned


def adjustments_day_plan(
    *, connection: AccountingConnection, resolver: MappingResolver, day: date
) -> list[PlannedDocument]:
    """One journal of the day's adjustments, counts and write-offs (their ledger values)."""
    start, end = day_bounds(day)
    rows = (
        StockMovement.objects.filter(
            reason__in=ADJUSTMENT_REASONS,
            created_at__gte=start,
            created_at__lt=end,
            value_delta__isnull=False,
        )
        .values("reason")
        .annotate(value=DecimalSum("value_delta"))
        .order_by("reason")
    )
    values = {row["reason"]: row["value"] for row in rows if row["value"]}
    if not values:
        return []
    account = resolver.account(AccountRole.INVENTORY_ADJUSTMENT)
    lines = [JournalLine(account, -value, f"Stock {reason}") for reason, value in values.items()]
    total = sum(values.values(), ZERO)
    if total:
        lines.append(JournalLine(resolver.account(AccountRole.INVENTORY_ASSET), total, "Inventory"))
    if len(lines) < 2:
        return []
    document = JournalDocument(
        kind="adjustment_journal",
        reference=reference_make(connection, f"AD{day:%Y%m%d}"),
        date=day,
        narration=f"Stock adjustments {day.isoformat()}",
        currency=costing_settings_get().currency,
        lines=tuple(lines),
    )
    document.check_balanced()
    debits = sum((line.amount for line in lines if line.amount > 0), ZERO)
    return [PlannedDocument(f"adjustments:day:{day.isoformat()}", document, debits)]
