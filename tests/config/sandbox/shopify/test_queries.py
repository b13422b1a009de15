"""Read queries the connector needs: catalog, locations, levels, orders; cursor pagination."""

from __future__ import annotations

import datetime as dt

from config.sandbox.shopify.cost import LeakyBucket

VARIANTS_PAGE = """
query Variants($first: Int!, $after: String) {
  productVariants(first: $first, after: $after) {
    edges { cursor node { id sku inventoryItem { id } product { id title } } }
    pageInfo { hasNextPage endCursor }
  }
}"""

LEVEL = """
query Level($item: ID!, $location: ID!) {
  inventoryItem(id: $item) {
    id sku
    inventoryLevel(locationId: $location) {
      id quantities(names: ["available", "on_hand", "committed"]) { name quantity }
    }
  }
}"""

ORDERS = """
query Orders($query: String, $after: String) {
  orders(first: 2, after: $after, query: $query, sortKey: UPDATED_AT) {
    nodes {
      id name updatedAt cancelledAt displayFinancialStatus displayFulfillmentStatus
      lineItems(first: 10) { nodes { id sku quantity variant { id } } }
      fulfillmentOrders(first: 5) { nodes { id status assignedLocation { location { id } }
        lineItems(first: 10) { nodes { id remainingQuantity lineItem { id } } } } }
    }
    pageInfo { hasNextPage endCursor }
  }
}"""


def test_three_pages_of_variants_cover_each_variant_once(fake_shopify, shopify_client):
    fake_shopify.state.variants.clear()
    state = fake_shopify.state
    state.products.clear()
    for n in range(5):
        state.add_product(f"Towel {n}", [{"sku": f"TW-{n}"}])
    seen, cursor, pages = [], None, []
    while True:
        conn = shopify_client.data(VARIANTS_PAGE, {"first": 2, "after": cursor})["productVariants"]
        pages.append(len(conn["edges"]))
        seen += [e["node"]["sku"] for e in conn["edges"]]
        assert conn["pageInfo"]["endCursor"] == (conn["edges"][-1]["cursor"] if conn["edges"] else None)
        if not conn["pageInfo"]["hasNextPage"]:
            break
        cursor = conn["pageInfo"]["endCursor"]
    assert pages == [2, 2, 1]
    assert seen == ["TW-0", "TW-1", "TW-2", "TW-3", "TW-4"]


def test_connection_cost_is_two_plus_first_times_node_cost_and_actual_is_refunded(
    fake_shopify, shopify_client
):
    fake_shopify.bucket = LeakyBucket(1000, 50, clock=lambda: 0.0)  # time stands still: no refill
    _, _, body = shopify_client.post(VARIANTS_PAGE, {"first": 50})
    cost = body["extensions"]["cost"]
    # productVariants: 2 + 50 x (variant 1 + inventoryItem 1 + product 1); 20 variants exist.
    assert cost["requestedQueryCost"] == 2 + 50 * 3
    assert cost["actualQueryCost"] == 2 + 20 * 3
    assert cost["throttleStatus"]["currentlyAvailable"] == 1000 - cost["actualQueryCost"]


def test_inventory_level_by_location_shows_available_and_on_hand(fake_shopify, shopify_client):
    state = fake_shopify.state
    variant = state.variant_by_sku("LIN-0001-1")
    location = next(iter(state.locations.values()))
    level = state.level(variant.inventory_item_id, location.id)
    level.quantities["available"], level.quantities["committed"] = 7, 2
    data = shopify_client.data(
        LEVEL, {"item": f"gid://shopify/InventoryItem/{variant.inventory_item_id}", "location": location.gid}
    )
    assert data["inventoryItem"]["sku"] == "LIN-0001-1"
    assert data["inventoryItem"]["inventoryLevel"]["quantities"] == [
        {"name": "available", "quantity": 7},
        {"name": "on_hand", "quantity": 9},
        {"name": "committed", "quantity": 2},
    ]


def test_orders_filtered_on_updated_at_and_paginated(fake_shopify, shopify_client):
    state = fake_shopify.state
    clock = {"now": dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC)}
    state.clock = lambda: clock["now"]
    old = state.place_order(lines=[{"sku": "LIN-0001-1", "quantity": 1}])
    clock["now"] = dt.datetime(2026, 11, 2, 12, 0, tzinfo=dt.UTC)
    newer = [state.place_order(lines=[{"sku": "LIN-0002-1", "quantity": 1}]) for _ in range(3)]
    query = "updated_at:>='2026-11-02T00:00:00Z'"
    first = shopify_client.data(ORDERS, {"query": query})["orders"]
    second = shopify_client.data(ORDERS, {"query": query, "after": first["pageInfo"]["endCursor"]})["orders"]
    names = [o["name"] for o in first["nodes"] + second["nodes"]]
    assert names == [o.name for o in newer]
    assert old.name not in names
    assert (first["pageInfo"]["hasNextPage"], second["pageInfo"]["hasNextPage"]) == (True, False)
    order = first["nodes"][0]
    assert order["updatedAt"] == "2026-11-02T12:00:00Z"
    assert order["displayFinancialStatus"] == "PAID"
    assert order["displayFulfillmentStatus"] == "UNFULFILLED"
    assert order["cancelledAt"] is None
    line = order["lineItems"]["nodes"][0]
    assert (line["sku"], line["quantity"]) == ("LIN-0002-1", 1)
    assert line["variant"]["id"] == state.variant_by_sku("LIN-0002-1").gid
    fo = order["fulfillmentOrders"]["nodes"][0]
    assert fo["status"] == "OPEN"
    assert fo["lineItems"]["nodes"][0]["lineItem"]["id"] == line["id"]


def test_locations_need_first_or_last(shopify_client):
    status, _, body = shopify_client.post("{ locations { nodes { id } } }")
    assert status == 200
    assert body["errors"][0]["message"] == "you must provide one of first or last"
    assert body["data"] is None


def test_a_cursor_from_another_sort_is_refused(shopify_client):
    first = shopify_client.data("{ locations(first: 1, sortKey: NAME) { pageInfo { endCursor } } }")
    cursor = first["locations"]["pageInfo"]["endCursor"]
    body = shopify_client.post(
        "query($c: String) { locations(first: 1, after: $c, sortKey: ID) { nodes { id } } }", {"c": cursor}
    )[2]
    assert body["errors"][0]["message"] == "Invalid cursor for current pagination sort."
