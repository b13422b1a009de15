"""The GraphQL documents the connector sends, built for one API version's rules.

Every document is named (``Stockmaster...``) so Shopify's logs and the cost tracker can tell them
apart. Page sizes keep each query's requested cost well under the single-query maximum (1000).
"""

from __future__ import annotations

from channels_app.connectors.shopify.versions import VersionRules

PAGE_INFO = "pageInfo { hasNextPage endCursor }"
AVAILABLE = 'quantities(names: ["available"]) { name quantity }'

LOCATIONS = (
    "query StockmasterLocations($first: Int!, $after: String) {"
    f" locations(first: $first, after: $after) {{ {PAGE_INFO}"
    " nodes { id legacyResourceId name isActive } } }"
)

VARIANTS = (
    "query StockmasterVariants($first: Int!, $after: String, $locationId: ID!) {"
    f" productVariants(first: $first, after: $after, sortKey: ID) {{ {PAGE_INFO} nodes {{"
    " id sku displayName inventoryPolicy product { id title status }"
    f" inventoryItem {{ id tracked inventoryLevel(locationId: $locationId) {{ {AVAILABLE} }} }} }} }} }}"
)

ITEMS_AVAILABLE = (
    "query StockmasterAvailable($ids: [ID!]!, $locationId: ID!) { nodes(ids: $ids) {"
    f" ... on InventoryItem {{ id inventoryLevel(locationId: $locationId) {{ {AVAILABLE} }} }} }} }}"
)

_LINE = "id sku title quantity currentQuantity unfulfilledQuantity nonFulfillableQuantity variant { id }"
ORDER_FIELDS = (
    "fragment StockmasterOrder on Order { id legacyResourceId name email createdAt updatedAt"
    " cancelledAt displayFinancialStatus displayFulfillmentStatus currencyCode"
    f" lineItems(first: $lines) {{ {PAGE_INFO} nodes {{ {_LINE} }} }} }}"
)
ORDERS = (
    "query StockmasterOrders($first: Int!, $after: String, $query: String, $lines: Int!) {"
    " orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {"
    f" {PAGE_INFO} nodes {{ ...StockmasterOrder }} }} }}\n{ORDER_FIELDS}"
)
ORDER_LINES = (
    "query StockmasterOrderLines($id: ID!, $after: String) { order(id: $id) {"
    f" lineItems(first: 100, after: $after) {{ {PAGE_INFO} nodes {{ {_LINE} }} }} }} }}"
)

FULFILLMENT_ORDERS = (
    "query StockmasterFulfillmentOrders($id: ID!) { order(id: $id) { id"
    " fulfillments(first: 50) { id trackingInfo(first: 10) { number } }"
    " fulfillmentOrders(first: 5) { nodes { id status assignedLocation { location { id } }"
    " lineItems(first: 50) { nodes { id totalQuantity remainingQuantity lineItem { id } } } } } } }"
)
FULFILLMENT_CREATE = (
    "mutation StockmasterFulfillmentCreate($fulfillment: FulfillmentInput!) {"
    " fulfillmentCreate(fulfillment: $fulfillment) {"
    " fulfillment { id status } userErrors { field message } } }"
)


def order_cancel(rules: VersionRules) -> str:
    """orderCancel; from 2025-07 the refund goes through ``refundMethod`` (``refund`` deprecated)."""
    refund_var, refund_arg = (
        ("$refundMethod: OrderCancelRefundMethodInput", "refundMethod: $refundMethod")
        if rules.key >= (2025, 7)
        else ("$refund: Boolean!", "refund: $refund")
    )
    return (
        f"mutation StockmasterOrderCancel($orderId: ID!, $reason: OrderCancelReason!, {refund_var},"
        " $restock: Boolean!, $notifyCustomer: Boolean, $staffNote: String) {"
        f" orderCancel(orderId: $orderId, reason: $reason, {refund_arg}, restock: $restock,"
        " notifyCustomer: $notifyCustomer, staffNote: $staffNote) {"
        " job { id done } orderCancelUserErrors { code field message } } }"
    )


WEBHOOK_CREATE = (
    "mutation StockmasterWebhookCreate($topic: WebhookSubscriptionTopic!, $sub: WebhookSubscriptionInput!) {"
    " webhookSubscriptionCreate(topic: $topic, webhookSubscription: $sub) {"
    " webhookSubscription { id topic } userErrors { field message } } }"
)

_SET_RESULT = (
    'inventoryAdjustmentGroup { id changes(quantityNames: ["available"]) {'
    " name delta quantityAfterChange item { id } location { id } } } userErrors { code field message }"
)


def webhooks_list(rules: VersionRules) -> str:
    """Existing subscriptions with their address (``uri`` from 2025-10, ``callbackUrl`` before)."""
    address = "uri" if rules.webhook_uri else "callbackUrl"
    return (
        "query StockmasterWebhooks($first: Int!, $after: String) {"
        f" webhookSubscriptions(first: $first, after: $after) {{ {PAGE_INFO}"
        f" nodes {{ id topic {address} }} }} }}"
    )


def set_quantities(rules: VersionRules) -> str:
    """inventorySetQuantities, with the ``@idempotent`` key where the version has the directive."""
    if rules.idempotent_directive:
        return (
            "mutation StockmasterSetQuantities($input: InventorySetQuantitiesInput!, $key: String!) {"
            f" inventorySetQuantities(input: $input) @idempotent(key: $key) {{ {_SET_RESULT} }} }}"
        )
    return (
        "mutation StockmasterSetQuantities($input: InventorySetQuantitiesInput!) {"
        f" inventorySetQuantities(input: $input) {{ {_SET_RESULT} }} }}"
    )


def all_documents(rules: VersionRules) -> dict[str, str]:
    """Every document the connector may send under ``rules`` (for schema validation tests)."""
    return {
        "locations": LOCATIONS,
        "variants": VARIANTS,
        "items_available": ITEMS_AVAILABLE,
        "orders": ORDERS,
        "order_lines": ORDER_LINES,
        "fulfillment_orders": FULFILLMENT_ORDERS,
        "fulfillment_create": FULFILLMENT_CREATE,
        "webhook_create": WEBHOOK_CREATE,
        "webhooks_list": webhooks_list(rules),
        "set_quantities": set_quantities(rules),
    }
