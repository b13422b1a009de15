"""Kit structure: flattening nested kits into stock components, and finding the kits of a SKU."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from inventory_app.errors import InvalidStockOperation
from inventory_app.models import SKU, KitComponent

MAX_KIT_DEPTH = 8


def kit_components_flatten(*, kit_ids: Iterable[int]) -> dict[int, dict[int, int]]:
    """Map each kit id to {stock SKU id: units per kit}, resolving nested kits (one query per level).

    A component reached through several branches has its units added up, so the figure is what
    one kit really consumes. Raises InvalidStockOperation on a cycle or nesting deeper than 8.
    """
    direct: dict[int, list[tuple[int, int]]] = defaultdict(list)
    is_kit: dict[int, bool] = {}
    frontier = set(kit_ids)
    for kid in frontier:
        is_kit[kid] = True
    depth = 0
    while frontier:
        depth += 1
        if depth > MAX_KIT_DEPTH + 1:
            raise InvalidStockOperation("Kit nesting is deeper than allowed, or kits contain each other")
        rows = KitComponent.objects.filter(kit_id__in=frontier).values_list(
            "kit_id", "component_id", "quantity", "component__is_kit"
        )
        frontier = set()
        for kit_id, component_id, quantity, component_is_kit in rows:
            direct[kit_id].append((component_id, quantity))
            if component_id not in is_kit:
                is_kit[component_id] = component_is_kit
                if component_is_kit:
                    frontier.add(component_id)

    memo: dict[int, dict[int, int]] = {}

    def expand(kit_id: int, path: tuple[int, ...]) -> dict[int, int]:
        if kit_id in path:
            raise InvalidStockOperation(f"Kit {kit_id} contains itself")
        if kit_id in memo:
            return memo[kit_id]
        total: dict[int, int] = defaultdict(int)
        for component_id, quantity in direct.get(kit_id, []):
            if is_kit.get(component_id):
                for leaf, leaf_qty in expand(component_id, (*path, kit_id)).items():
                    total[leaf] += quantity * leaf_qty
            else:
                total[component_id] += quantity
        memo[kit_id] = dict(total)
        return memo[kit_id]

    return {kid: expand(kid, ()) for kid in kit_ids}


def sku_kits_containing(*, sku_ids: Iterable[int]) -> set[int]:
    """Ids of every kit that contains any of ``sku_ids``, directly or through nested kits."""
    found: set[int] = set()
    frontier = set(sku_ids)
    for _ in range(MAX_KIT_DEPTH + 1):
        if not frontier:
            break
        parents = set(KitComponent.objects.filter(component_id__in=frontier).values_list("kit_id", flat=True))
        frontier = parents - found
        found |= parents
    return found


def kit_would_cycle(*, kit: SKU, component: SKU) -> bool:
    """True if adding ``component`` to ``kit`` would make a kit contain itself."""
    if kit.pk == component.pk:
        return True
    return kit.pk in kit_components_flatten_ids(start=component.pk)


def kit_components_flatten_ids(*, start: int) -> set[int]:
    """Every SKU id reachable downwards from ``start`` through kit components."""
    seen: set[int] = set()
    frontier = {start}
    for _ in range(MAX_KIT_DEPTH + 2):
        if not frontier:
            break
        children = set(
            KitComponent.objects.filter(kit_id__in=frontier).values_list("component_id", flat=True)
        )
        frontier = children - seen
        seen |= children
    return seen
