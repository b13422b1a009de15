"""Cost reports: COGS per SKU, location and channel over a period; valuation per SKU and location.

Both read only the ledger (movement values), so they agree with each other to the cent: for any
period, value at the end = value at the start + value in - value out. ``*_csv`` render the same
rows as CSV text for staff and accountants.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime, time
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, QuerySet, Sum
from django.utils import timezone

from inventory_app.aggregates import DecimalSum
from inventory_app.models import SKU, Location, MovementReason, StockLevel, StockMovement
from inventory_app.selectors.costing import (
    ValuationRow,
    as_of_moment,
    costing_settings_get,
    inventory_valuation,
)

ZERO = Decimal("0.00")


def _period_start(moment: datetime | date) -> datetime:
    """A datetime as given; a date means the start of that day (in the current time zone)."""
    if isinstance(moment, datetime):
        return moment
    return timezone.make_aware(datetime.combine(moment, time.min))


@dataclass(frozen=True)
class CogsReportRow:
    """Cost of goods sold of one SKU shipped from one location for one channel in the period."""

    sku_id: int
    sku_code: str
    location_id: int
    location_code: str
    channel_id: int
    channel_code: str
    units_shipped: int
    units_returned: int
    cost_shipped: Decimal
    cost_returned: Decimal
    cogs: Decimal
    currency: str


def _cogs_movements(
    *,
    date_from: datetime | date | None,
    date_to: datetime | date | None,
    channel_ids: Iterable[int] | None,
) -> QuerySet[StockMovement]:
    """Shipments and returns of order lines posted in [date_from, date_to] (dates are whole days)."""
    movements = StockMovement.objects.filter(
        order_line__isnull=False, reason__in=[MovementReason.SHIPMENT, MovementReason.RETURN]
    )
    if date_from is not None:
        movements = movements.filter(created_at__gte=_period_start(date_from))
    if date_to is not None:
        movements = movements.filter(created_at__lte=as_of_moment(date_to))
    if channel_ids is not None:
        movements = movements.filter(order_line__order__channel_id__in=list(channel_ids))
    return movements


def _cogs_rows(movements: QuerySet[StockMovement]) -> list[CogsReportRow]:
    """The movements grouped per SKU, location and channel, by their codes."""
    rows = (
        movements.values(
            "sku_id",
            "sku__code",
            "location_id",
            "location__code",
            "order_line__order__channel_id",
            "order_line__order__channel__code",
            "reason",
        )
        .annotate(units=Sum("on_hand_delta"), value=DecimalSum("value_delta"))
        .order_by("sku__code", "location__code", "order_line__order__channel__code")
    )
    grouped: dict[tuple, dict] = {}
    for row in rows:
        key = (
            row["sku_id"],
            row["sku__code"],
            row["location_id"],
            row["location__code"],
            row["order_line__order__channel_id"],
            row["order_line__order__channel__code"],
        )
        figures = grouped.setdefault(key, {"us": 0, "ur": 0, "cs": ZERO, "cr": ZERO})
        if row["reason"] == MovementReason.SHIPMENT:
            figures["us"] -= row["units"]
            figures["cs"] -= row["value"] or ZERO
        else:
            figures["ur"] += row["units"]
            figures["cr"] += row["value"] or ZERO
    currency = costing_settings_get().currency
    return [
        CogsReportRow(*key, f["us"], f["ur"], f["cs"], f["cr"], f["cs"] - f["cr"], currency)
        for key, f in grouped.items()
    ]


def cogs_report(
    *,
    date_from: datetime | date | None = None,
    date_to: datetime | date | None = None,
    channel_ids: Iterable[int] | None = None,
) -> list[CogsReportRow]:
    """COGS rows for shipments and returns posted in [date_from, date_to] (dates are whole days)."""
    return _cogs_rows(_cogs_movements(date_from=date_from, date_to=date_to, channel_ids=channel_ids))


@dataclass(frozen=True)
class CogsReportPage:
    """Some rows of a COGS report (whole SKUs, by SKU code) and the exact totals of all its rows.

    ``next_after`` is the ``after_sku_code`` of the next page, None on the last page.
    """

    rows: list[CogsReportRow]
    next_after: str | None
    units_shipped: int
    units_returned: int
    cost_shipped: Decimal
    cost_returned: Decimal
    cogs: Decimal


def cogs_report_page(
    *,
    limit: int,
    date_from: datetime | date | None = None,
    date_to: datetime | date | None = None,
    channel_ids: Iterable[int] | None = None,
    after_sku_code: str = "",
) -> CogsReportPage:
    """The rows of :func:`cogs_report` of the SKUs after ``after_sku_code`` (at most ``limit`` rows,
    at least one SKU's), and the report's totals summed by the database: a page of a long period
    reads the ledger rows of its own SKUs only, and one aggregate for the totals."""
    movements = _cogs_movements(date_from=date_from, date_to=date_to, channel_ids=channel_ids)
    skus = SKU.objects.filter(Exists(movements.filter(sku_id=OuterRef("pk"))))
    if after_sku_code:
        skus = skus.filter(code__gt=after_sku_code)
    codes = list(skus.order_by("code").values_list("pk", "code")[: limit + 1])
    rows = _cogs_rows(movements.filter(sku_id__in=[pk for pk, _ in codes[:limit]]))
    next_after = codes[limit - 1][1] if len(codes) > limit else None
    if len(rows) > limit:  # cut before the first SKU that does not fit whole
        first_out = rows[limit].sku_code
        rows = [r for r in rows if r.sku_code < first_out] or [r for r in rows if r.sku_code == first_out]
        next_after = rows[-1].sku_code
    totals = {
        row["reason"]: row
        for row in movements.order_by()
        .values("reason")
        .annotate(units=Sum("on_hand_delta"), value=DecimalSum("value_delta"))
    }
    shipped = totals.get(MovementReason.SHIPMENT, {})
    returned = totals.get(MovementReason.RETURN, {})
    cost_shipped = -(shipped.get("value") or ZERO)
    cost_returned = returned.get("value") or ZERO
    return CogsReportPage(
        rows=rows,
        next_after=next_after,
        units_shipped=-(shipped.get("units") or 0),
        units_returned=returned.get("units") or 0,
        cost_shipped=cost_shipped,
        cost_returned=cost_returned,
        cogs=cost_shipped - cost_returned,
    )


@dataclass(frozen=True)
class ValuationReportRow:
    """Units and value of one SKU at one location at a moment."""

    sku_id: int
    sku_code: str
    location_id: int
    location_code: str
    quantity: int
    value: Decimal
    unit_cost: Decimal | None
    currency: str


def valuation_report(
    *, as_of: datetime | date | None = None, location_ids: Iterable[int] | None = None
) -> list[ValuationReportRow]:
    """Valuation rows per SKU and location, now or as of a past moment, by SKU code."""
    rows = inventory_valuation(as_of=as_of, location_ids=location_ids)
    sku_ids = {r.sku_id for r in rows}
    # A catalog-wide report reads every code at once: an IN list of 100,000 ids is the slower way.
    skus = SKU.objects.filter(pk__in=sku_ids) if len(sku_ids) <= 5000 else SKU.objects.all()
    codes = dict(skus.values_list("pk", "code"))
    places = dict(Location.objects.filter(pk__in={r.location_id for r in rows}).values_list("pk", "code"))
    currency = costing_settings_get().currency
    result = [
        ValuationReportRow(
            r.sku_id,
            codes[r.sku_id],
            r.location_id,
            places[r.location_id],
            r.quantity,
            r.value,
            r.unit_cost,
            currency,
        )
        for r in rows
    ]
    return sorted(result, key=lambda r: (r.sku_code, r.location_code))


def valuation_report_page(*, limit: int) -> tuple[list[ValuationReportRow], int, Decimal]:
    """The current valuation's first ``limit`` rows (by SKU code, location code), its number of
    rows and its total value, read from the levels' ledger-kept values: the same figures as
    :func:`valuation_report` without reading every row (the admin page; the CSV has them all)."""
    levels = StockLevel.objects.exclude(on_hand=0, value=0)
    figures = levels.aggregate(rows=Count("pk"), total=DecimalSum("value"))
    currency = costing_settings_get().currency
    page = levels.order_by("sku__code", "location__code").values_list(
        "sku_id", "sku__code", "location_id", "location__code", "on_hand", "value"
    )[:limit]
    rows = [
        ValuationReportRow(
            sku_id,
            sku_code,
            location_id,
            location_code,
            on_hand,
            value,
            ValuationRow(sku_id, location_id, on_hand, value).unit_cost,
            currency,
        )
        for sku_id, sku_code, location_id, location_code, on_hand, value in page
    ]
    return rows, figures["rows"], figures["total"] or ZERO


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell_safe(value: object) -> object:
    """A cell a spreadsheet will not run as a formula (OWASP CSV injection): text starting with
    = + - @ tab or CR gets a leading apostrophe. Numbers stay numbers; None is empty."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def report_csv(*, rows: Sequence[CogsReportRow] | Sequence[ValuationReportRow], row_type: type) -> str:
    """The rows as CSV text with a header line (field names of ``row_type``), every text cell
    escaped by :func:`csv_cell_safe`."""
    buffer = io.StringIO()
    names = list(row_type.__dataclass_fields__)
    writer = csv.DictWriter(buffer, fieldnames=names, lineterminator="\r\n")  # RFC 4180: CR, LF quoted
    writer.writeheader()
    for row in rows:
        writer.writerow({k: csv_cell_safe(v) for k, v in asdict(row).items()})
    return buffer.getvalue()
