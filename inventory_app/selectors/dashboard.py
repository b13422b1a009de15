"""The staff dashboard's core figures: orders and units by channel, attention, oversells, stock, sales.

Every figure here is also a filter of an admin list (see ``inventory_app.admin.dashboard``), and
each is computed by one aggregate query whatever the size of the catalog or the order book.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import Count, ExpressionWrapper, F, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, TruncDate

from inventory_app.models import (
    SKU,
    MovementReason,
    Order,
    OrderLine,
    OrderStatus,
    PurchaseOrderLine,
    ReorderRule,
    SalesChannel,
    StockLevel,
    StockMovement,
)

OPEN_ORDER_STATUSES = (OrderStatus.OPEN, OrderStatus.PARTIALLY_SHIPPED)
OVERSOLD_MARK = "Oversold:"  # how the order services word an order taken beyond the stock


@dataclass(frozen=True)
class ChannelOrders:
    """Orders and units one channel took in a period."""

    channel_id: int
    code: str
    name: str
    orders: int
    units: int


def orders_by_channel(*, since: datetime, until: datetime) -> list[ChannelOrders]:
    """Orders placed in [since, until) and their units, per active channel (cancelled ones left out)."""
    counts = {
        row["channel_id"]: row
        for row in Order.objects.filter(placed_at__gte=since, placed_at__lt=until)
        .exclude(status=OrderStatus.CANCELLED)
        .order_by()
        .values("channel_id")
        .annotate(orders=Count("pk"))
    }
    units = {
        row["order__channel_id"]: row["units"] or 0
        for row in OrderLine.objects.filter(order__placed_at__gte=since, order__placed_at__lt=until)
        .exclude(order__status=OrderStatus.CANCELLED)
        .order_by()
        .values("order__channel_id")
        .annotate(units=Sum("quantity"))
    }
    channels = SalesChannel.objects.filter(Q(is_active=True) | Q(pk__in=counts.keys())).order_by("code")
    return [
        ChannelOrders(
            channel_id=c.pk,
            code=c.code,
            name=c.name,
            orders=counts.get(c.pk, {}).get("orders", 0),
            units=units.get(c.pk, 0),
        )
        for c in channels
    ]


def orders_needing_attention(*, limit: int = 10) -> tuple[int, list[Order]]:
    """How many orders need attention, and the newest ``limit`` of them (with their reasons)."""
    queryset = Order.objects.filter(needs_attention=True)
    rows = list(
        queryset.select_related("channel").only(
            "pk", "external_ref", "attention_reason", "placed_at", "status", "channel__name", "channel__code"
        )[:limit]
    )
    total = len(rows) if len(rows) < limit else queryset.count()
    return total, rows


def orders_oversold_count() -> int:
    """Open orders taken beyond the stock (flagged "Oversold" by the order services)."""
    return Order.objects.filter(
        needs_attention=True, status__in=OPEN_ORDER_STATUSES, attention_reason__contains=OVERSOLD_MARK
    ).count()


def skus_out_of_stock(*, queryset=None):
    """Active stock SKUs (kits derive theirs) with nothing available to sell at active sellable
    locations (their ledger-kept ``available_total``); among ``queryset`` if given."""
    base = SKU.objects.all() if queryset is None else queryset
    return base.filter(is_active=True, is_kit=False, available_total__lte=0)


def skus_low_stock(*, queryset=None):
    """Active SKUs with a reorder rule whose location's available units are at or below its point
    (out-of-stock SKUs included: they are low too); among ``queryset`` if given.

    The rules are read once (an uncorrelated IN): a few thousand rules, one level lookup each,
    rather than a rule lookup for every SKU of the catalog.
    """
    available_here = Subquery(
        StockLevel.objects.filter(sku_id=OuterRef("sku_id"), location_id=OuterRef("location_id"))
        .annotate(avail=ExpressionWrapper(F("on_hand") - F("committed"), output_field=IntegerField()))
        .values("avail")[:1],
        output_field=IntegerField(),
    )
    below = (
        ReorderRule.objects.filter(is_active=True)
        .annotate(available_here=Coalesce(available_here, Value(0)))
        .filter(reorder_point__gte=F("available_here"))
        .order_by()
        .values("sku_id")
    )
    base = SKU.objects.all() if queryset is None else queryset
    return base.filter(is_active=True, pk__in=below)


@dataclass(frozen=True)
class DailyChannelMoney:
    """Sales and cost of goods sold of one channel on one day (order currencies summed as they are)."""

    channel_id: int
    day: date
    sales: Decimal
    cogs: Decimal


def sales_and_cogs_by_channel(*, since: datetime, until: datetime) -> list[DailyChannelMoney]:
    """Per channel and day: line revenue of orders placed (not cancelled), and the cost of the units
    shipped for that channel's orders (valued shipment movements of the ledger), in [since, until)."""
    money: dict[tuple[int, date], list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    sales = (
        OrderLine.objects.filter(order__placed_at__gte=since, order__placed_at__lt=until)
        .exclude(order__status=OrderStatus.CANCELLED)
        .annotate(day=TruncDate("order__placed_at"))
        .order_by()
        .values("order__channel_id", "day")
        .annotate(total=Sum(F("quantity") * F("unit_price")))
    )
    for row in sales:
        money[(row["order__channel_id"], row["day"])][0] += row["total"] or Decimal(0)
    cogs = (
        StockMovement.objects.filter(
            reason=MovementReason.SHIPMENT,
            created_at__gte=since,
            created_at__lt=until,
            order_line__isnull=False,
            value_delta__isnull=False,
        )
        .annotate(day=TruncDate("created_at"))
        .order_by()
        .values("order_line__order__channel_id", "day")
        .annotate(total=Sum("value_delta"))
    )
    for row in cogs:
        money[(row["order_line__order__channel_id"], row["day"])][1] -= row["total"] or Decimal(0)
    return [
        DailyChannelMoney(channel_id=channel_id, day=day, sales=values[0], cogs=values[1])
        for (channel_id, day), values in sorted(money.items(), key=lambda item: (item[0][1], item[0][0]))
    ]


def days_between(*, since: date, until: date) -> list[date]:
    """Every day from ``since`` up to and including ``until``."""
    return [since + timedelta(days=n) for n in range((until - since).days + 1)]


def skus_with_stock_figures(queryset):
    """``queryset`` of SKUs annotated for lists with ``incoming_total`` (open purchase order lines;
    a correlated subquery evaluated for the rows a page shows). On hand, committed and available
    are the SKU's own ledger-kept totals (``services.stock_totals``), indexed for sorting.
    """
    from inventory_app.selectors.purchasing import OPEN_STATUSES

    incoming = Coalesce(
        Subquery(
            PurchaseOrderLine.objects.filter(
                sku_id=OuterRef("pk"),
                purchase_order__status__in=OPEN_STATUSES,
                quantity_received__lt=F("quantity_ordered"),
            )
            .order_by()
            .values("sku_id")
            .annotate(units=Sum(F("quantity_ordered") - F("quantity_received")))
            .values("units"),
            output_field=IntegerField(),
        ),
        Value(0),
    )
    return queryset.annotate(incoming_total=incoming)


def location_sole_active():
    """The only active location, when there is exactly one (forms default to it); else None."""
    from inventory_app.models import Location

    found = list(Location.objects.filter(is_active=True).order_by("pk")[:2])
    return found[0] if len(found) == 1 else None
