"""What would be posted for a period: the planned documents of one connection.

Planning only reads (the core's orders, ledger values, COGS and receipts through its selectors;
costs are never recomputed here) and maps every figure to the seller's accounts. Each planned
document has a stable ``source_key`` and reference, so planning the same period again yields the
same keys and the posting service posts nothing twice. What a connection posts:

* sales, per fully shipped order (by ``shipped_at``) or as one daily summary per channel;
* COGS from the core's figures: per order (``order_cogs``; a later change, e.g. a return, posts an
  adjustment journal for the difference, never an edit) or per day / closed month (``cogs_report``);
* a bill per purchase receipt (base value and landed costs, as valued in the ledger);
* one journal per day of stock adjustments, counts and write-offs (their ledger values).
"""

from __future__ import annotations

from datetime import date

from accounting_app.models import AccountingConnection, CogsMode, SalesMode
from accounting_app.selectors.mapping import MappingResolver
from accounting_app.selectors.periods import days, month_last_day, months_closed_in
from accounting_app.selectors.plan_costs import (
    adjustments_day_plan,
    bill_credits_plan,
    bills_plan,
    cogs_orders_plan,
    cogs_summary_plan,
)
from accounting_app.selectors.plan_sales import sales_daily_plan, sales_orders_plan
from accounting_app.selectors.planned import PlannedDocument


def connection_period_plan(
    *, connection: AccountingConnection, date_from: date, date_to: date, exporter_sales_kinds: tuple[str, ...]
) -> list[PlannedDocument]:
    """Every document the connection should have for [date_from, date_to] (whole days).

    Days before ``connection.export_from`` are left out. Raises MappingMissing when a needed
    account is not mapped.
    """
    date_from = max(date_from, connection.export_from)
    if date_to < date_from:
        return []
    resolver = MappingResolver(connection=connection)
    planned: list[PlannedDocument] = []
    if connection.sales_mode in (SalesMode.INVOICE, SalesMode.SALES_RECEIPT):
        kind = "sales_receipt" if connection.sales_mode == SalesMode.SALES_RECEIPT else "sales_invoice"
        if kind not in exporter_sales_kinds:
            kind = exporter_sales_kinds[0]
        planned += sales_orders_plan(
            connection=connection, resolver=resolver, date_from=date_from, date_to=date_to, kind=kind
        )
    elif connection.sales_mode == SalesMode.DAILY_SUMMARY:
        for day in days(date_from, date_to):
            planned += sales_daily_plan(
                connection=connection, resolver=resolver, day=day, kind=exporter_sales_kinds[0]
            )
    if connection.cogs_mode == CogsMode.PER_ORDER:
        planned += cogs_orders_plan(
            connection=connection, resolver=resolver, date_from=date_from, date_to=date_to
        )
    elif connection.cogs_mode == CogsMode.DAILY:
        for day in days(date_from, date_to):
            planned += cogs_summary_plan(
                connection=connection, resolver=resolver, first=day, last=day, monthly=False
            )
    elif connection.cogs_mode == CogsMode.MONTHLY:
        for first in months_closed_in(date_from, date_to):
            planned += cogs_summary_plan(
                connection=connection,
                resolver=resolver,
                first=first,
                last=month_last_day(first),
                monthly=True,
            )
    if connection.post_purchases:
        planned += bills_plan(connection=connection, resolver=resolver, date_from=date_from, date_to=date_to)
        planned += bill_credits_plan(
            connection=connection, resolver=resolver, date_from=date_from, date_to=date_to
        )
    if connection.post_adjustments:
        for day in days(date_from, date_to):
            planned += adjustments_day_plan(connection=connection, resolver=resolver, day=day)
    return planned
