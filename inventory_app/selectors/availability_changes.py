"""When a SKU's available-to-sell last changed, for incremental sync (kits included).

A figure's "updated" time is the latest ``updated_at`` of the stock level rows it is computed from:
the SKU's own rows, or for a kit the rows of its (flattened, nested) stock components, at the
locations the figure reads (every active sellable location, or the ones asked for). Every stock
change writes those rows in the transaction of its ledger entry, so this is exact for stock
changes and costs indexed subqueries, without the events' retention window (events older than
``EVENTS_RETENTION_DAYS`` are pruned, levels never are). A kit has no row of its own: it counts as
changed whenever one of its components' rows did. Not seen: a location switched sellable or
inactive, and a kit's recipe edited (both change figures without touching a level row).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import Max, Q, QuerySet

from inventory_app.models import SKU, KitComponent, StockLevel
from inventory_app.selectors.kits import MAX_KIT_DEPTH, kit_components_flatten


def _levels(*, location_ids: list[int] | None) -> QuerySet:
    if location_ids is None:
        return StockLevel.objects.filter(location__is_sellable=True, location__is_active=True)
    return StockLevel.objects.filter(location_id__in=location_ids)


def _touched(*, since: datetime | None, location_ids: list[int] | None) -> Q:
    """SKUs with a level row the figure reads updated at or after ``since`` (None: ever), and
    every kit containing one, directly or through nested kits."""
    levels = _levels(location_ids=location_ids)
    if since is not None:
        levels = levels.filter(updated_at__gte=since)
    frontier = levels.values("sku_id")
    condition = Q(pk__in=frontier)
    nested = KitComponent.objects.filter(component__is_kit=True).exists()
    for _ in range(MAX_KIT_DEPTH if nested else 1):
        frontier = KitComponent.objects.filter(component_id__in=frontier).values("kit_id")
        condition |= Q(pk__in=frontier)
    return condition


def sku_availability_changed_q(
    *, updated_after: datetime | None, updated_before: datetime | None, location_ids: list[int] | None
) -> Q:
    """A SKU filter: the figure's updated time is >= ``updated_after`` and < ``updated_before``
    (either None: unbounded; both None: every SKU). A figure never computed from any row has no
    updated time and matches neither bound."""
    condition = Q()
    if updated_after is not None:
        condition &= _touched(since=updated_after, location_ids=location_ids)
    if updated_before is not None:
        condition &= _touched(since=None, location_ids=location_ids)
        condition &= ~_touched(since=updated_before, location_ids=location_ids)
    return condition


def sku_availability_updated_at(
    *, sku_ids: Iterable[int], location_ids: list[int] | None
) -> dict[int, datetime | None]:
    """Map SKU id to its figure's updated time (None: no level row read). Two queries plus one
    per kit nesting level; meant for a page of SKUs."""
    rows = list(SKU.objects.filter(pk__in=list(sku_ids)).values_list("id", "is_kit").order_by())
    recipes = kit_components_flatten(kit_ids=[pk for pk, is_kit in rows if is_kit])
    needed = {pk for pk, is_kit in rows if not is_kit} | {c for r in recipes.values() for c in r}
    latest = dict(
        _levels(location_ids=location_ids)
        .filter(sku_id__in=needed)
        .values("sku_id")
        .annotate(last=Max("updated_at"))
        .values_list("sku_id", "last")
        .order_by()
    )
    result: dict[int, datetime | None] = {}
    for pk, is_kit in rows:
        times = [latest[c] for c in recipes.get(pk, {}) if latest.get(c)] if is_kit else []
        result[pk] = max(times, default=None) if is_kit else latest.get(pk)
    return result
