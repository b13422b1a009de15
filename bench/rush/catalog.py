"""Seeded catalog of the rush: simple SKUs with small stock and kits sharing components."""

from __future__ import annotations

import random
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Item:
    """A sellable item (listed on every channel): a simple SKU or a kit of components."""

    code: str
    components: tuple[tuple[str, int], ...]  # (component SKU code, units per item)

    @property
    def is_kit(self) -> bool:
        return self.components != ((self.code, 1),)


@dataclass
class Catalog:
    """Initial stock per simple SKU, the sellable items and their popularity weights."""

    stock: dict[str, int]
    items: list[Item]
    weights: list[float] = field(default_factory=list)

    def ats(self, item: Item, remaining: dict[str, int]) -> int:
        """Units of ``item`` the remaining component stock allows."""
        return max(0, min(remaining[c] // q for c, q in item.components))


def catalog_build(*, seed: int, skus: int, kits: int, zipf_s: float = 1.1) -> Catalog:
    """Build the catalog: ``skus`` simple SKUs (about 60 % with 1-3 units) and ``kits`` kits of
    2-3 components drawn from the most popular SKUs (so kits share components)."""
    rng = random.Random(seed)
    stock: dict[str, int] = {}
    for i in range(skus):
        roll = rng.random()
        if roll < 0.6:
            units = rng.randint(1, 3)
        elif roll < 0.9:
            units = rng.randint(4, 10)
        else:
            units = rng.randint(11, 30)
        stock[f"R{i:05d}"] = units
    simple = [Item(code=c, components=((c, 1),)) for c in stock]
    popular = list(stock)[: max(10, skus // 20)]
    kit_items = []
    for k in range(kits):
        parts = rng.sample(popular, rng.randint(2, 3))
        kit_items.append(Item(code=f"KIT{k:04d}", components=tuple((p, rng.randint(1, 2)) for p in parts)))
    items = simple + kit_items
    # Popularity: Zipf over a seeded shuffle, so hot items are a mix of SKUs and kits.
    order = list(range(len(items)))
    rng.shuffle(order)
    weights = [0.0] * len(items)
    for rank, index in enumerate(order, start=1):
        weights[index] = 1.0 / rank**zipf_s
    return Catalog(stock=stock, items=items, weights=weights)
