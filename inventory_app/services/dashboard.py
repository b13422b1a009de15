"""The dashboard's expensive figures, computed ahead of the page.

Low and out-of-stock counts, the reorder suggestions (every active rule's velocity over 30 days
of shipments: the dashboard's first ten and the "needs reordering" page) and 30 days of sales and
COGS by channel read whole tables. The beat task ``dashboard_refresh_task`` recomputes them every
DASHBOARD_CACHE_SECONDS into Django's cache (kept twice as long, so a late run leaves no gap),
so the pages read a snapshot about that old and say when it was taken; they compute it
themselves only when none is there (first start, no beat) or the day changed. The cache is shared
by the web and the workers (Redis, else files in VAR_DIR/cache).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from inventory_app.selectors.dashboard import (
    DailyChannelMoney,
    sales_and_cogs_by_channel,
    skus_low_stock,
    skus_out_of_stock,
)
from inventory_app.selectors.reorder import ReorderSuggestion, reorder_suggestions

FIGURES_KEY = "dashboard:figures"
CHART_DAYS = 30
SUGGESTION_DAYS = 30


@dataclass(frozen=True)
class DashboardFigures:
    """One snapshot of the dashboard's catalog-wide figures, taken at ``as_of``."""

    day: date
    as_of: datetime
    low: int
    out: int
    suggestions: list[ReorderSuggestion]  # every pair needing reordering (velocity over 30 days)
    chart_first_day: date
    money: list[DailyChannelMoney]


def dashboard_figures_compute(*, now: datetime | None = None) -> DashboardFigures:
    """Compute the figures now (several whole-table reads: seconds at 100,000 SKUs)."""
    now = now or timezone.now()
    first = timezone.localdate(now) - timedelta(days=CHART_DAYS - 1)
    since = timezone.make_aware(datetime.combine(first, time.min))
    return DashboardFigures(
        day=timezone.localdate(now),
        as_of=now,
        low=skus_low_stock().count(),
        out=skus_out_of_stock().count(),
        suggestions=reorder_suggestions(days=SUGGESTION_DAYS),
        chart_first_day=first,
        money=sales_and_cogs_by_channel(since=since, until=since + timedelta(days=CHART_DAYS)),
    )


def dashboard_figures_refresh() -> DashboardFigures | None:
    """Recompute the snapshot into the cache (the beat task); None when caching is off."""
    seconds = settings.DASHBOARD_CACHE_SECONDS
    if seconds <= 0:
        return None
    figures = dashboard_figures_compute()
    cache.set(FIGURES_KEY, figures, 2 * seconds)
    return figures


def dashboard_figures_get(*, now: datetime | None = None) -> DashboardFigures:
    """The cached snapshot of today, else one computed now (and cached when caching is on)."""
    now = now or timezone.now()
    if settings.DASHBOARD_CACHE_SECONDS <= 0:
        return dashboard_figures_compute(now=now)
    figures = cache.get(FIGURES_KEY)
    if figures is None or figures.day != timezone.localdate(now):
        figures = dashboard_figures_compute(now=now)
        cache.set(FIGURES_KEY, figures, 2 * settings.DASHBOARD_CACHE_SECONDS)
    return figures
