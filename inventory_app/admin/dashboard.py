"""The admin's home page: the day at a glance, every figure a link to the filtered list behind it.

Served at the admin's index URL (``config/urls.py`` routes ``/admin/`` here first); the stock
index's model lists follow below the dashboard. Figures come from the selectors
(``inventory_app.selectors.dashboard``, ``reorder``) and from the channel-health hook, which the
integration apps fill (``inventory_app.dashboard_hooks``).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from inventory_app.admin.base import role_allows
from inventory_app.admin.charts import paired_bars, series_colors, stacked_bars
from inventory_app.dashboard_hooks import channel_health_collect
from inventory_app.hooks import credentials_expiring_collect
from inventory_app.models import SKU, Location, SalesChannel, Supplier
from inventory_app.selectors.dashboard import (
    days_between,
    orders_by_channel,
    orders_needing_attention,
    orders_oversold_count,
)
from inventory_app.services.dashboard import CHART_DAYS, DashboardFigures, dashboard_figures_get

SUGGESTIONS_SHOWN = 10


def list_url(model: str, **params) -> str:
    """The admin changelist of ``app_model`` (e.g. "inventory_app_order") filtered by ``params``."""
    url = reverse(f"admin:{model}_changelist")
    return f"{url}?{urlencode(params)}" if params else url


def _orders_url(*, since: datetime, until: datetime, channel_id: int | None = None) -> str:
    params = {"placed_at__gte": since.isoformat(), "placed_at__lt": until.isoformat()}
    if channel_id is not None:
        params["channel__id__exact"] = channel_id
    return list_url("inventory_app_order", **params)


def _periods(now: datetime) -> list[dict]:
    today = timezone.make_aware(datetime.combine(timezone.localdate(now), time.min))
    week = today - timedelta(days=today.weekday())
    until = today + timedelta(days=1)
    periods, read = [], {}
    for label, since in (("Today", today), ("This week", week)):
        if since not in read:  # on Mondays the week is today: read once
            read[since] = orders_by_channel(since=since, until=until)
        rows = [
            {"row": row, "url": _orders_url(since=since, until=until, channel_id=row.channel_id)}
            for row in read[since]
        ]
        periods.append(
            {
                "label": label,
                "rows": rows,
                "orders": sum(r["row"].orders for r in rows),
                "units": sum(r["row"].units for r in rows),
                "url": _orders_url(since=since, until=until),
            }
        )
    return periods


def _suggestions(rows) -> list[dict]:
    skus = SKU.objects.in_bulk({r.sku_id for r in rows})
    locations = Location.objects.in_bulk({r.location_id for r in rows})
    suppliers = Supplier.objects.in_bulk({r.supplier_id for r in rows if r.supplier_id})
    return [
        {
            "sku": skus[r.sku_id],
            "sku_url": reverse("admin:inventory_app_sku_change", args=[r.sku_id]),
            "location": locations[r.location_id],
            "available": r.available,
            "incoming": r.incoming,
            "quantity": r.suggested_quantity,
            "supplier": suppliers.get(r.supplier_id),
        }
        for r in rows
        if r.sku_id in skus
    ]


def _charts(figures: DashboardFigures) -> dict:
    first, money = figures.chart_first_day, figures.money
    since = timezone.make_aware(datetime.combine(first, time.min))
    until = since + timedelta(days=CHART_DAYS)
    channel_ids = sorted({m.channel_id for m in money})
    channels = SalesChannel.objects.in_bulk(channel_ids)
    days = days_between(since=first, until=first + timedelta(days=CHART_DAYS - 1))
    sales = {(m.channel_id, m.day): m.sales for m in money}
    series = series_colors([channels[c].name for c in channel_ids])

    def day_url(c: int, s: int) -> str:
        start = timezone.make_aware(datetime.combine(days[c], time.min))
        return _orders_url(since=start, until=start + timedelta(days=1), channel_id=channel_ids[s])

    daily = stacked_bars(
        title=f"Sales by channel, last {CHART_DAYS} days",
        categories=[d.strftime("%d %b") for d in days],
        series=series,
        values=lambda c, s: sales.get((channel_ids[s], days[c]), Decimal(0)),
        link=day_url,
    )
    totals = {
        c: (
            sum((m.sales for m in money if m.channel_id == c), Decimal(0)),
            sum((m.cogs for m in money if m.channel_id == c), Decimal(0)),
        )
        for c in channel_ids
    }
    margin = paired_bars(
        title=f"Sales and cost of goods sold by channel, last {CHART_DAYS} days",
        categories=[channels[c].name for c in channel_ids],
        series=series_colors(["Sales", "COGS"]),
        values=lambda c, s: totals[channel_ids[c]][s],
        link=lambda c, s: _orders_url(since=since, until=until, channel_id=channel_ids[c]),
    )
    return {"daily": daily, "margin": margin, "empty": not money, "days": CHART_DAYS}


def dashboard_context(request) -> dict:
    """Everything the dashboard shows, with the URL of each figure's list. Orders, attention and
    channel health are live; stock figures and the charts are a snapshot at most DASHBOARD_CACHE_SECONDS
    old (``services.dashboard``)."""
    now = timezone.now()
    attention_total, attention_rows = orders_needing_attention()
    health = channel_health_collect()
    figures = dashboard_figures_get(now=now)
    return {
        "dashboard": True,
        "periods": _periods(now),
        "attention": {
            "total": attention_total,
            "rows": [
                {"order": o, "url": reverse("admin:inventory_app_order_change", args=[o.pk])}
                for o in attention_rows
            ],
            "url": list_url("inventory_app_order", needs_attention__exact=1),
        },
        "oversold": {
            "total": orders_oversold_count(),
            "url": list_url("inventory_app_order", attention="oversold"),
        },
        "low": {"total": figures.low, "url": list_url("inventory_app_sku", stock="low")},
        "out": {"total": figures.out, "url": list_url("inventory_app_sku", stock="out")},
        "suggestions": _suggestions(figures.suggestions[:SUGGESTIONS_SHOWN]),
        "stock_as_of": figures.as_of,
        "suggestions_url": list_url("inventory_app_reorderrule"),
        "health": health,
        "drift_total": sum(h.drift_24h for h in health),
        "credentials": credentials_expiring_collect(
            within=timedelta(days=settings.ALERTS_CREDENTIALS_DAYS), now=now
        ),
        "charts": _charts(figures),
    }


def dashboard_view(request, extra_context=None):
    """The admin index with the dashboard above the model lists; a staff login without the viewer
    role gets the model lists it may see and no figures."""
    if not role_allows(request, "viewer"):
        return admin.site.index(request, extra_context=extra_context)
    return admin.site.index(request, extra_context={**dashboard_context(request), **(extra_context or {})})


admin.site.index_template = "admin/dashboard.html"
