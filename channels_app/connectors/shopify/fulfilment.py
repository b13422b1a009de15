"""Fulfilment: report shipped lines with tracking through ``fulfillmentCreate``.

Shopify fulfils fulfillment orders, not order lines: the order's open fulfillment orders are read,
the shipped units spread over their lines (``mapping.fulfilment_plan``), and one fulfillmentCreate
is sent per assigned location (fulfillment orders of one call must share it). Retrying is safe
when the shipment has a tracking number: an order that already has a fulfillment with that number
is not fulfilled again; without one, units are capped at what remains open.
"""

from __future__ import annotations

from channels_app.connectors.base import ConnectorError, FulfilmentDTO
from channels_app.connectors.shopify import queries
from channels_app.connectors.shopify.client import ShopifyClient
from channels_app.connectors.shopify.mapping import fulfilment_plan, gid


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
