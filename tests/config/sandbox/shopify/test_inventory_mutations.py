"""inventorySetQuantities / inventoryAdjustQuantities: compare-and-swap, idempotency, version rules."""

from __future__ import annotations

import pytest

from config.sandbox.shopify.fixtures import TODAY, ShopifyClient
from config.sandbox.shopify.server import FakeShopify

SET = """
mutation Set($input: InventorySetQuantitiesInput!, $key: String!) {
  inventorySetQuantities(input: $input) @idempotent(key: $key) {
    inventoryAdjustmentGroup { id reason referenceDocumentUri changes { name delta quantityAfterChange } }
    userErrors { code field message }
  }
}"""
SET_NO_KEY = """
mutation Set($input: InventorySetQuantitiesInput!) {
  inventorySetQuantities(input: $input) {
    inventoryAdjustmentGroup { id }
    userErrors { code field message }
  }
}"""
ADJUST = """
mutation Adjust($input: InventoryAdjustQuantitiesInput!, $key: String!) {
  inventoryAdjustQuantities(input: $input) @idempotent(key: $key) {
    inventoryAdjustmentGroup { changes { name delta quantityAfterChange } }
    userErrors { code field message }
  }
}"""


def _target(fake, sku="LIN-0001-1"):
    state = fake.state
    variant = state.variant_by_sku(sku)
    location = next(iter(state.locations.values()))
    level = state.level(variant.inventory_item_id, location.id)
    return f"gid://shopify/InventoryItem/{variant.inventory_item_id}", location.gid, level


def _input(quantities, **extra):
    return {
        "name": "available",
        "reason": "correction",
        "referenceDocumentUri": "gid://stockmaster/Push/1",
        "quantities": quantities,
        **extra,
    }


def _levels(fake):
    return {key: dict(level.quantities) for key, level in fake.state.levels.items()}


def test_stale_change_from_quantity_is_a_user_error_and_changes_nothing(fake_shopify, shopify_client):
    item1, loc, level1 = _target(fake_shopify, "LIN-0001-1")
    item2, _, level2 = _target(fake_shopify, "LIN-0002-1")
    level1.quantities["available"], level2.quantities["available"] = 8, 3
    before = _levels(fake_shopify)
    quantities = [
        {"inventoryItemId": item1, "locationId": loc, "quantity": 5, "changeFromQuantity": 8},  # right
        {
            "inventoryItemId": item2,
            "locationId": loc,
            "quantity": 1,
            "changeFromQuantity": 4,
        },  # stale: it is 3
    ]
    data = shopify_client.data(SET, {"input": _input(quantities), "key": "k-1"})["inventorySetQuantities"]
    assert data == {
        "inventoryAdjustmentGroup": None,
        "userErrors": [
            {
                "code": "CHANGE_FROM_QUANTITY_STALE",
                "field": ["input", "quantities", "1", "changeFromQuantity"],
                "message": "The changeFromQuantity value does not match persisted value.",
            }
        ],
    }
    assert _levels(fake_shopify) == before


def test_matching_change_from_quantity_sets_available_and_on_hand_follows(fake_shopify, shopify_client):
    item, loc, level = _target(fake_shopify)
    level.quantities.update(available=8, committed=2)
    quantities = [{"inventoryItemId": item, "locationId": loc, "quantity": 5, "changeFromQuantity": 8}]
    data = shopify_client.data(SET, {"input": _input(quantities), "key": "k-2"})["inventorySetQuantities"]
    assert data["userErrors"] == []
    assert data["inventoryAdjustmentGroup"]["changes"] == [
        {"name": "available", "delta": -3, "quantityAfterChange": 5},
        {"name": "on_hand", "delta": -3, "quantityAfterChange": 7},
    ]
    assert data["inventoryAdjustmentGroup"]["referenceDocumentUri"] == "gid://stockmaster/Push/1"
    assert (level.get("available"), level.get("on_hand"), level.get("committed")) == (5, 7, 2)


def test_change_from_quantity_null_opts_out_of_the_check(fake_shopify, shopify_client):
    item, loc, level = _target(fake_shopify)
    level.quantities["available"] = 8
    quantities = [{"inventoryItemId": item, "locationId": loc, "quantity": 2, "changeFromQuantity": None}]
    assert (
        shopify_client.data(SET, {"input": _input(quantities), "key": "k-3"})["inventorySetQuantities"][
            "userErrors"
        ]
        == []
    )
    assert level.get("available") == 2


def test_idempotency_key_replay_changes_nothing_the_second_time(fake_shopify, shopify_client):
    item, loc, level = _target(fake_shopify)
    level.quantities["available"] = 8
    variables = {
        "input": _input(
            [{"inventoryItemId": item, "locationId": loc, "quantity": 5, "changeFromQuantity": 8}]
        ),
        "key": "push-42",
    }
    first = shopify_client.data(SET, variables)["inventorySetQuantities"]
    assert level.get("available") == 5
    level.quantities["available"] = 4  # a buyer took one meanwhile
    second = shopify_client.data(SET, variables)["inventorySetQuantities"]
    assert second == first  # the stored answer of the first attempt, same adjustment group
    assert level.get("available") == 4
    assert len(fake_shopify.state.adjustment_groups) == 1
    assert fake_shopify.counters["idempotent_replays"] == 1


def test_same_key_with_other_parameters_is_refused(fake_shopify, shopify_client):
    item, loc, level = _target(fake_shopify)
    level.quantities["available"] = 8
    q = {"inventoryItemId": item, "locationId": loc, "quantity": 5, "changeFromQuantity": 8}
    shopify_client.data(SET, {"input": _input([q]), "key": "push-43"})
    data = shopify_client.data(
        SET, {"input": _input([{**q, "quantity": 1, "changeFromQuantity": 5}]), "key": "push-43"}
    )["inventorySetQuantities"]
    assert [e["code"] for e in data["userErrors"]] == ["IDEMPOTENCY_KEY_PARAMETER_MISMATCH"]
    assert level.get("available") == 5


def test_2026_04_and_later_require_the_idempotency_key_and_change_from_quantity(fake_shopify, shopify_client):
    item, loc, level = _target(fake_shopify)
    level.quantities["available"] = 8
    q = {"inventoryItemId": item, "locationId": loc, "quantity": 5, "changeFromQuantity": 8}
    status, _, body = shopify_client.post(SET_NO_KEY, {"input": _input([q])}, version="2026-04")
    assert status == 200
    assert body["data"] == {"inventorySetQuantities": None}
    assert "idempotency key is required" in body["errors"][0]["message"]
    without = {k: v for k, v in q.items() if k != "changeFromQuantity"}
    body = shopify_client.post(SET, {"input": _input([without]), "key": "k-4"}, version="2026-10")[2]
    assert body["data"] == {"inventorySetQuantities": None}
    assert "changeFromQuantity is required" in body["errors"][0]["message"]
    assert level.get("available") == 8


def test_2026_01_key_optional_and_compare_quantity_still_honoured(fake_shopify, shopify_client):
    item, loc, level = _target(fake_shopify)
    level.quantities["available"] = 8
    q = {"inventoryItemId": item, "locationId": loc, "quantity": 5}
    data = shopify_client.data(SET_NO_KEY, {"input": _input([q])}, version="2026-01")[
        "inventorySetQuantities"
    ]
    assert [e["code"] for e in data["userErrors"]] == ["COMPARE_QUANTITY_REQUIRED"]
    data = shopify_client.data(
        SET_NO_KEY, {"input": _input([{**q, "compareQuantity": 7}])}, version="2026-01"
    )["inventorySetQuantities"]
    assert [e["code"] for e in data["userErrors"]] == ["COMPARE_QUANTITY_STALE"]
    assert level.get("available") == 8
    data = shopify_client.data(
        SET_NO_KEY, {"input": _input([{**q, "compareQuantity": 8}])}, version="2026-01"
    )["inventorySetQuantities"]
    assert data["userErrors"] == []
    assert level.get("available") == 5


@pytest.fixture
def legacy_fake():
    fake = FakeShopify(today=TODAY, supported_versions=["2025-10", "2026-01", "2026-04", "2026-07"])
    fake.state.seed(seed=1, products=2)
    fake.start()
    yield fake
    fake.stop()


def test_before_2026_01_change_from_quantity_and_idempotent_do_not_exist(legacy_fake):
    client = ShopifyClient(legacy_fake, version="2025-10")
    item, loc, level = _target(legacy_fake)
    level.quantities["available"] = 8
    q = {"inventoryItemId": item, "locationId": loc, "quantity": 5}
    body = client.post(SET, {"input": _input([q]), "key": "k"})[2]
    assert body["errors"][0] == {
        "message": "Directive @idempotent is not defined",
        "locations": [{"line": 3, "column": 41}],
        "extensions": {"code": "undefinedDirective", "directiveName": "idempotent"},
    }
    literal = (
        'mutation { inventorySetQuantities(input: {name: "available", reason: "correction", quantities: '
        f'[{{inventoryItemId: "{item}", locationId: "{loc}", quantity: 5, changeFromQuantity: 8}}]}}) '
        "{ userErrors { code } } }"
    )
    error = client.post(literal)[2]["errors"][0]
    assert (
        error["message"]
        == "InputObject 'InventoryQuantityInput' doesn't accept argument 'changeFromQuantity'"
    )
    data = client.data(SET_NO_KEY, {"input": _input([{**q, "compareQuantity": 6}])})["inventorySetQuantities"]
    assert [e["code"] for e in data["userErrors"]] == ["COMPARE_QUANTITY_STALE"]
    data = client.data(SET_NO_KEY, {"input": _input([q], ignoreCompareQuantity=True)})[
        "inventorySetQuantities"
    ]
    assert data["userErrors"] == []
    assert level.get("available") == 5


def test_invalid_name_reason_and_item_are_user_errors(fake_shopify, shopify_client):
    _, loc, _ = _target(fake_shopify)
    before = _levels(fake_shopify)
    q = [
        {
            "inventoryItemId": "gid://shopify/InventoryItem/1",
            "locationId": loc,
            "quantity": 5,
            "changeFromQuantity": None,
        }
    ]
    data = shopify_client.data(SET, {"input": _input(q, name="incoming", reason="because"), "key": "k-5"})
    codes = [e["code"] for e in data["inventorySetQuantities"]["userErrors"]]
    assert codes == ["INVALID_NAME", "INVALID_REASON", "INVALID_INVENTORY_ITEM"]
    assert _levels(fake_shopify) == before


def test_adjust_quantities_applies_deltas_and_needs_a_ledger_document_for_damaged(
    fake_shopify, shopify_client
):
    item, loc, level = _target(fake_shopify)
    level.quantities["available"] = 8
    change = {"inventoryItemId": item, "locationId": loc, "delta": -3, "changeFromQuantity": None}
    data = shopify_client.data(
        ADJUST, {"input": {"name": "available", "reason": "correction", "changes": [change]}, "key": "a-1"}
    )["inventoryAdjustQuantities"]
    assert data["userErrors"] == []
    assert data["inventoryAdjustmentGroup"]["changes"][0] == {
        "name": "available",
        "delta": -3,
        "quantityAfterChange": 5,
    }
    data = shopify_client.data(
        ADJUST, {"input": {"name": "damaged", "reason": "damaged", "changes": [change]}, "key": "a-2"}
    )["inventoryAdjustQuantities"]
    assert [e["code"] for e in data["userErrors"]] == ["INVALID_QUANTITY_DOCUMENT"]
    assert level.get("available") == 5


def test_adjust_quantities_compare_and_swap_and_its_2026_04_requirement(fake_shopify, shopify_client):
    item, loc, level = _target(fake_shopify)
    level.quantities["available"] = 8
    change = {"inventoryItemId": item, "locationId": loc, "delta": -3}
    stale = {
        "input": {
            "name": "available",
            "reason": "correction",
            "changes": [{**change, "changeFromQuantity": 9}],
        },
        "key": "a-3",
    }
    data = shopify_client.data(ADJUST, stale)["inventoryAdjustQuantities"]
    assert [e["code"] for e in data["userErrors"]] == ["CHANGE_FROM_QUANTITY_STALE"]
    missing = {"input": {"name": "available", "reason": "correction", "changes": [change]}, "key": "a-4"}
    body = shopify_client.post(ADJUST, missing)[2]
    assert "changeFromQuantity is required" in body["errors"][0]["message"]
    data = shopify_client.data(ADJUST, missing, version="2026-01")["inventoryAdjustQuantities"]
    assert data["userErrors"] == []
    assert level.get("available") == 5


def test_compare_quantity_fields_are_gone_from_2026_04(shopify_client, fake_shopify):
    item, loc, _ = _target(fake_shopify)
    q = {"inventoryItemId": item, "locationId": loc, "quantity": 5, "compareQuantity": 8}
    body = shopify_client.post(SET, {"input": _input([q]), "key": "k-6"}, version="2026-04")[2]
    assert "data" not in body  # invalid variables are a validation error: nothing runs, nothing is charged
    assert body["errors"][0]["message"] == (
        "Variable $input of type InventorySetQuantitiesInput! was provided invalid value for "
        "quantities.0.compareQuantity (Field is not defined on InventoryQuantityInput)"
    )
    assert body["errors"][0]["extensions"]["problems"] == [
        {
            "path": ["quantities", 0, "compareQuantity"],
            "explanation": "Field is not defined on InventoryQuantityInput",
        }
    ]
    assert fake_shopify.counters.get("cost_requested", 0) == 0


def test_more_than_250_quantities_is_max_input_size_exceeded_and_nothing_runs(fake_shopify, shopify_client):
    item, loc, _ = _target(fake_shopify)
    before = _levels(fake_shopify)
    q = {"inventoryItemId": item, "locationId": loc, "quantity": 1, "changeFromQuantity": None}
    status, _, body = shopify_client.post(SET, {"input": _input([q] * 251), "key": "k-7"})
    assert status == 200
    assert body == {
        "errors": [
            {
                "message": "The input array size of 251 is greater than the maximum allowed of 250.",
                "path": ["inventorySetQuantities", "input", "quantities"],
                "extensions": {"code": "MAX_INPUT_SIZE_EXCEEDED"},
            }
        ]
    }
    assert _levels(fake_shopify) == before
