"""Fulfilment: report shipped lines with tracking through ``fulfillmentCreate``.

Shopify fulfils fulfillment orders, not order lines: the order's open fulfillment orders are read,
the shipped units spread over their lines (``mapping.fulfilment_plan``), and one fulfillmentCreate
is sent per assigned location (fulfillment orders of one call must share it). Retrying is safe:
an order that already has a fulfillment with the shipment's tracking number, or whose lines
already show as fulfilled the units our earlier fulfilments reported plus this one's
(``FulfilmentDTO.reported_before``), is not fulfilled again; otherwise units are capped at what
remains open.

Cancelling (``order_cancel``): ``orderCancel`` with a refund to the original payment methods,
restocking, and the staff note; Shopify cancels asynchronously (a job). An order Shopify already
shows cancelled is not an error.
"""

from __future__ import annotations

from channels_app.connectors.dto import FulfilmentDTO
from channels_app.connectors.errors import ConnectorError
from channels_app.connectors.shopify import queries
from channels_app.connectors.shopify.client import ShopifyClient
from channels_app.connectors.shopify.mapping import fulfilment_plan, gid, gid_tail


def _already_fulfilled(*, order: dict, fulfilment: FulfilmentDTO) -> bool:
    """True when Shopify shows every line of ``fulfilment`` fulfilled at least up to what our
    earlier fulfilments reported plus this one (it landed before, or was fulfilled there)."""
    done: dict[str, int] = {}
    for fo in order["fulfillmentOrders"]["nodes"]:
        if fo.get("status") == "CANCELLED":
            continue
        for item in (fo.get("lineItems") or {}).get("nodes") or []:
            line = gid_tail((item.get("lineItem") or {}).get("id"))
            fulfilled = int(item.get("totalQuantity") or 0) - int(item.get("remainingQuantity") or 0)
            done[line] = done.get(line, 0) + max(fulfilled, 0)
    wanted = {gid_tail(k): int(v) for k, v in fulfilment.lines.items() if int(v) > 0}
    before = {gid_tail(k): int(v) for k, v in fulfilment.reported_before.items()}
    return bool(wanted) and all(
        done.get(line, 0) >= before.get(line, 0) + qty for line, qty in wanted.items()
    )


def fulfilment_create(
    *, client: ShopifyClient, fulfilment: FulfilmentDTO, notify_customer: bool
) -> list[str]:
    """Create the fulfillments of one shipment; return their ids (empty when already reported).

    Raises ConnectorError when the order is unknown or Shopify refuses (its userErrors).
    """
    order_id = gid("Order", fulfilment.order_external_id)
    data = client.execute(
        queries.FULFILLMENT_ORDERS, {"id": order_id}, operation="StockmasterFulfillmentOrders"
    )
    order = data.get("order")
    if order is None:
        raise ConnectorError(f"Shopify has no order {fulfilment.order_external_id}")
    if fulfilment.tracking_number and any(
        info.get("number") == fulfilment.tracking_number
        for done in order.get("fulfillments") or []
        for info in done.get("trackingInfo") or []
    ):
        return []
    if _already_fulfilled(order=order, fulfilment=fulfilment):
        return []
    plan, _left_over = fulfilment_plan(
        fulfillment_orders=order["fulfillmentOrders"]["nodes"], lines=fulfilment.lines
    )
    tracking = {
        key: value
        for key, value in (
            ("company", fulfilment.carrier),
            ("number", fulfilment.tracking_number),
            ("url", fulfilment.tracking_url),
        )
        if value
    }
    created = []
    for _location, entries in sorted(plan.items()):
        groups: dict[str, list[dict]] = {}
        for fo_id, line_id, quantity in entries:
            groups.setdefault(fo_id, []).append({"id": line_id, "quantity": quantity})
        variables = {
            "fulfillment": {
                "notifyCustomer": notify_customer,
                "trackingInfo": tracking,
                "lineItemsByFulfillmentOrder": [
                    {"fulfillmentOrderId": fo_id, "fulfillmentOrderLineItems": lines}
                    for fo_id, lines in groups.items()
                ],
            }
        }
        result = client.execute(
            queries.FULFILLMENT_CREATE, variables, operation="StockmasterFulfillmentCreate", idempotent=False
        )["fulfillmentCreate"]
        if result["userErrors"]:
            raise ConnectorError(f"Shopify refused the fulfilment: {result['userErrors'][0].get('message')}")
        created.append(result["fulfillment"]["id"])
    return created


def order_cancel(
    *, client: ShopifyClient, order_external_id: str, reason: str, notify_customer: bool
) -> None:
    """Cancel the order on Shopify, refunding the buyer and restocking; raise ConnectorError when
    Shopify refuses (an order it already shows cancelled is fine)."""
    variables: dict = {
        "orderId": gid("Order", order_external_id),
        "reason": "OTHER",
        "restock": True,
        "notifyCustomer": notify_customer,
        "staffNote": (reason or "Cancelled in the stock master")[:255],
    }
    if client.rules.key >= (2025, 7):
        variables["refundMethod"] = {"originalPaymentMethodsRefund": True}
    else:
        variables["refund"] = True
    result = client.execute(
        queries.order_cancel(client.rules), variables, operation="StockmasterOrderCancel", idempotent=False
    )["orderCancel"]
    errors = result.get("orderCancelUserErrors") or []
    if errors:
        message = str(errors[0].get("message") or "")
        if "already" in message.lower() and "cancel" in message.lower():
            return
        raise ConnectorError(f"Shopify refused the cancellation: {message}")
