"""Available-to-sell: what a channel may offer, for one SKU or a hundred thousand at once."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import F, Sum

from inventory_app.models import SKU, StockLevel
from inventory_app.selectors.kits import kit_components_flatten

CHUNK = 5000


def _stock_available(*, sku_ids: list[int] | None, location_ids: list[int] | None) -> dict[int, int]:
    qs = StockLevel.objects.all()
    if location_ids is None:
        qs = qs.filter(location__is_sellable=True, location__is_active=True)
    else:
        qs = qs.filter(location_id__in=location_ids)
    query = (
        qs.values("sku_id")
        .annotate(available=Sum(F("on_hand") - F("committed")))
        .values_list("sku_id", "available")
    )
    result: dict[int, int] = {}
    if sku_ids is None:
        result.update(query.order_by())
        return result
    for start in range(0, len(sku_ids), CHUNK):
        result.update(query.filter(sku_id__in=sku_ids[start : start + CHUNK]).order_by())
    return result


def sku_available_to_sell(
    *, sku_ids: Iterable[int] | None = None, location_ids: Iterable[int] | None = None
) -> dict[int, int]:
    """Map SKU id to units available to sell (never below 0), kits included.

    ``location_ids`` None means every active sellable location. ``sku_ids`` None means every
    active SKU. A stock SKU's figure is the sum of on hand - committed over the locations; a kit's
    is the minimum over its (flattened, nested) components of floor(component available / units
    per kit). Costs one query per chunk of 5,000 SKUs plus one per kit nesting level.
    """
    locations = None if location_ids is None else list(location_ids)
    if sku_ids is None:
        rows = SKU.objects.filter(is_active=True).values_list("id", "is_kit").order_by()
    else:
        requested = list(dict.fromkeys(sku_ids))
        rows = []
        for start in range(0, len(requested), CHUNK):
            rows.extend(
                SKU.objects.filter(pk__in=requested[start : start + CHUNK]).values_list("id", "is_kit")
            )
    kit_ids = [pk for pk, is_kit in rows if is_kit]
    stock_ids = [pk for pk, is_kit in rows if not is_kit]
    recipes = kit_components_flatten(kit_ids=kit_ids) if kit_ids else {}
    component_ids = {c for recipe in recipes.values() for c in recipe}
    need = None if sku_ids is None else list(set(stock_ids) | component_ids)
    raw = _stock_available(sku_ids=need, location_ids=locations)
    result = {pk: max(raw.get(pk, 0), 0) for pk in stock_ids}
    for kit_id, recipe in recipes.items():
        if not recipe:
            result[kit_id] = 0
            continue
        result[kit_id] = min(max(raw.get(c, 0), 0) // qty for c, qty in recipe.items())
    return result
