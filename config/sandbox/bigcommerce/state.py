"""The fake store's state: catalog, inventory locations and levels, orders, hooks, API accounts.

Everything is mutated under ``state.lock``. Stock is kept per (variant, location) as on hand and
safety stock; ``available_to_sell`` is their difference (BigCommerce: "Total inventory on hand
minus the safety stock"). A product tracked by ``product`` keeps its stock on its base variant.
A buyer's order takes stock from the default location at once (the store setting
``update_stock_behavior`` = ``order_placed``, BigCommerce's default) and a cancelled, refunded or
declined order gives it back (``refund_order_stock_adjustment`` true, the default).
"""

from __future__ import annotations

import itertools
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

STATUS_NAMES = {
    0: "Incomplete",
    1: "Pending",
    2: "Shipped",
    3: "Partially Shipped",
    4: "Refunded",
    5: "Cancelled",
    6: "Declined",
    7: "Awaiting Payment",
    8: "Awaiting Pickup",
    9: "Awaiting Shipment",
    10: "Completed",
    11: "Awaiting Fulfillment",
    12: "Manual Verification Required",
    13: "Disputed",
    14: "Partially Refunded",
}
RESTOCK_STATUSES = frozenset({4, 5, 6})


class OutOfStock(Exception):
    """The store shows fewer units than the buyer asked for."""


def rfc2822(moment: datetime) -> str:
    """A v2 date: RFC 2822, always UTC ("Fri, 01 May 2026 09:55:03 +0000")."""
    return format_datetime(moment.astimezone(UTC).replace(microsecond=0)).replace("-0000", "+0000")


@dataclass
class ApiAccount:
    """A store-level API account: its token, client id and secret, and OAuth scopes."""

    access_token: str
    client_id: str
    client_secret: str
    scopes: frozenset[str]


@dataclass
class Variant:
    id: int
    product_id: int
    sku: str
    sku_id: int | None
    option_values: list[dict]


@dataclass
class Product:
    id: int
    name: str
    sku: str
    inventory_tracking: str
    base_variant_id: int | None
    variant_ids: list[int] = field(default_factory=list)


@dataclass
class Order:
    id: int
    status_id: int
    created: datetime
    modified: datetime
    address_id: int
    products: list[dict]
    shipments: list[dict] = field(default_factory=list)
    restocked: bool = False


class StoreState:
    """One store (see module)."""

    def __init__(self, *, store_hash: str = "abc123", clock=lambda: datetime.now(UTC)) -> None:
        self.store_hash = store_hash
        self.lock = threading.RLock()
        self.clock = clock
        self.ids = itertools.count(100)
        self.products: dict[int, Product] = {}
        self.variants: dict[int, Variant] = {}
        self._sku_index: dict[str, int] = {}  # sku -> id of the last match (checked on use)
        self.locations: dict[int, dict] = {}
        self.levels: dict[tuple[int, int], dict] = {}
        self.orders: dict[int, Order] = {}
        self.hooks: dict[int, dict] = {}
        self.accounts: dict[str, ApiAccount] = {}
        self.adjustments: list[dict] = []  # every accepted absolute adjustment (reason, items)
        self.emails: list[dict] = []  # deactivation notices BigCommerce would mail
        self.add_location("BC-LOCATION-1", "Default location", is_default=True, location_id=1)

    # --- set-up ----------------------------------------------------------------------------------
    def add_location(
        self, code: str, label: str, *, is_default: bool = False, location_id: int | None = None
    ) -> int:
        with self.lock:
            new_id = location_id or next(self.ids)
            self.locations[new_id] = {
                "id": new_id,
                "code": code,
                "label": label,
                "description": "",
                "managed_by_external_source": False,
                "type_id": "PHYSICAL",
                "enabled": True,
                "storefront_visibility": True,
                "is_default": is_default,
            }
            for variant_id in self.variants:
                self.levels[(variant_id, new_id)] = {"onhand": 0, "safety": 0, "set": False}
            return new_id

    def default_location(self) -> int:
        return next(i for i, loc in self.locations.items() if loc["is_default"])

    def add_product(
        self,
        name: str,
        *,
        sku: str = "",
        tracking: str = "product",
        variants: list[str] = (),
        quantity: int = 0,
    ) -> Product:
        """A simple product (``variants`` empty: its base variant has ``sku``) or one with option
        variants (their SKUs); ``quantity`` on hand at the default location for each tracked one."""
        with self.lock:
            product = Product(
                id=next(self.ids), name=name, sku=sku, inventory_tracking=tracking, base_variant_id=None
            )
            self.products[product.id] = product
            if not variants:
                base = Variant(
                    id=next(self.ids), product_id=product.id, sku=sku, sku_id=None, option_values=[]
                )
                product.base_variant_id = base.id
                self._variant_add(product, base, quantity)
            else:
                for index, code in enumerate(variants):
                    option = {
                        "id": next(self.ids),
                        "option_id": 1,
                        "label": str(index),
                        "option_display_name": "Size",
                    }
                    variant = Variant(
                        id=next(self.ids),
                        product_id=product.id,
                        sku=code,
                        sku_id=next(self.ids),
                        option_values=[option],
                    )
                    self._variant_add(product, variant, quantity)
            return product

    def _variant_add(self, product: Product, variant: Variant, quantity: int) -> None:
        self.variants[variant.id] = variant
        product.variant_ids.append(variant.id)
        for location_id in self.locations:
            default = location_id == self.default_location()
            self.levels[(variant.id, location_id)] = {
                "onhand": quantity if default else 0,
                "safety": 0,
                "set": default,
            }

    # --- reads -----------------------------------------------------------------------------------
    def variant_by_sku(self, sku: str) -> Variant | None:
        known = self.variants.get(self._sku_index.get(sku, -1))
        if known is not None and known.sku == sku:
            return known  # a store's SKU lookup is indexed; a linear scan per read slowed the rush
        found = next((v for v in self.variants.values() if v.sku == sku), None)
        if found is not None:
            self._sku_index[sku] = found.id
        return found

    def stock_variant(self, variant: Variant) -> Variant | None:
        """The variant holding the stock of ``variant`` (its product's base one for product tracking)."""
        product = self.products[variant.product_id]
        if product.inventory_tracking == "none":
            return None
        if product.inventory_tracking == "product":
            return self.variants[product.base_variant_id or product.variant_ids[0]]
        return variant

    def available(self, sku: str, location_id: int | None = None) -> int | None:
        """What a buyer can buy now of ``sku`` (None: stock not tracked)."""
        with self.lock:
            variant = self.variant_by_sku(sku)
            holder = self.stock_variant(variant) if variant else None
            if holder is None:
                return None
            level = self.levels[(holder.id, location_id or self.default_location())]
            return max(level["onhand"] - level["safety"], 0)

    def quantities(self) -> dict[str, int | None]:
        with self.lock:
            return {v.sku: self.available(v.sku) for v in self.variants.values() if v.sku}

    # --- orders ----------------------------------------------------------------------------------
    def tick(self, order: Order | None = None) -> datetime:
        """Now; for an order, at least one second after its last change (v2 dates have seconds)."""
        now = self.clock().replace(microsecond=0)
        if order is not None and now <= order.modified:
            now = order.modified + timedelta(seconds=1)
        return now

    def buy(self, sku: str, quantity: int) -> Order:
        """A buyer checks out ``quantity`` of ``sku``: stock taken at the default location, order
        Awaiting Fulfillment (11). OutOfStock when the store shows fewer units."""
        with self.lock:
            variant = self.variant_by_sku(sku)
            if variant is None or quantity < 1:
                raise OutOfStock(f"no such SKU {sku!r}")
            holder = self.stock_variant(variant)
            if holder is not None:
                level = self.levels[(holder.id, self.default_location())]
                if level["onhand"] - level["safety"] < quantity:
                    raise OutOfStock("out of stock")
                level["onhand"] -= quantity
            now = self.tick()
            order_id = next(self.ids)
            product = self.products[variant.product_id]
            address_id = next(self.ids)
            line = {
                "id": next(self.ids),
                "order_id": order_id,
                "product_id": product.id,
                "variant_id": variant.id,
                "order_address_id": address_id,
                "sku": sku,
                "name": product.name,
                "type": "physical",
                "base_price": "10.0000",
                "quantity": quantity,
                "quantity_shipped": 0,
                "quantity_refunded": 0,
                "is_refunded": False,
            }
            order = Order(
                id=order_id, status_id=11, created=now, modified=now, address_id=address_id, products=[line]
            )
            self.orders[order_id] = order
            return order

    def status_set(self, order: Order, status_id: int) -> int:
        """Change an order's status (restocking on cancel/refund/decline); the previous status."""
        with self.lock:
            previous = order.status_id
            order.status_id = status_id
            order.modified = self.tick(order)
            if status_id in RESTOCK_STATUSES and not order.restocked:
                order.restocked = True
                for line in order.products:
                    holder = self.stock_variant(self.variants[line["variant_id"]])
                    if holder is not None:
                        back = line["quantity"] - line["quantity_shipped"]
                        self.levels[(holder.id, self.default_location())]["onhand"] += back
            return previous

    def order_json(self, order: Order) -> dict:
        items = sum(p["quantity"] for p in order.products)
        shipped = sum(p["quantity_shipped"] for p in order.products)
        total = sum(p["quantity"] * float(p["base_price"]) for p in order.products)
        return {
            "id": order.id,
            "customer_id": 0,
            "date_created": rfc2822(order.created),
            "date_modified": rfc2822(order.modified),
            "date_shipped": "",
            "status_id": order.status_id,
            "status": STATUS_NAMES[order.status_id],
            "custom_status": STATUS_NAMES[order.status_id],
            "items_total": items,
            "items_shipped": shipped,
            "currency_code": "USD",
            "total_inc_tax": f"{total:.4f}",
            "payment_status": "captured",
            "channel_id": 1,
            "is_deleted": False,
            "billing_address": {"first_name": "Ada", "last_name": "Buyer", "email": "ada@example.com"},
            "products": {
                "url": f"/v2/orders/{order.id}/products",
                "resource": f"/orders/{order.id}/products",
            },
        }

    def address_json(self, order: Order) -> dict:
        return {
            "id": order.address_id,
            "order_id": order.id,
            "first_name": "Ada",
            "last_name": "Buyer",
            "street_1": "1 Main St",
            "city": "Austin",
            "zip": "78701",
            "country": "United States",
            "country_iso2": "US",
            "items_total": sum(p["quantity"] for p in order.products),
            "items_shipped": sum(p["quantity_shipped"] for p in order.products),
            "shipping_method": "Flat Rate",
        }

    def now_unix(self) -> int:
        return int(time.time())
