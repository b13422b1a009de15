"""Mutation resolvers: fulfillmentCreate, orderCancel, webhookSubscriptionCreate and -Delete."""

from __future__ import annotations

from urllib.parse import urlparse

from .models import WebhookSubscription, gid, parse_gid
from .mutations import mutation


def _user_error(field, message):
    return {"field": field, "message": message}


@mutation("fulfillmentCreate")
def _fulfillment_create(_, info, fulfillment, message=None):
    state = info.context.state
    errors, lines, orders = [], [], set()
    with state.lock:
        for i, group in enumerate(fulfillment["lineItemsByFulfillmentOrder"]):
            path = ["fulfillment", "lineItemsByFulfillmentOrder", str(i)]
            fo = state.fulfillment_orders.get(parse_gid(group["fulfillmentOrderId"], "FulfillmentOrder"))
            if fo is None:
                errors.append(_user_error([*path, "fulfillmentOrderId"], "Fulfillment order does not exist."))
                continue
            orders.add(fo.order_id)
            if fo.status not in ("OPEN", "IN_PROGRESS"):
                errors.append(
                    _user_error(
                        [*path, "fulfillmentOrderId"],
                        f"Fulfillment order {fo.gid} has an unfulfillable status= {fo.status}.",
                    )
                )
                continue
            wanted = group.get("fulfillmentOrderLineItems")
            if not wanted:
                lines.extend((fo, x, x.remaining_quantity) for x in fo.line_items if x.remaining_quantity)
                continue
            by_gid = {x.gid: x for x in fo.line_items}
            for j, entry in enumerate(wanted):
                foli = by_gid.get(entry["id"])
                if foli is None or not 0 < entry["quantity"] <= foli.remaining_quantity:
                    errors.append(
                        _user_error(
                            [*path, "fulfillmentOrderLineItems", str(j)],
                            "Invalid fulfillment order line item quantity requested.",
                        )
                    )
                    continue
                lines.append((fo, foli, entry["quantity"]))
        if len(orders) > 1:
            errors.append(
                _user_error(["fulfillment"], "All fulfillment orders must belong to the same order.")
            )
        if not errors and not lines:
            errors.append(_user_error(["fulfillment"], "Nothing to fulfill."))
        if errors:
            info.context.fake.count("user_errors")
            return {"fulfillment": None, "userErrors": errors}
        tracking = _tracking(fulfillment.get("trackingInfo") or {})
        order = state.orders[orders.pop()]
        return {"fulfillment": state.fulfill(order=order, lines=lines, tracking=tracking), "userErrors": []}


@mutation("orderCancel")
def _order_cancel(_, info, orderId, reason, restock, refund=None, refundMethod=None, **_options):
    """Cancel like Shopify: refused for an unknown order, one already cancelled, or one with a
    fulfillment; done at once here (Shopify runs a job), the job answered as done."""
    ctx, state = info.context, info.context.state
    order = state.orders.get(parse_gid(orderId, "Order"))
    error = None
    if order is None:
        error = ("NOT_FOUND", "Order does not exist")
    elif order.cancelled_at is not None:
        error = ("INVALID", "Order has already been cancelled")
    elif any(li.fulfilled_quantity for li in order.line_items):
        error = ("INVALID", "Cannot cancel an order that has fulfillments")
    if error:
        ctx.fake.count("user_errors")
        return {
            "job": None,
            "orderCancelUserErrors": [{"code": error[0], "field": ["orderId"], "message": error[1]}],
            "userErrors": [],
        }
    if refund is None and refundMethod is None:
        ctx.fake.count("user_errors")
        message = "refundMethod or refund is required"
        return {
            "job": None,
            "orderCancelUserErrors": [{"code": "INVALID", "field": None, "message": message}],
        }
    state.cancel_order(order.id, reason=reason, restock=restock)
    ctx.fake.count("order_cancels")
    return {"job": {"id": gid("Job", order.id), "done": True}, "orderCancelUserErrors": [], "userErrors": []}


def _tracking(data: dict) -> list[dict]:
    numbers = data.get("numbers") or ([data["number"]] if data.get("number") else [])
    urls = data.get("urls") or ([data["url"]] if data.get("url") else [])
    if not numbers and data.get("company"):
        return [{"company": data["company"], "number": None, "url": urls[0] if urls else None}]
    return [
        {"company": data.get("company"), "number": n, "url": urls[k] if k < len(urls) else None}
        for k, n in enumerate(numbers)
    ]


def _address_error(address: str | None):
    if not address:
        return "Address can't be blank"
    parsed = urlparse(address)
    if parsed.scheme == "https" and parsed.hostname:
        return None
    if parsed.scheme == "http" and parsed.hostname in ("127.0.0.1", "localhost", "::1"):
        return None  # the fake delivers to local test receivers over plain HTTP
    if parsed.scheme == "http":
        return "Address protocol http:// is not supported"
    return "Address is invalid"


@mutation("webhookSubscriptionCreate")
def _webhook_create(_, info, topic, webhookSubscription):
    ctx, state = info.context, info.context.state
    data = webhookSubscription
    field_name = "uri" if ctx.features.webhook_uri and data.get("uri") else "callbackUrl"
    address = data.get(field_name)
    problem = _address_error(address)
    with state.lock:
        if problem is None and any(
            s.topic == topic and s.callback_url == address for s in state.subscriptions.values()
        ):
            problem = "Address for this topic has already been taken"
        if problem:
            ctx.fake.count("user_errors")
            return {
                "webhookSubscription": None,
                "userErrors": [_user_error(["webhookSubscription", field_name], problem)],
            }
        now = state.clock()
        sub = WebhookSubscription(
            id=state.new_id("WebhookSubscription"),
            topic=topic,
            callback_url=address,
            api_version=ctx.version,
            created_at=now,
            updated_at=now,
            format=data.get("format") or "JSON",
            include_fields=list(data.get("includeFields") or []),
            filter=data.get("filter"),
        )
        state.subscriptions[sub.id] = sub
        return {"webhookSubscription": sub, "userErrors": []}


@mutation("webhookSubscriptionDelete")
def _webhook_delete(_, info, id):
    state = info.context.state
    with state.lock:
        sub = state.subscriptions.pop(parse_gid(id, "WebhookSubscription"), None)
    if sub is None:
        return {
            "deletedWebhookSubscriptionId": None,
            "userErrors": [_user_error(["id"], "Webhook subscription does not exist")],
        }
    return {"deletedWebhookSubscriptionId": gid("WebhookSubscription", sub.id), "userErrors": []}
