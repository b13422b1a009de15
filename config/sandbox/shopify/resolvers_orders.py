"""Field resolvers for orders, fulfillment orders, fulfillments, webhook subscriptions, adjustments."""

from __future__ import annotations

from .models import gid, iso
from .resolvers import _connection, _state, resolver


@resolver("Order", "closed")
def _order_closed(order, info):
    return order.closed_at is not None


@resolver("Order", "processedAt")
def _order_processed(order, info):
    return iso(order.created_at)


@resolver("Order", "currencyCode")
def _order_currency(order, info):
    return order.currency


@resolver("Order", "displayFinancialStatus")
def _order_financial(order, info):
    return order.financial_status


@resolver("Order", "displayFulfillmentStatus")
def _order_fulfillment(order, info):
    return order.fulfillment_status


@resolver("Order", "lineItems")
def _order_lines(order, info, **args):
    return _connection(order.line_items, args)


@resolver("Order", "fulfillmentOrders")
def _order_fos(order, info, **args):
    state = _state(info)
    fos = [state.fulfillment_orders[i] for i in order.fulfillment_order_ids]
    if args.get("displayable"):
        fos = [fo for fo in fos if fo.status not in ("CANCELLED", "INCOMPLETE", "CLOSED")]
    return _connection(fos, args, {"status": lambda fo: fo.status.lower()})


@resolver("Order", "fulfillments")
def _order_fulfillments(order, info, first=None):
    return order.fulfillments[:first] if first is not None else order.fulfillments


@resolver("LineItem", "name")
def _line_name(line, info):
    variant = _state(info).variants.get(line.variant_id)
    return (
        line.title
        if variant is None or variant.title == "Default Title"
        else f"{line.title} - {variant.title}"
    )


@resolver("LineItem", "currentQuantity")
def _line_current(line, info):
    return 0 if line.cancelled else line.quantity - line.refunded_quantity


@resolver("LineItem", "unfulfilledQuantity")
def _line_unfulfilled(line, info):
    order = _state(info).orders[line.order_id]
    return 0 if order.cancelled_at or line.cancelled else line.quantity - line.fulfilled_quantity


@resolver("LineItem", "refundableQuantity")
def _line_refundable(line, info):
    return 0 if line.cancelled else line.quantity - line.refunded_quantity


@resolver("LineItem", "nonFulfillableQuantity")
def _line_non_fulfillable(line, info):
    order = _state(info).orders[line.order_id]
    return line.quantity - line.fulfilled_quantity if order.cancelled_at else 0


@resolver("LineItem", "variant")
def _line_variant(line, info):
    return _state(info).variants.get(line.variant_id)


@resolver("LineItem", "product")
def _line_product(line, info):
    state = _state(info)
    variant = state.variants.get(line.variant_id)
    return state.products.get(variant.product_id) if variant else None


@resolver("FulfillmentOrder", "requestStatus")
def _fo_request(fo, info):
    return "UNSUBMITTED"


@resolver("FulfillmentOrder", "assignedLocation")
def _fo_location(fo, info):
    location = _state(info).locations.get(fo.location_id)
    return {"location": location, "name": location.name if location else ""}


@resolver("FulfillmentOrder", "order")
def _fo_order(fo, info):
    return _state(info).orders[fo.order_id]


@resolver("FulfillmentOrder", "lineItems")
def _fo_lines(fo, info, **args):
    return _connection(fo.line_items, args)


@resolver("FulfillmentOrderLineItem", "lineItem")
def _foli_line(foli, info):
    return _state(info).line_items[foli.line_item_id]


@resolver("FulfillmentOrderLineItem", "sku")
def _foli_sku(foli, info):
    return _state(info).line_items[foli.line_item_id].sku


@resolver("FulfillmentOrderLineItem", "variant")
def _foli_variant(foli, info):
    state = _state(info)
    return state.variants.get(state.line_items[foli.line_item_id].variant_id)


@resolver("FulfillmentOrderLineItem", "inventoryItemId")
def _foli_item(foli, info):
    variant = _foli_variant(foli, info)
    return gid("InventoryItem", variant.inventory_item_id) if variant else None


@resolver("Fulfillment", "order")
def _fulfillment_order(fulfillment, info):
    return _state(info).orders[fulfillment.order_id]


@resolver("Fulfillment", "trackingInfo")
def _fulfillment_tracking(fulfillment, info, first=None):
    return fulfillment.tracking[:first] if first is not None else fulfillment.tracking


@resolver("WebhookSubscription", "uri")
def _sub_uri(sub, info):
    return sub.callback_url


@resolver("WebhookSubscription", "endpoint")
def _sub_endpoint(sub, info):
    return {"__typename": "WebhookHttpEndpoint", "callbackUrl": sub.callback_url}


@resolver("WebhookSubscription", "apiVersion")
def _sub_version(sub, info):
    versions = info.context.fake.versions
    return {
        "handle": sub.api_version,
        "displayName": sub.api_version,
        "supported": sub.api_version in versions.supported,
    }


@resolver("InventoryAdjustmentGroup", "changes")
def _group_changes(group, info, inventoryItemIds=None, locationIds=None, quantityNames=None):
    out = []
    for change in group["changes"]:
        if inventoryItemIds is not None and gid("InventoryItem", change["item"].id) not in inventoryItemIds:
            continue
        if locationIds is not None and gid("Location", change["location"].id) not in locationIds:
            continue
        if quantityNames is not None and change["name"] not in quantityNames:
            continue
        out.append(change)
    return out
