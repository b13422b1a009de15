"""Calculated-cost leaky bucket, THROTTLED, MAX_COST_EXCEEDED, and GraphQL errors as Shopify shapes them."""

from __future__ import annotations

from config.sandbox.shopify.cost import LeakyBucket

VARIANTS = "query($n: Int!) { productVariants(first: $n) { nodes { id sku } } }"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_throttled_when_the_bucket_lacks_the_requested_cost_then_recovers_at_the_restore_rate(
    fake_shopify, shopify_client
):
    clock = FakeClock()
    fake_shopify.bucket = LeakyBucket(1000, 50, clock=clock)
    fake_shopify.bucket.drain(to=100)
    status, _, body = shopify_client.post(VARIANTS, {"n": 50})  # requests 2 + 50 = 52
    assert status == 200 and body["extensions"]["cost"]["actualQueryCost"] == 22  # 20 variants exist
    status, _, body = shopify_client.post(VARIANTS, {"n": 50})  # 78 left: enough
    assert body["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] == 56
    status, _, body = shopify_client.post(VARIANTS, {"n": 100})  # requests 102 > 56
    assert status == 200
    assert "data" not in body
    assert body["errors"] == [
        {
            "message": "Throttled",
            "extensions": {"code": "THROTTLED", "documentation": "https://shopify.dev/api/usage/rate-limits"},
        }
    ]
    assert body["extensions"]["cost"] == {
        "requestedQueryCost": 102,
        "actualQueryCost": None,
        "throttleStatus": {"maximumAvailable": 1000.0, "currentlyAvailable": 56, "restoreRate": 50.0},
    }
    clock.now += 0.9  # 45 points restored: 101 < 102, still throttled
    assert shopify_client.post(VARIANTS, {"n": 100})[2]["errors"][0]["extensions"]["code"] == "THROTTLED"
    clock.now += 0.1  # 106 >= 102
    status, _, body = shopify_client.post(VARIANTS, {"n": 100})
    assert "errors" not in body
    assert body["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] == 106 - 22
    assert fake_shopify.counters["throttled"] == 2


def test_bucket_never_exceeds_its_maximum(fake_shopify):
    clock = FakeClock()
    bucket = LeakyBucket(1000, 50, clock=clock)
    bucket.drain(to=990)
    clock.now += 60
    assert bucket.status()["currentlyAvailable"] == 1000


def test_forced_throttle_fault(fake_shopify, shopify_client):
    fake_shopify.faults.throttle_next(1)
    assert shopify_client.post(VARIANTS, {"n": 1})[2]["errors"][0]["extensions"]["code"] == "THROTTLED"
    assert "errors" not in shopify_client.post(VARIANTS, {"n": 1})[2]


def test_single_query_over_1000_is_max_cost_exceeded_and_takes_nothing(shopify_client):
    query = "{ products(first: 250) { nodes { id variants(first: 10) { nodes { id } } } } }"
    status, _, body = shopify_client.post(query)
    assert status == 200
    assert body["errors"][0]["extensions"] == {
        "code": "MAX_COST_EXCEEDED",
        "cost": 2 + 250 * 13,
        "maxCost": 1000,
    }
    assert body["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] == 1000


def test_invalid_field_is_rejected_like_shopify_with_http_200_and_no_data(fake_shopify, shopify_client):
    status, _, body = shopify_client.post("query Stock { productVariants(first: 1) { nodes { id skuu } } }")
    assert status == 200
    assert body == {
        "errors": [
            {
                "message": "Field 'skuu' doesn't exist on type 'ProductVariant'",
                "locations": [{"line": 1, "column": 54}],
                "path": ["query Stock", "productVariants", "nodes", "skuu"],
                "extensions": {"code": "undefinedField", "typeName": "ProductVariant", "fieldName": "skuu"},
            }
        ]
    }
    assert fake_shopify.counters["graphql_errors"] == 1
    assert fake_shopify.counters.get("cost_requested", 0) == 0


def test_unknown_argument_and_missing_required_argument(shopify_client):
    body = shopify_client.post("{ shop(id: 1) { name } }")[2]
    assert body["errors"][0]["message"] == "Field 'shop' doesn't accept argument 'id'"
    assert body["errors"][0]["extensions"]["code"] == "argumentNotAccepted"
    body = shopify_client.post("{ inventoryItem { id } }")[2]
    assert body["errors"][0]["message"] == "Field 'inventoryItem' is missing required arguments: id"
    assert body["errors"][0]["extensions"]["code"] == "missingRequiredArguments"


def test_syntax_error_is_a_graphql_error(shopify_client):
    status, _, body = shopify_client.post("{ shop { name }")
    assert status == 200
    assert "data" not in body
    assert body["errors"][0]["locations"] == [{"line": 1, "column": 16}]


def test_nested_connections_multiply_and_scalars_are_free(shopify_client):
    query = (
        "{ products(first: 10) { edges { node { id title "
        "variants(first: 5) { edges { node { id sku } } } } } } }"
    )
    cost = shopify_client.post(query)[2]["extensions"]["cost"]
    assert cost["requestedQueryCost"] == 2 + 10 * (1 + 2 + 5 * 1)
    assert cost["actualQueryCost"] == 2 + 10 * (1 + 2 + 2 * 1)  # 10 products with 2 variants each
