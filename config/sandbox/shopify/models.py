"""Entities of the fake shop (plain dataclasses; numeric ids, Global IDs derived)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

# Quantity names that make up on_hand (Shopify "inventory states"); "incoming" is separate.
ON_HAND_PARTS = ("available", "committed", "reserved", "damaged", "safety_stock", "quality_control")
QUANTITY_NAMES = (*ON_HAND_PARTS, "incoming", "on_hand")


def gid(type_name: str, number: int) -> str:
    return f"gid://shopify/{type_name}/{number}"


def parse_gid(value: str | None, type_name: str) -> int | None:
    """Numeric id of ``gid://shopify/<type_name>/<n>``; None when it is not one."""
    prefix = f"gid://shopify/{type_name}/"
    if not isinstance(value, str) or not value.startswith(prefix):
        return None
    tail = value[len(prefix) :].split("?")[0]
    return int(tail) if tail.isdigit() else None


def iso(moment: dt.datetime | None) -> str | None:
    """GraphQL DateTime: UTC, second precision, ``Z``."""
    return None if moment is None else moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Entity:
    """Base of the shop's objects: numeric ``id``, Global ID ``gid``, ``legacy_resource_id``."""

    TYPE = ""
    id: int

    @property
    def gid(self) -> str:
        return gid(self.TYPE, self.id)

    @property
    def legacy_resource_id(self) -> int:
        return self.id


@dataclass(eq=False)
class Location(Entity):
    """A place that stocks inventory."""

    TYPE = "Location"
    id: int
    name: str
    is_active: bool = True
    fulfills_online_orders: bool = True
    ships_inventory: bool = True
    is_fulfillment_service: bool = False


@dataclass(eq=False)
class Product(Entity):
    """A product; its variants are listed by id."""

    TYPE = "Product"
    id: int
    title: str
    handle: str
    created_at: dt.datetime
    updated_at: dt.datetime
    status: str = "ACTIVE"
    variant_ids: list[int] = field(default_factory=list)


@dataclass(eq=False)
class Variant(Entity):
    """A product variant with its SKU and inventory item."""

    TYPE = "ProductVariant"
    id: int
    product_id: int
    inventory_item_id: int
    sku: str | None
    title: str
    created_at: dt.datetime
    updated_at: dt.datetime
    price: str = "10.00"
    barcode: str | None = None
    inventory_policy: str = "DENY"


@dataclass(eq=False)
class InventoryItem(Entity):
    """The stock-keeping side of a variant."""

    TYPE = "InventoryItem"
    id: int
    variant_id: int
    created_at: dt.datetime
    updated_at: dt.datetime
    tracked: bool = True


@dataclass(eq=False)
class InventoryLevel(Entity):
    """Quantities of one inventory item at one location, by quantity name."""

    TYPE = "InventoryLevel"
    id: int
    item_id: int
    location_id: int
    created_at: dt.datetime
    updated_at: dt.datetime
    quantities: dict[str, int] = field(default_factory=lambda: dict.fromkeys((*ON_HAND_PARTS, "incoming"), 0))

    def get(self, name: str) -> int:
        if name == "on_hand":
            return sum(self.quantities[n] for n in ON_HAND_PARTS)
        return self.quantities[name]


@dataclass(eq=False)
class LineItem(Entity):
    """An ordered variant and quantity."""

    TYPE = "LineItem"
    id: int
    order_id: int
    variant_id: int | None
    sku: str | None
    title: str
    quantity: int
    price: str = "10.00"
    fulfilled_quantity: int = 0
    refunded_quantity: int = 0
    cancelled: bool = False


@dataclass(eq=False)
class FulfillmentOrderLineItem(Entity):
    """A line item's share of a fulfillment order."""

    TYPE = "FulfillmentOrderLineItem"
    id: int
    line_item_id: int
    total_quantity: int
    remaining_quantity: int


@dataclass(eq=False)
class FulfillmentOrder(Entity):
    """The part of an order to ship from one location."""

    TYPE = "FulfillmentOrder"
    id: int
    order_id: int
    location_id: int
    created_at: dt.datetime
    updated_at: dt.datetime
    status: str = "OPEN"
    line_items: list[FulfillmentOrderLineItem] = field(default_factory=list)


@dataclass(eq=False)
class Fulfillment(Entity):
    """A shipment with tracking."""

    TYPE = "Fulfillment"
    id: int
    order_id: int
    name: str
    created_at: dt.datetime
    tracking: list[dict]
    lines: list[tuple[int, int]]  # (line item id, quantity)
    status: str = "SUCCESS"


@dataclass(eq=False)
class Refund(Entity):
    """A refund of order lines, possibly restocking them."""

    TYPE = "Refund"
    id: int
    order_id: int
    created_at: dt.datetime
    restock: bool
    lines: list[dict]  # {"id", "line_item_id", "quantity", "restock_type", "location_id"}
    note: str | None = None


@dataclass(eq=False)
class Order(Entity):
    """A buyer's order."""

    TYPE = "Order"
    id: int
    number: int
    created_at: dt.datetime
    updated_at: dt.datetime
    line_items: list[LineItem]
    financial_status: str = "PAID"
    email: str | None = "buyer@example.com"
    note: str | None = None
    test: bool = False
    currency: str = "USD"
    cancelled_at: dt.datetime | None = None
    cancel_reason: str | None = None
    closed_at: dt.datetime | None = None
    fulfillment_order_ids: list[int] = field(default_factory=list)
    fulfillments: list[Fulfillment] = field(default_factory=list)
    refunds: list[Refund] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"#{self.number}"

    @property
    def fulfillment_status(self) -> str:
        """OrderDisplayFulfillmentStatus."""
        live = [li for li in self.line_items if not li.cancelled]
        done = sum(li.fulfilled_quantity for li in live)
        if live and done >= sum(li.quantity for li in live):
            return "FULFILLED"
        return "PARTIALLY_FULFILLED" if done else "UNFULFILLED"


@dataclass(eq=False)
class WebhookSubscription(Entity):
    """An app's subscription of a callback URL to a topic."""

    TYPE = "WebhookSubscription"
    id: int
    topic: str
    callback_url: str
    api_version: str
    created_at: dt.datetime
    updated_at: dt.datetime
    format: str = "JSON"
    include_fields: list[str] = field(default_factory=list)
    filter: str | None = None
