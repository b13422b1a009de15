"""Field resolvers for the queries (read side). Mutations are in mutations.py.

The executor calls ``resolve(source, info, **args)`` for every field: a resolver registered for
``(parent type, field)`` wins; otherwise dict keys, then snake_case attributes of the entity
(``legacyResourceId`` -> ``legacy_resource_id``), with Global IDs and DateTime formatting applied.
"""

from __future__ import annotations

import datetime as dt
import re

from graphql import GraphQLError

from .models import QUANTITY_NAMES, Entity, gid, iso, parse_gid
from .pagination import matches, paginate, parse_search

RESOLVERS: dict[tuple[str, str], object] = {}
_SNAKE = re.compile(r"(?<!^)(?=[A-Z])")


def resolver(type_name: str, *fields: str):
    def register(fn):
        for f in fields:
            RESOLVERS[(type_name, f)] = fn
        return fn

    return register


def resolve(source, info, **args):
    fn = RESOLVERS.get((info.parent_type.name, info.field_name))
    if fn is not None:
        return fn(source, info, **args)
    name = info.field_name
    if isinstance(source, dict):
        value = source.get(name)
    elif name == "id" and isinstance(source, Entity):
        return source.gid
    else:
        value = getattr(source, _SNAKE.sub("_", name).lower(), None)
    return iso(value) if isinstance(value, dt.datetime) else value


def type_of(value, info, abstract_type):
    return value.get("__typename") if isinstance(value, dict) else type(value).TYPE


def _state(info):
    return info.context.state


# --- lookups by Global ID -------------------------------------------------------------------------
def lookup(state, global_id: str | None):
    """The entity a Global ID names, or None."""
    if not isinstance(global_id, str):
        return None
    m = re.match(r"^gid://shopify/(\w+)/(\d+)", global_id)
    if not m:
        return None
    type_name, number = m.group(1), int(m.group(2))
    if type_name == "InventoryLevel":
        return next((lv for lv in state.levels.values() if lv.id == number), None)
    if type_name == "LineItem":
        return state.line_items.get(number)
    table = {
        "Location": state.locations,
        "Product": state.products,
        "ProductVariant": state.variants,
        "InventoryItem": state.items,
        "Order": state.orders,
        "FulfillmentOrder": state.fulfillment_orders,
        "WebhookSubscription": state.subscriptions,
    }.get(type_name)
    return table.get(number) if table is not None else None


def _typed(state, global_id, type_name):
    obj = lookup(state, global_id)
    return obj if obj is not None and type_name == type(obj).TYPE else None


@resolver("QueryRoot", "node")
def _node(_, info, id):
    return lookup(_state(info), id)


@resolver("QueryRoot", "nodes")
def _nodes(_, info, ids):
    return [lookup(_state(info), i) for i in ids]


@resolver("QueryRoot", "location")
def _location(_, info, id=None):
    state = _state(info)
    if id is None:
        return next(iter(state.locations.values()), None)  # the shop's primary location
    return _typed(state, id, "Location")


for _field, _type in (
    ("product", "Product"),
    ("productVariant", "ProductVariant"),
    ("inventoryItem", "InventoryItem"),
    ("order", "Order"),
    ("fulfillmentOrder", "FulfillmentOrder"),
    ("webhookSubscription", "WebhookSubscription"),
):
    RESOLVERS[("QueryRoot", _field)] = lambda _, info, id, _t=_type: _typed(_state(info), id, _t)


@resolver("QueryRoot", "inventoryLevel")
def _inventory_level(_, info, id):
    return _typed(_state(info), id, "InventoryLevel")


# --- connections ----------------------------------------------------------------------------------
_SORT = {
    "ID": lambda e: e.id,
    "NAME": lambda e: e.name,
    "TITLE": lambda e: e.title,
    "SKU": lambda e: e.sku or "",
    "CREATED_AT": lambda e: e.created_at,
    "UPDATED_AT": lambda e: e.updated_at,
    "PROCESSED_AT": lambda e: e.created_at,
    "RELEVANCE": lambda e: e.id,
}


def _connection(items, args, fields=None):
    terms = parse_search(args.get("query"))
    chosen = [i for i in items if matches(i, terms, fields or {})]
    return paginate(chosen, args, _SORT[args.get("sortKey") or "ID"])


@resolver("QueryRoot", "locations")
def _locations(_, info, **args):
    items = [x for x in _state(info).locations.values() if x.is_active or args.get("includeInactive")]
    return _connection(items, args, {"name": lambda x: x.name, "active": lambda x: x.is_active})


@resolver("QueryRoot", "products")
def _products(_, info, **args):
    state = _state(info)
    fields = {
        "title": lambda p: p.title,
        "status": lambda p: p.status,
        "updated_at": lambda p: p.updated_at,
        "created_at": lambda p: p.created_at,
        "id": lambda p: p.id,
        "sku": lambda p: next((state.variants[v].sku for v in p.variant_ids), None),
    }
    return _connection(state.products.values(), args, fields)


_VARIANT_FIELDS = {
    "sku": lambda v: v.sku,
    "updated_at": lambda v: v.updated_at,
    "id": lambda v: v.id,
    "product_id": lambda v: v.product_id,
    "inventory_item_id": lambda v: v.inventory_item_id,
}


@resolver("QueryRoot", "productVariants")
def _variants(_, info, **args):
    return _connection(_state(info).variants.values(), args, _VARIANT_FIELDS)


@resolver("Product", "variants")
def _product_variants(product, info, **args):
    state = _state(info)
    return _connection([state.variants[v] for v in product.variant_ids], args)


@resolver("QueryRoot", "inventoryItems")
def _items(_, info, **args):
    state = _state(info)
    fields = {
        "sku": lambda i: state.variants[i.variant_id].sku,
        "id": lambda i: i.id,
        "updated_at": lambda i: i.updated_at,
    }
    return _connection(state.items.values(), args, fields)


_ORDER_FIELDS = {
    "updated_at": lambda o: o.updated_at,
    "created_at": lambda o: o.created_at,
    "processed_at": lambda o: o.created_at,
    "name": lambda o: o.name,
    "id": lambda o: o.id,
    "financial_status": lambda o: o.financial_status,
    "test": lambda o: o.test,
    "status": lambda o: "cancelled" if o.cancelled_at else ("closed" if o.closed_at else "open"),
}


@resolver("QueryRoot", "orders")
def _orders(_, info, **args):
    return _connection(_state(info).orders.values(), args, _ORDER_FIELDS)


@resolver("QueryRoot", "webhookSubscriptions")
def _subscriptions(_, info, **args):
    subs = list(_state(info).subscriptions.values())
    if args.get("topics"):
        subs = [s for s in subs if s.topic in args["topics"]]
    if args.get("callbackUrl"):
        subs = [s for s in subs if s.callback_url == args["callbackUrl"]]
    return _connection(subs, args)


# --- shop, locations, catalog ---------------------------------------------------------------------
@resolver("QueryRoot", "shop")
def _shop(_, info):
    shop, fake = _state(info).shop, info.context.fake
    return {
        "id": gid("Shop", shop["id"]),
        "name": shop["name"],
        "email": "owner@example.com",
        "myshopifyDomain": shop["domain"],
        "currencyCode": shop["currency"],
        "ianaTimezone": "Etc/UTC",
        "plan": {
            "displayName": fake.plan_name,
            "partnerDevelopment": False,
            "shopifyPlus": fake.plan_name == "plus",
        },
    }


@resolver("Location", "inventoryLevel")
def _location_level(location, info, inventoryItemId):
    item_id = parse_gid(inventoryItemId, "InventoryItem")
    return _state(info).level(item_id, location.id)


@resolver("Location", "inventoryLevels")
def _location_levels(location, info, **args):
    return _connection([lv for lv in _state(info).levels.values() if lv.location_id == location.id], args)


@resolver("InventoryItem", "inventoryLevel")
def _item_level(item, info, locationId):
    return _state(info).level(item.id, parse_gid(locationId, "Location"))


@resolver("InventoryItem", "inventoryLevels")
def _item_levels(item, info, **args):
    return _connection([lv for lv in _state(info).levels.values() if lv.item_id == item.id], args)


@resolver("InventoryItem", "sku")
def _item_sku(item, info):
    return _state(info).variants[item.variant_id].sku


@resolver("InventoryItem", "variant")
def _item_variant(item, info):
    return _state(info).variants[item.variant_id]


@resolver("InventoryLevel", "id")
def _level_id(level, info):
    return f"{level.gid}?inventory_item_id={level.item_id}"


@resolver("InventoryLevel", "item")
def _level_item(level, info):
    return _state(info).items[level.item_id]


@resolver("InventoryLevel", "location")
def _level_location(level, info):
    return _state(info).locations[level.location_id]


@resolver("InventoryLevel", "quantities")
def _level_quantities(level, info, names):
    bad = [n for n in names if n not in QUANTITY_NAMES]
    if bad:
        raise GraphQLError(
            f"Invalid quantity name(s): {', '.join(bad)}. Valid names: {', '.join(QUANTITY_NAMES)}"
        )
    return [
        {
            "id": f"gid://shopify/InventoryQuantity/{level.id}?inventory_item_id={level.item_id}&name={n}",
            "name": n,
            "quantity": level.get(n),
            "updatedAt": iso(level.updated_at),
        }
        for n in names
    ]


@resolver("Product", "totalInventory")
def _product_total(product, info):
    state = _state(info)
    return sum(_variant_total(state.variants[v], info) for v in product.variant_ids)


@resolver("Product", "tracksInventory")
def _product_tracks(product, info):
    return True


@resolver("ProductVariant", "inventoryQuantity")
def _variant_total(variant, info):
    state = _state(info)
    return sum(
        lv.get("available") for (item, _), lv in state.levels.items() if item == variant.inventory_item_id
    )


@resolver("ProductVariant", "inventoryItem")
def _variant_item(variant, info):
    return _state(info).items[variant.inventory_item_id]


@resolver("ProductVariant", "product")
def _variant_product(variant, info):
    return _state(info).products[variant.product_id]


@resolver("ProductVariant", "displayName")
def _variant_display(variant, info):
    return f"{_state(info).products[variant.product_id].title} - {variant.title}"
