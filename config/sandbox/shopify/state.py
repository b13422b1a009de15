"""In-memory state of the fake shop: catalog, locations, inventory levels, orders, webhooks.

Tests seed and inspect it directly (``fake.state``); the GraphQL resolvers read and change it under
``state.lock``. Every change that Shopify would announce by webhook calls ``state.emit(topic, obj)``.
"""

from __future__ import annotations

import datetime as dt
import random
import threading
from collections.abc import Callable

from .models import (
    FulfillmentOrder,
    InventoryItem,
    InventoryLevel,
    LineItem,
    Location,
    Order,
    Product,
    Variant,
    WebhookSubscription,
)
from .orders import OrdersMixin, OutOfStock

__all__ = ["OutOfStock", "ShopifyState"]


class ShopifyState(OrdersMixin):
    """Everything the fake shop knows. Mutate it only while holding ``lock``."""

    def __init__(self, *, shop_domain: str = "fake-shop.myshopify.com", clock=None) -> None:
        self.lock = threading.RLock()
        self.clock: Callable[[], dt.datetime] = clock or (lambda: dt.datetime.now(dt.UTC))
        self.shop = {"id": 48_000_001, "name": "Fake Linen Shop", "domain": shop_domain, "currency": "USD"}
        self._next: dict[str, int] = {}
        self.locations: dict[int, Location] = {}
        self.products: dict[int, Product] = {}
        self.variants: dict[int, Variant] = {}
        self.items: dict[int, InventoryItem] = {}
        self.levels: dict[tuple[int, int], InventoryLevel] = {}
        self.orders: dict[int, Order] = {}
        self.line_items: dict[int, LineItem] = {}
        self.fulfillment_orders: dict[int, FulfillmentOrder] = {}
        self.subscriptions: dict[int, WebhookSubscription] = {}
        self.adjustment_groups: dict[int, dict] = {}
        self.listeners: list[Callable[[str, object], None]] = []
        self._order_number = 1000

    # --- ids and events -------------------------------------------------------------------------
    def new_id(self, type_name: str) -> int:
        base = {"Location": 70_000_000_000}.get(type_name, 9_000_000_000_000)
        self._next[type_name] = self._next.get(type_name, base) + 1
        return self._next[type_name]

    def emit(self, topic: str, obj: object) -> None:
        for listener in list(self.listeners):
            listener(topic, obj)

    # --- catalog --------------------------------------------------------------------------------
    def add_location(self, name: str, **kwargs) -> Location:
        with self.lock:
            loc = Location(id=self.new_id("Location"), name=name, **kwargs)
            self.locations[loc.id] = loc
            for item in self.items.values():
                self._level(item.id, loc.id)
            return loc

    def add_product(self, title: str, variants: list[dict]) -> Product:
        """``variants``: dicts with ``sku`` and optional ``title``, ``price``, ``inventory_policy``,
        ``quantities`` ({location id: available}). Every variant is stocked at every location."""
        with self.lock:
            now = self.clock()
            product = Product(
                id=self.new_id("Product"),
                title=title,
                handle=title.lower().replace(" ", "-"),
                created_at=now,
                updated_at=now,
            )
            self.products[product.id] = product
            for spec in variants:
                item = InventoryItem(
                    id=self.new_id("InventoryItem"), variant_id=0, created_at=now, updated_at=now
                )
                variant = Variant(
                    id=self.new_id("ProductVariant"),
                    product_id=product.id,
                    inventory_item_id=item.id,
                    sku=spec.get("sku"),
                    title=spec.get("title", "Default Title"),
                    created_at=now,
                    updated_at=now,
                    price=spec.get("price", "10.00"),
                    inventory_policy=spec.get("inventory_policy", "DENY"),
                )
                item.variant_id = variant.id
                self.items[item.id] = item
                self.variants[variant.id] = variant
                product.variant_ids.append(variant.id)
                for loc_id in self.locations:
                    level = self._level(item.id, loc_id)
                    level.quantities["available"] = int(spec.get("quantities", {}).get(loc_id, 0))
            return product

    def _level(self, item_id: int, location_id: int) -> InventoryLevel:
        key = (item_id, location_id)
        if key not in self.levels:
            now = self.clock()
            self.levels[key] = InventoryLevel(
                id=self.new_id("InventoryLevel"),
                item_id=item_id,
                location_id=location_id,
                created_at=now,
                updated_at=now,
            )
        return self.levels[key]

    def seed(
        self,
        *,
        seed: int = 0,
        products: int = 10,
        variants_per_product: int = 2,
        locations: int = 2,
        max_quantity: int = 50,
    ) -> None:
        """Deterministic catalog: ``products`` x ``variants_per_product`` SKUs at ``locations``."""
        rng = random.Random(seed)
        with self.lock:
            locs = [
                self.add_location(name) for name in ("Main Warehouse", "Shop Floor", "Overflow")[:locations]
            ]
            for p in range(products):
                specs = [
                    {
                        "sku": f"LIN-{p + 1:04d}-{v + 1}",
                        "title": f"Size {v + 1}",
                        "quantities": {loc.id: rng.randint(0, max_quantity) for loc in locs},
                    }
                    for v in range(variants_per_product)
                ]
                self.add_product(f"Linen Product {p + 1}", specs)

    # --- lookups ----------------------------------------------------------------------------------
    def variant_by_sku(self, sku: str) -> Variant | None:
        return next((v for v in self.variants.values() if v.sku == sku), None)

    def level(self, item_id: int, location_id: int) -> InventoryLevel | None:
        return self.levels.get((item_id, location_id))

    def available(self, sku: str, location_id: int | None = None) -> int:
        """Test helper: "available" of a SKU at a location (default: the first location)."""
        variant = self.variant_by_sku(sku)
        loc = location_id or next(iter(self.locations))
        return self.levels[(variant.inventory_item_id, loc)].get("available")

    # --- quantity changes (the only place levels change) -------------------------------------------
    def change_quantity(self, level: InventoryLevel, name: str, delta: int) -> int:
        """Apply ``delta`` to one quantity name; setting on_hand moves "available"."""
        target = "available" if name == "on_hand" else name
        level.quantities[target] += delta
        level.updated_at = self.clock()
        self.items[level.item_id].updated_at = level.updated_at
        if delta and target == "available":
            self.emit("INVENTORY_LEVELS_UPDATE", level)
        return level.get(name)
